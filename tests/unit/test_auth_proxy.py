"""The authenticating proxy that lets vLLM listen beyond this machine: every path needs the key
(vLLM's own check skips /invocations and /tokenize), and answers pass through, streams live."""

from __future__ import annotations

import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.serving.auth_proxy import AuthProxy

KEY = "sk-test-123"


class Backend(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    release = threading.Event()
    seen: list[tuple[str, str, bytes]] = []

    def log_message(self, *a):
        pass

    def do_GET(self):
        self._answer(b"")

    def do_POST(self):
        self._answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _answer(self, body: bytes):
        Backend.seen.append((self.command, self.path, body))
        if self.path == "/v1/stream":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i, part in enumerate((b"data: one\n\n", b"data: two\n\n")):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.flush()
                if i == 0:  # the rest only once the client has read the first event through the proxy
                    assert Backend.release.wait(10)
            self.wfile.write(b"0\r\n\r\n")
            return
        out = json.dumps({"path": self.path, "got": body.decode()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


@pytest.fixture
def proxy():
    backend = ThreadingHTTPServer(("127.0.0.1", 0), Backend)
    threading.Thread(target=backend.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    front = AuthProxy("127.0.0.1", 0, "127.0.0.1", backend.server_address[1], KEY)
    front.start()
    Backend.seen.clear()
    Backend.release.clear()
    yield front
    front.stop()
    backend.shutdown()
    backend.server_close()


def _ask(proxy, method, path, key=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    return conn, resp


@pytest.mark.parametrize("path", ["/invocations", "/tokenize", "/v1/models", "/v1/chat/completions", "/"])
def test_every_path_needs_the_key_before_anything_reaches_the_server(proxy, path):
    for key in (None, "wrong", KEY + "x"):
        conn, resp = _ask(proxy, "POST", path, key, body=b"{}")
        assert resp.status == 401 and resp.getheader("WWW-Authenticate") == "Bearer"
        assert "API key" in json.loads(resp.read())["error"]["message"]
        conn.close()
    assert Backend.seen == []


def test_with_the_key_requests_and_bodies_pass_through(proxy):
    conn, resp = _ask(proxy, "POST", "/invocations?x=1", KEY, body=b'{"prompt": "hi"}')
    assert resp.status == 200 and json.loads(resp.read()) == {"path": "/invocations?x=1", "got": '{"prompt": "hi"}'}
    conn.close()
    conn, resp = _ask(proxy, "GET", "/v1/models", KEY)
    assert resp.status == 200 and json.loads(resp.read())["path"] == "/v1/models"
    conn.close()


def test_a_stream_comes_through_as_it_is_written(proxy):
    conn, resp = _ask(proxy, "POST", "/v1/stream", KEY, body=b"{}")
    assert resp.status == 200 and resp.getheader("Content-Type") == "text/event-stream"
    first = resp.readline()
    assert first == b"data: one\n"  # arrived while the backend still holds the rest back
    Backend.release.set()
    rest = resp.read()
    assert b"data: two" in rest
    conn.close()


def test_a_backend_that_is_gone_is_a_502_with_a_reason():
    front = AuthProxy("127.0.0.1", 0, "127.0.0.1", 9, KEY)
    front.start()
    try:
        conn, resp = _ask(front, "GET", "/v1/models", KEY)
        assert resp.status == 502 and "did not answer" in json.loads(resp.read())["error"]["message"]
        conn.close()
    finally:
        front.stop()
