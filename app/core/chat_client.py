"""A small streaming client for OpenAI-compatible chat APIs (the serve engine, or a remote vLLM).

Qt-free and stdlib only (``http.client``), so the GUI can stream from a worker thread without
importing an HTTP stack. ``stream_chat`` yields ``str`` text deltas and, last, one ``ChatStats``
(usage, time to first token, tokens/s, finish reason). Failures a person can fix are ``UserError``
subclasses with stable codes: ``AuthError`` (401/403, a wrong key), ``EngineNotRunning``
(connection refused / reset / timeout on connect), ``ContextTooLong`` (400 about the model's
context length, vLLM's own message kept), ``ApiError`` (any other error status).
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from app.core.errors import UserError

DEFAULT_TIMEOUT_S = 600.0


class ChatClientError(UserError):
    pass


class AuthError(ChatClientError):
    pass


class EngineNotRunning(ChatClientError):
    pass


class ContextTooLong(ChatClientError):
    pass


class ApiError(ChatClientError):
    def __init__(self, message: str, *, status: int = 0, code: str = "chat.api_error", params=None):
        super().__init__(message, code=code, params=dict(params or {}, status=status))
        self.status = status


@dataclass
class ChatStats:
    """The final record of a streamed answer."""

    text: str = ""
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str | None = None
    ttft_s: float | None = None  # request sent → first non-empty delta
    total_s: float = 0.0
    chunks: int = 0
    model: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tokens_per_s(self) -> float | None:
        """Completion tokens per second of generation (after the first token)."""
        n = self.completion_tokens if self.completion_tokens is not None else self.chunks
        if not n or self.ttft_s is None:
            return None
        gen = self.total_s - self.ttft_s
        if n <= 1 or gen <= 0:
            return n / self.total_s if self.total_s > 0 else None
        return (n - 1) / gen

    def to_dict(self) -> dict[str, Any]:
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
                "finish_reason": self.finish_reason, "ttft_s": self.ttft_s, "total_s": self.total_s,
                "tokens_per_s": self.tokens_per_s, "chunks": self.chunks, "model": self.model}


def _connection(base_url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(base_url.rstrip("/"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ChatClientError(f"Not an http(s) URL: {base_url!r}", code="chat.bad_url", params={"url": base_url})
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    return cls(parts.hostname, parts.port, timeout=timeout), parts.path or ""


def _error_message(body: bytes) -> str:
    try:
        data = json.loads(body.decode("utf-8", errors="replace"))
    except ValueError:
        return body.decode("utf-8", errors="replace").strip()[:500]
    err = data.get("error", data) if isinstance(data, dict) else data
    if isinstance(err, dict):
        return str(err.get("message") or err.get("detail") or err)
    return str(err)


def _raise_for_status(status: int, body: bytes, base_url: str) -> None:
    message = _error_message(body)
    if status in (401, 403):
        raise AuthError(f"The server at {base_url} refused the API key ({status}): {message or 'unauthorized'}",
                        code="chat.auth", params={"url": base_url, "status": status})
    low = message.lower()
    if status == 400 and ("context length" in low or "max_model_len" in low or "maximum context" in low
                          or "too long" in low):
        raise ContextTooLong(f"The conversation is too long for the model: {message}", code="chat.context_too_long",
                             params={"message": message})
    if status == 404:
        raise ApiError(f"Not found ({base_url}): {message}", status=status, code="chat.not_found",
                       params={"message": message})
    raise ApiError(f"The server answered {status}: {message}", status=status, params={"message": message})


def _request(base_url: str, api_key: str | None, method: str, path: str, payload: dict | None,
             timeout: float) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    conn, prefix = _connection(base_url, timeout)
    headers = {"Accept": "application/json, text/event-stream"}
    body = None
    if payload is not None:
        body = json.dumps(payload).encode("utf-8")
        headers["Content-Type"] = "application/json"
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    try:
        conn.request(method, prefix + path, body=body, headers=headers)
        resp = conn.getresponse()
    except (ConnectionRefusedError, ConnectionResetError, socket.timeout, socket.gaierror, OSError) as exc:
        conn.close()
        raise EngineNotRunning(f"Cannot reach the engine at {base_url} ({exc}). Is it running?",
                               code="chat.not_running", params={"url": base_url}) from None
    if resp.status >= 400:
        data = resp.read()
        conn.close()
        _raise_for_status(resp.status, data, base_url)
    return conn, resp


def list_models(base_url: str, api_key: str | None, timeout: float = 10.0) -> list[str]:
    return [m["id"] for m in model_entries(base_url, api_key, timeout)]


def model_entries(base_url: str, api_key: str | None, timeout: float = 10.0) -> list[dict]:
    """``GET /models``'s entries as the server wrote them (``id``; vLLM and our engines add ``root``, the
    model's folder, and ``max_model_len``)."""
    conn, resp = _request(base_url, api_key, "GET", "/models", None, timeout)
    try:
        data = json.loads(resp.read().decode("utf-8"))
    finally:
        conn.close()
    entries = data.get("data", []) if isinstance(data, dict) else []
    return [m for m in entries if isinstance(m, dict) and isinstance(m.get("id"), str)]


def load_adapter(base_url: str, api_key: str | None, name: str, path: str, timeout: float = 120.0) -> str:
    """Load a LoRA adapter into a running engine (vLLM's ``POST /v1/load_lora_adapter``, which the
    transformers engine serves too); returns the server's answer. Raises ApiError when refused."""
    conn, resp = _request(base_url, api_key, "POST", "/load_lora_adapter",
                          {"lora_name": name, "lora_path": str(path)}, timeout)
    try:
        return resp.read().decode("utf-8", errors="replace").strip()
    finally:
        conn.close()


def _sse_lines(resp: http.client.HTTPResponse) -> Iterator[str]:
    """The ``data:`` payloads of a server-sent event stream."""
    buf: list[str] = []
    while True:
        raw = resp.readline()
        if not raw:
            break
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if not line:
            if buf:
                yield "\n".join(buf)
                buf = []
            continue
        if line.startswith("data:"):
            buf.append(line[5:].lstrip(" "))
    if buf:
        yield "\n".join(buf)


def stream_chat(base_url: str, api_key: str | None, model: str, messages: list[dict], *,
                timeout: float = DEFAULT_TIMEOUT_S, **params: Any) -> Iterator[str | ChatStats]:
    """Yield the answer's text deltas (``str``), then one ``ChatStats``.

    ``params`` go into the request as they are (temperature, max_tokens, top_p, stop, seed, …).
    Closing the generator early closes the connection, which makes vLLM abort the request.
    """
    payload = {"model": model, "messages": messages, "stream": True,
               "stream_options": {"include_usage": True}, **params}
    t0 = time.perf_counter()
    conn, resp = _request(base_url, api_key, "POST", "/chat/completions", payload, timeout)
    stats = ChatStats(model=model)
    parts: list[str] = []
    try:
        for data in _sse_lines(resp):
            if data == "[DONE]":
                break
            try:
                chunk = json.loads(data)
            except ValueError:
                continue
            if "error" in chunk:
                err = chunk["error"]
                msg = err.get("message") if isinstance(err, dict) else str(err)
                if "context length" in str(msg).lower():
                    raise ContextTooLong(f"The conversation is too long for the model: {msg}",
                                         code="chat.context_too_long", params={"message": msg})
                raise ApiError(f"The server failed mid-answer: {msg}", status=500, code="chat.failed_mid_answer",
                               params={"message": msg})
            usage = chunk.get("usage")
            if usage:
                stats.prompt_tokens = usage.get("prompt_tokens")
                stats.completion_tokens = usage.get("completion_tokens")
            for choice in chunk.get("choices") or []:
                delta = (choice.get("delta") or {}).get("content")
                if delta is None:
                    delta = choice.get("text")
                if delta:
                    if stats.ttft_s is None:
                        stats.ttft_s = time.perf_counter() - t0
                    stats.chunks += 1
                    parts.append(delta)
                    yield delta
                if choice.get("finish_reason"):
                    stats.finish_reason = choice["finish_reason"]
    except (ConnectionResetError, http.client.IncompleteRead, socket.timeout) as exc:
        raise EngineNotRunning(f"The engine at {base_url} went away mid-answer ({exc}).",
                               code="chat.connection_lost", params={"url": base_url}) from None
    finally:
        conn.close()
    stats.total_s = time.perf_counter() - t0
    stats.text = "".join(parts)
    yield stats


def chat(base_url: str, api_key: str | None, model: str, messages: list[dict], **params: Any) -> tuple[str, ChatStats]:
    """The whole answer and its stats (streams under the hood)."""
    stats = ChatStats()
    for item in stream_chat(base_url, api_key, model, messages, **params):
        if isinstance(item, ChatStats):
            stats = item
    return stats.text, stats


__all__ = ["ChatClientError", "AuthError", "EngineNotRunning", "ContextTooLong", "ApiError", "ChatStats",
           "stream_chat", "chat", "list_models", "load_adapter"]
