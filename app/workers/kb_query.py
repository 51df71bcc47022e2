"""Retrieval for chat: one long-lived knowledge engine (``knowledge serve``) answering queries.

The engine loads the embedding model and the attached knowledge bases once, so a question is
answered in milliseconds after the first. ``ask(kb_ids, text, top_k)`` queries every base and
reports all answers together through ``answered(request_id, results)``, or ``failed(request_id,
message)`` (English; ``take_failure(request_id)`` gives why as data: the engine's error event, or its
Outcome when it ended). Asking for a base the engine has not loaded restarts it with the union of bases.
"""

from __future__ import annotations

import itertools
import logging

from PySide6.QtCore import QObject, Signal

from app.core import protocol
from app.workers.engine_process import EngineProcess

log = logging.getLogger(__name__)

ENGINE = "app.engines.knowledge"


class KbQueryService(QObject):
    answered = Signal(int, list)  # request id, [query result per knowledge base]
    failed = Signal(int, str)  # request id, message
    state_changed = Signal(str)  # "loading" | "ready" | "stopped"

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._proc: EngineProcess | None = None
        self._kbs: tuple[int, ...] = ()
        self._ready = False
        self._ids = itertools.count(1)
        self._queue: list[tuple[int, tuple[int, ...], str, int]] = []
        # request id → (kb ids still to answer, results so far)
        self._pending: dict[int, tuple[set[int], list[dict]]] = {}
        self._failures: dict[int, object] = {}  # request id → protocol.Error or Outcome, until taken

    @property
    def ready(self) -> bool:
        return self._ready

    def ask(self, kb_ids: list[int], text: str, top_k: int = 5, rerank: bool | None = None,
            filters: dict | None = None) -> int:
        """``filters``: {"tags", "source", "after", "before"} (kb.DocFilter's fields), or None."""
        req = next(self._ids)
        kbs = tuple(sorted(set(int(k) for k in kb_ids)))
        if not kbs:
            self.answered.emit(req, [])
            return req
        if self._proc is None or not set(kbs) <= set(self._kbs):
            self._start(tuple(sorted(set(self._kbs) | set(kbs))))
        self._queue.append((req, kbs, text, top_k, rerank, filters or None))
        if self._ready:
            self._drain()
        return req

    def take_failure(self, req: int):
        """Why request ``req`` failed: the engine's ``protocol.Error`` (code and params in its
        extra) or its ``Outcome``; None when it was never asked or already taken."""
        return self._failures.pop(req, None)

    def _fail(self, req: int, message: str, cause) -> None:
        self._failures[req] = cause
        while len(self._failures) > 100:  # a panel that never asks must not grow this forever
            self._failures.pop(next(iter(self._failures)))
        self.failed.emit(req, message)

    def forget(self, kb_id: int) -> None:
        """A base changed (documents added, deleted): reload it on the next question."""
        if kb_id in self._kbs:
            self.stop()

    def stop(self) -> None:
        if self._proc is not None:
            proc, self._proc = self._proc, None  # its finished signal is ignored from now on
            proc.stop(grace_s=2, term_grace_s=2)
        self._ready = False
        self._kbs = ()
        stopped = protocol.Error(message="stopped", extra={"code": "kb.search_stopped", "params": {}})
        for req in list(self._pending):
            self._fail(req, "stopped", stopped)
        self._pending.clear()

    def shutdown(self) -> None:
        """The window closes: stop the engine and wait for it (it holds the embedding model)."""
        proc = self._proc
        self.stop()
        if proc is not None and not proc.wait(3000):
            proc.kill()
            proc.wait(2000)

    def _start(self, kbs: tuple[int, ...]) -> None:
        waiting = self._queue[:]
        self.stop()
        self._queue = waiting
        args = ["serve"]
        for k in kbs:
            args += ["--kb", str(k)]
        self._kbs = kbs
        self._proc = EngineProcess(ENGINE, args, parent=self)
        proc = self._proc
        proc.event.connect(lambda ev, p=proc: self._on_event(p, ev))
        proc.finished.connect(lambda outcome, p=proc: self._on_finished(p, outcome))
        proc.start()
        self.state_changed.emit("loading")

    def _drain(self) -> None:
        while self._queue and self._proc is not None:
            req, kbs, text, top_k, rerank, filters = self._queue.pop(0)
            self._pending[req] = (set(kbs), [])
            for k in kbs:
                self._proc.write_command("query", text=text, kb=k, top_k=top_k, id=f"{req}:{k}", rerank=rerank,
                                         filters=filters)

    def _on_event(self, proc: EngineProcess, ev) -> None:
        if proc is not self._proc:
            return
        if isinstance(ev, protocol.Log) and (ev.extra or {}).get("ready"):
            self._ready = True
            self.state_changed.emit("ready")
            self._drain()
            return
        rid = None
        if isinstance(ev, protocol.Result):
            rid = ev.data.get("id")
        elif isinstance(ev, protocol.Error):
            rid = (ev.extra or {}).get("id")
        if not isinstance(rid, str) or ":" not in rid:
            if isinstance(ev, protocol.Error) and not self._ready:
                self._fail_all(ev.message, ev)
            return
        req_s, kb_s = rid.split(":", 1)
        req, kb = int(req_s), int(kb_s)
        entry = self._pending.get(req)
        if entry is None:
            return
        waiting, results = entry
        if isinstance(ev, protocol.Error):
            self._pending.pop(req, None)
            self._fail(req, ev.message, ev)
            return
        waiting.discard(kb)
        results.append(ev.data)
        if not waiting:
            self._pending.pop(req, None)
            self.answered.emit(req, results)

    def _fail_all(self, message: str, cause) -> None:
        for req, *_ in self._queue:
            self._fail(req, message, cause)
        self._queue.clear()
        for req in list(self._pending):
            self._fail(req, message, cause)
        self._pending.clear()

    def _on_finished(self, proc: EngineProcess, outcome) -> None:
        if proc is not self._proc:
            return
        self._proc = None
        self._ready = False
        self._kbs = ()
        self._fail_all(outcome.last_error or f"the knowledge engine ended ({outcome.status})", outcome)
        self.state_changed.emit("stopped")


__all__ = ["KbQueryService"]
