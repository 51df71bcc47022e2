"""One streaming answer: read an OpenAI-compatible stream on a thread, write it to the database as it
arrives, tell the window.

The database write happens on the streaming thread, at least every ``FLUSH_S`` (0.2 s) while text
arrives, so the answer survives the window being killed: at most the last 0.2 s of text is lost,
and the next start shows the rest as interrupted (``ChatStore.recover_interrupted``). The window
only repaints from the ``delta`` signal; it never has to write anything itself.

``timing`` = ``{"sent_at": monotonic seconds of the Send, "engine_wait_s": …}`` (from the answer
pipeline) makes the saved stats honest about the first answer: ``ttft_s`` is Send → first token,
``engine_wait_s`` the part spent waiting for the engine, ``server_ttft_s`` the request's own.

``stop()`` ends the answer at once for the user (status ``interrupted``, "stopped by you") and
closes the HTTP stream when the next chunk arrives, which makes vLLM abort the request.
"""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QObject, Signal

from app.core.chat_client import ChatStats, stream_chat
from app.core.chat_store import ChatStore
from app.core.db.models import MessageStatus
from app.core.errors import UserError

log = logging.getLogger(__name__)

FLUSH_S = 0.2


class ChatStream(QObject):
    delta = Signal(int, str)  # message id, the whole text so far
    finished = Signal(int, str, dict)  # message id, status, meta added at the end

    def __init__(self, store: ChatStore, message_id: int, *, base_url: str, api_key: str | None, model: str,
                 messages: list[dict], params: dict, meta: dict | None = None, flush_s: float = FLUSH_S,
                 timing: dict | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.message_id = message_id
        self.base_url, self.api_key, self.model = base_url, api_key, model
        self.messages, self.params = messages, dict(params)
        self.meta = dict(meta or {})
        self.flush_s = flush_s
        self.timing = dict(timing or {})
        self.first_token_at: float | None = None  # monotonic
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.text = ""
        self.done = False

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"chat-stream-{self.message_id}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        parts: list[str] = []
        last_flush = time.monotonic()
        flushed_len = 0
        status = MessageStatus.COMPLETE.value
        meta = dict(self.meta)
        stats: ChatStats | None = None
        gen = None
        try:
            if not self.model:  # a remote endpoint without a model id: take the first it serves
                from app.core.chat_client import list_models

                ids = list_models(self.base_url, self.api_key)
                if not ids:
                    raise UserError("The server lists no models.", code="chat.not_found")
                self.model = ids[0]
            gen = stream_chat(self.base_url, self.api_key, self.model, self.messages, **self.params)
            for item in gen:
                if isinstance(item, ChatStats):
                    stats = item
                    break
                if self.first_token_at is None:
                    self.first_token_at = time.monotonic()
                parts.append(item)
                self.text = "".join(parts)
                self.delta.emit(self.message_id, self.text)
                now = time.monotonic()
                if now - last_flush >= self.flush_s:
                    self.store.update_message(self.message_id, content=self.text)
                    last_flush, flushed_len = now, len(self.text)
                if self._stop.is_set():
                    status = MessageStatus.INTERRUPTED.value
                    meta["interrupted_by"] = "user"
                    break
        except UserError as err:
            status = MessageStatus.ERROR.value
            meta.update(error=str(err), error_code=err.code, error_params=dict(err.params))
        except Exception as exc:  # noqa: BLE001 - shown in the chat, never a dead window
            log.exception("chat stream failed")
            status = MessageStatus.ERROR.value
            meta.update(error=f"{type(exc).__name__}: {exc}", error_code="chat.unexpected", error_params={})
        finally:
            if gen is not None:
                gen.close()  # closes the connection: the server aborts the request
        if self._stop.is_set() and status == MessageStatus.COMPLETE.value and stats is None:
            status = MessageStatus.INTERRUPTED.value
            meta["interrupted_by"] = "user"
        self.text = "".join(parts)
        if stats is not None:
            meta["stats"] = dict(stats.to_dict(), **first_token_stats(self.timing, self.first_token_at, stats.ttft_s))
        meta.setdefault("model", self.model)
        try:
            self.store.update_message(self.message_id, content=self.text, status=status, meta=meta)
        except Exception:  # noqa: BLE001 - the database is gone (closing); the last flush stands
            log.exception("could not save the final answer (%d of %d characters were saved)",
                          flushed_len, len(self.text))
        self.done = True
        self.finished.emit(self.message_id, status, meta)


def first_token_stats(timing: dict, first_token_at: float | None, server_ttft_s: float | None) -> dict:
    """``ttft_s`` from the Send (when the Send's time is known), the engine wait, the server's own."""
    out: dict = {"server_ttft_s": server_ttft_s}
    if timing.get("sent_at") is not None and first_token_at is not None:
        out["ttft_s"] = round(first_token_at - float(timing["sent_at"]), 3)
        out["engine_wait_s"] = float(timing.get("engine_wait_s") or 0.0)
    return out


__all__ = ["ChatStream", "FLUSH_S", "first_token_stats"]
