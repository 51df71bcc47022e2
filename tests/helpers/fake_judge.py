"""A fake judge at the network edge: a tiny local HTTP server that speaks the OpenAI chat API
(``POST /v1/chat/completions`` streamed as server-sent events, ``GET /v1/models``) and answers every
request with ``reply(messages) -> str``. It stands in for a judge model so the judge's bookkeeping
(order swap, parsing, counting) is tested through the app's real HTTP client."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeJudgeServer:
    def __init__(self, reply: Callable[[list[dict]], str], model: str = "fake-judge"):
        self.reply, self.model, self.requests = reply, model, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path.endswith("/models"):
                    self._send(200, json.dumps({"data": [{"id": outer.model}]}).encode())
                else:
                    self._send(404, b'{"error": {"message": "no such path"}}')

            def do_POST(self):
                payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                outer.requests.append(payload)
                text = outer.reply(payload.get("messages", []))
                chunks = [{"choices": [{"delta": {"content": text}, "finish_reason": None}]},
                          {"choices": [{"delta": {}, "finish_reason": "stop"}],
                           "usage": {"prompt_tokens": 10, "completion_tokens": 1}}]
                body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
                self._send(200, body.encode(), "text/event-stream")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeJudgeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
