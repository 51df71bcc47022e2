"""The transformers serve engine against careless and hostile clients: one engine for the module (the
real bundled model, one CPU thread), every probe against it, and after each group of probes another
client still gets its answer (issue 18).

Every client below has a timeout: a probe that wedged the engine (10,000 stop strings froze it for
over ten minutes, a 20 MB body was tokenised for half a minute) fails on that timeout.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from app.core import protocol
from tests.helpers import serve as h

pytestmark = pytest.mark.slow

BUSY_TIMEOUT_S = 3  # the engine's --busy-timeout: how long a request waits for the running answer
QUICK = 30  # seconds any probe's answer may take before the client gives up (and the test fails)


@pytest.fixture(scope="module")
def engine(tmp_path_factory, converted_model_dir):
    live = h.LiveServe(["--model", str(converted_model_dir), "--engine", "transformers", "--threads", "1",
                        "--busy-timeout", str(BUSY_TIMEOUT_S)], tmp_path_factory.mktemp("serve-hostile"))
    try:
        r = live.wait_for(protocol.Result, timeout=180).data
        yield live, r
    finally:
        live.close()


def _addr(r) -> tuple[str, int, str]:
    parts = urlsplit(r["base_url"])
    return parts.hostname, parts.port, parts.path


def post(r, path: str, body, *, raw: bytes | None = None, timeout: float = QUICK, headers: dict | None = None):
    """(status, parsed JSON or text) for one POST on a fresh connection."""
    host, port, prefix = _addr(r)
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    data = raw if raw is not None else json.dumps(body).encode()
    try:
        conn.request("POST", prefix + path, body=data,
                     headers={"Authorization": f"Bearer {r['api_key']}", "Content-Type": "application/json",
                              **(headers or {})})
        resp = conn.getresponse()
        payload = resp.read()
    finally:
        conn.close()
    try:
        return resp.status, json.loads(payload)
    except ValueError:
        return resp.status, payload.decode("utf-8", "replace")


def chat(r, **fields):
    body = {"model": r["model"], "messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 4,
            "temperature": 0}
    body.update(fields)
    return post(r, "/chat/completions", body)


def assert_still_serving(engine) -> None:
    """Another client gets a real answer (within QUICK seconds), and the engine never reported an error."""
    live, r = engine
    status, body = chat(r)
    assert status == 200, body
    assert body["choices"][0]["message"]["content"]
    assert live.proc.poll() is None and not live.of(protocol.Error)


def assert_400(status, body, param: str | None) -> str:
    assert status == 400, (status, body)
    err = body["error"]
    assert err["type"] == "invalid_request_error" and err["code"] == 400 and err["message"]
    if param is not None:
        assert err["param"] == param, err
    return err["message"]


def test_ten_thousand_stop_strings_are_refused_at_once(engine):
    _, r = engine
    msg = assert_400(*chat(r, stop=[f"stop-{i}" for i in range(10_000)]), "stop")
    assert "at most 16" in msg
    assert_400(*chat(r, stop=["x" * 10_000]), "stop")
    assert_400(*chat(r, stop=5), "stop")
    assert_400(*chat(r, stop=["ok", 3]), "stop")
    assert_still_serving(engine)


@pytest.mark.parametrize("field,value", [
    ("max_tokens", "abc"), ("max_tokens", -1), ("max_tokens", 0), ("max_tokens", 2.5), ("max_tokens", True),
    ("max_completion_tokens", 0), ("temperature", "hot"), ("temperature", -1), ("temperature", 1e9),
    ("top_p", 0), ("top_p", "all"), ("seed", "x"), ("repetition_penalty", 0), ("n", 3), ("n", "two"),
    ("stream", "yes"), ("stream_options", "usage"), ("ignore_eos", "no"), ("model", ["a", "b"]),
    ("messages", "hi"), ("messages", []), ("messages", [{"role": "user", "content": "hi"}] * 5000),
    ("tools", "calculator"), ("tools", [1, 2]),
])
def test_wrong_fields_get_400_with_the_field_named(engine, field, value):
    _, r = engine
    assert_400(*chat(r, **{field: value}), field)


def test_bad_bodies_get_json_errors_not_dropped_connections(engine):
    _, r = engine
    assert_400(*post(r, "/chat/completions", None, raw=b"{not json"), None)
    assert_400(*post(r, "/chat/completions", None, raw=b"[1, 2]"), None)
    assert_400(*post(r, "/chat/completions", None, raw=b"[" * 100_000 + b"]" * 100_000), None)
    assert_400(*post(r, "/completions", {"model": r["model"], "prompt": {"x": 1}}), "prompt")
    # A malformed tool call in the history: a message, not a crash.
    assert_400(*chat(r, messages=[{"role": "assistant", "content": None, "tool_calls": ["call"]},
                                  {"role": "user", "content": "hi"}]), "messages")
    # max_tokens beyond the context: the context message the app's client recognises.
    status, body = chat(r, max_tokens=10**8)
    assert status == 400 and "maximum context length" in body["error"]["message"]
    assert_still_serving(engine)


def test_a_20_mb_body_is_refused_with_413_before_it_is_read(engine):
    live, r = engine
    big = json.dumps({"model": r["model"], "messages": [{"role": "user", "content": "x " * 10_000_000}]}).encode()
    assert len(big) > 20_000_000
    status, body = post(r, "/chat/completions", None, raw=big)
    assert status == 413, (status, str(body)[:300])
    assert "bytes" in body["error"]["message"] and body["error"]["type"] == "RequestTooLarge"
    # A client that only announces the size gets the same answer at once (nothing is waited for).
    host, port, prefix = _addr(r)
    with socket.create_connection((host, port), timeout=QUICK) as sock:
        sock.sendall(f"POST {prefix}/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {r['api_key']}\r\n"
                     f"Content-Type: application/json\r\nContent-Length: 20000000\r\n"
                     f"Expect: 100-continue\r\n\r\n".encode())
        head = sock.recv(4096).decode("latin-1")
    assert head.startswith("HTTP/1.1 413"), head[:200]
    assert_still_serving(engine)


def test_stop_strings_cut_the_answer_as_vllm_does(engine):
    _, r = engine
    status, body = chat(r, max_tokens=24)
    assert status == 200
    full = body["choices"][0]["message"]["content"]
    words = full.split()
    assert len(words) >= 3, full
    stop = " " + words[2]
    cut = full[:full.index(stop)]
    status, body = chat(r, max_tokens=24, stop=[stop, "never-written-zzz"])
    assert status == 200 and body["choices"][0]["message"]["content"] == cut
    assert body["choices"][0]["finish_reason"] == "stop"
    payloads = h.raw_sse(r["base_url"] + "/chat/completions", r["api_key"],
                         {"model": r["model"], "messages": [{"role": "user", "content": "Say hello."}],
                          "max_tokens": 24, "temperature": 0, "stop": stop})
    chunks = [json.loads(p) for p in payloads[:-1]]
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == cut
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


LONG = {"max_tokens": 4000, "ignore_eos": True}  # minutes on one CPU thread, if nothing stops it


def _open_stream(r, until: bytes = b"data: ", **fields) -> tuple[socket.socket, bytes]:
    """A streaming request (by default a long answer whose first chunk has arrived: the engine is
    busy with it), read until ``until``."""
    host, port, prefix = _addr(r)
    body = json.dumps({"model": r["model"], "messages": [{"role": "user", "content": "Count."}],
                       "temperature": 0, "stream": True, **(fields or LONG)}).encode()
    sock = socket.create_connection((host, port), timeout=QUICK)
    sock.sendall(f"POST {prefix}/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {r['api_key']}\r\n"
                 f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
    seen = b""
    while until not in seen:
        chunk = sock.recv(4096)
        assert chunk, seen
        seen += chunk
    assert seen.startswith(b"HTTP/1.1 200"), seen[:200]
    return sock, seen


def _read_all(sock: socket.socket, seen: bytes) -> bytes:
    while not seen.rstrip().endswith(b"data: [DONE]"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        seen += chunk
    return seen


def test_while_one_answer_runs_others_get_busy_or_models_at_once(engine):
    _, r = engine
    sock, _ = _open_stream(r)
    try:
        status, body = h.http("GET", r["base_url"] + "/models", r["api_key"], timeout=QUICK)
        assert status == 200 and body["data"][0]["id"] == r["model"]
        status, body = chat(r)  # waits --busy-timeout seconds for the running answer, then 503
        assert status == 503 and "busy" in body["error"]["message"], body
    finally:
        sock.close()
    assert_still_serving(engine)  # the closed stream's generation stopped: the engine is free again


def test_a_second_stream_is_told_it_is_queued_then_answered(engine):
    _, r = engine
    first, _ = _open_stream(r)
    try:
        # At once: the headers and an SSE comment (OpenAI clients skip comments), not silence.
        second, seen = _open_stream(r, until=b": queued", max_tokens=4)
    finally:
        first.close()  # the first answer's generation stops; the queued one goes next
    with second:
        text = _read_all(second, seen).decode()
    payloads = [line[6:] for line in text.splitlines() if line.startswith("data: ")]
    assert payloads[-1] == "[DONE]"
    chunks = [json.loads(p) for p in payloads[:-1]]
    assert not any("error" in c for c in chunks), chunks
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c.get("choices"))


def test_a_queued_stream_that_waits_too_long_gets_busy_in_the_stream(engine):
    _, r = engine
    first, _ = _open_stream(r)
    try:
        second, seen = _open_stream(r, until=b": queued", max_tokens=4)
        with second:
            text = _read_all(second, seen).decode()
    finally:
        first.close()
    errors = [json.loads(line[6:])["error"] for line in text.splitlines() if line.startswith("data: {\"error")]
    assert errors and "busy" in errors[0]["message"] and errors[0]["code"] == 503, text[-500:]
    assert_still_serving(engine)


def assert_generation_stopped(live, before: int) -> None:
    """The engine's log (what the Logs panel shows) says a client's generation stopped."""
    import time

    deadline = time.monotonic() + QUICK
    while live.stderr.count("generation stopped") <= before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert live.stderr.count("generation stopped") > before, live.stderr[-2000:]


def test_a_streaming_client_that_goes_away_stops_its_generation(engine):
    live, r = engine
    before = live.stderr.count("generation stopped")
    _open_stream(r)[0].close()
    assert_generation_stopped(live, before)
    # Had the 4000-token generation gone on, this would get 503 busy after BUSY_TIMEOUT_S.
    assert_still_serving(engine)


def test_a_waiting_client_that_goes_away_stops_its_generation(engine):
    live, r = engine
    before = live.stderr.count("generation stopped")
    host, port, prefix = _addr(r)
    body = json.dumps({"model": r["model"], "messages": [{"role": "user", "content": "Count."}],
                       "temperature": 0, **LONG}).encode()
    sock = socket.create_connection((host, port), timeout=QUICK)
    sock.sendall(f"POST {prefix}/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {r['api_key']}\r\n"
                 f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
    # The generation has started once another chat request is told the engine is busy.
    for _ in range(5):
        status, answer = chat(r)
        if status == 503:
            break
    assert status == 503, answer
    sock.close()
    assert_generation_stopped(live, before)
    assert_still_serving(engine)


def test_twenty_clients_at_once_all_get_http_answers(engine):
    _, r = engine
    go = threading.Barrier(20)

    def one(i: int):
        go.wait(timeout=QUICK)
        if i % 2:
            return h.http("GET", r["base_url"] + "/models", r["api_key"], timeout=QUICK)[0]
        return chat(r, max_tokens=2)[0]

    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(one, range(20)))
    # Every connection was answered (none reset): the model list at once, chats answered or told busy.
    assert all(s == 200 for s in statuses[1::2]), statuses
    assert set(statuses[0::2]) <= {200, 503} and 200 in statuses[0::2], statuses
    assert_still_serving(engine)
