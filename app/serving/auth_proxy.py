"""An authenticating reverse proxy in front of a server that checks the key on some routes only.

vLLM's ``--api-key`` guards ``/v1`` (and a few other prefixes) but answers ``/invocations`` and
``/tokenize`` without it, so ``ai-platform serve --engine vllm --host ADDRESS`` keeps vLLM on
127.0.0.1 and puts this proxy on ADDRESS: every request, whatever its path, needs
``Authorization: Bearer KEY`` (compared in constant time) before anything reaches vLLM; then the
request goes through as it came and the answer comes back as it is written, streamed chunk by chunk
(server-sent events stay live).

    proxy = AuthProxy("0.0.0.0", 8000, "127.0.0.1", 43121, key)
    proxy.start()        # a thread; proxy.port is the port it listens on
    ...
    proxy.stop()
"""

from __future__ import annotations

import hmac
import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Headers that belong to one connection, not to the request (RFC 9110 §7.6.1), plus Host.
_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "host"}
BACKEND_TIMEOUT_S = 3600.0  # a long generation streams for minutes
MAX_BODY = 64 * 1024 * 1024


class AuthProxy:
    def __init__(self, host: str, port: int, backend_host: str, backend_port: int, api_key: str):
        if not api_key:
            raise ValueError("an authenticating proxy needs a key")
        self.backend = (backend_host, int(backend_port))
        self._key = api_key.encode("utf-8")
        proxy = self

        class Handler(_Handler):
            owner = proxy

        self.server = ThreadingHTTPServer((host, int(port)), Handler)
        self.server.daemon_threads = True
        self.host, self.port = host, self.server.server_address[1]
        self._thread: threading.Thread | None = None

    def authorized(self, header: str | None) -> bool:
        scheme, _, token = (header or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode("utf-8"), self._key)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="auth-proxy", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    owner: AuthProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the requests are not logged (keys, prompts)
        pass

    def _refuse(self, status: int, message: str) -> None:
        body = json.dumps({"error": {"message": message, "type": "authentication_error" if status == 401
                                     else "invalid_request_error", "code": status}}).encode()
        self.send_response(status)
        if status == 401:
            self.send_header("WWW-Authenticate", "Bearer")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes | None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
                if len(out) > MAX_BODY:
                    return None
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length <= MAX_BODY else None

    def _forward(self) -> None:
        if not self.owner.authorized(self.headers.get("Authorization")):
            self.close_connection = True
            self._refuse(401, "This server needs its API key: send Authorization: Bearer <api_key>.")
            return
        body = self._body()
        if body is None:
            self.close_connection = True
            self._refuse(413, "The request is too large.")
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
        if body or self.command in ("POST", "PUT", "PATCH"):
            headers["Content-Length"] = str(len(body))
        conn = http.client.HTTPConnection(*self.owner.backend, timeout=BACKEND_TIMEOUT_S)
        try:
            try:
                conn.request(self.command, self.path, body=body or None, headers=headers)
                resp = conn.getresponse()
            except OSError as exc:
                self.close_connection = True
                self._refuse(502, f"The model server behind this address did not answer ({exc}).")
                return
            self.send_response(resp.status, resp.reason)
            length = resp.getheader("Content-Length")
            for k, v in resp.getheaders():
                if k.lower() not in _HOP and k.lower() not in ("content-length", "date", "server"):
                    self.send_header(k, v)
            if length is not None:
                self.send_header("Content-Length", length)
                self.end_headers()
                self.wfile.write(resp.read())
                return
            # No length (a stream): pass each piece on as it comes, chunked.
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            while True:
                piece = resp.read1(65536)
                if not piece:
                    break
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client went away mid-answer
        finally:
            conn.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _forward
