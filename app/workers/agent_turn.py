"""One agent turn in the chat: the agent engine (``python -m app.engines.agent``) run as a process,
its steps turned into the answer message's ``meta["steps"]`` as they happen.

Same signals as ``ChatStream`` (``delta``, ``finished``) so the chat panel treats both alike. The
message is written to the database at least every ``FLUSH_S`` while the turn runs (text and steps),
so a crash keeps what the agent had done. A tool that wants a folder the user has not approved yet
raises ``approval_needed(folder, path)``; the panel answers with ``approve(folder, allow)``.

``tool_support`` (``app.core.tool_support.ToolSupport.to_dict()``) tells the agent before it starts
whether the model can call tools on this engine; the result's ``warnings`` (why no tool was used)
are saved as ``meta["warnings"]``. ``timing`` is the answer pipeline's (see ChatStream): the first
streamed text gives ``meta["stats"]`` the time to first token from the Send.
"""

from __future__ import annotations

import json
import logging
import time
import uuid

from PySide6.QtCore import QObject, QTimer, Signal

from app.core import paths, protocol
from app.core.chat_store import ChatStore
from app.core.db.models import MessageStatus
from app.workers.engine_process import EngineProcess

log = logging.getLogger(__name__)

ENGINE = "app.engines.agent"
KEY_ENV = "AI_PLATFORM_AGENT_API_KEY"
FLUSH_S = 0.2


class AgentTurn(QObject):
    delta = Signal(int, str)
    finished = Signal(int, str, dict)
    approval_needed = Signal(str, str)  # folder, path
    steps_changed = Signal(int)  # message id: a step was saved, show it

    def __init__(self, store: ChatStore, message_id: int, *, base_url: str, api_key: str | None, model: str | None,
                 messages: list[dict], system: str, kbs: list[str], folders: list[str], approved: list[str],
                 params: dict, max_steps: int = 6, memory: bool = False, tool_support: dict | None = None, timing: dict | None = None,
                 kb_filter: dict | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.store, self.message_id = store, message_id
        self.request = {"base_url": base_url, "model": model or None, "api_key_env": KEY_ENV,
                        "messages": messages, "system": system, "kbs": kbs, "folders": folders,
                        "approved_folders": approved, "max_steps": max_steps, "memory": bool(memory),
                        "temperature": params.get("temperature", 0.2),
                        "max_tokens": int(params.get("max_tokens", 512))}
        if tool_support:
            self.request["tool_support"] = tool_support
        if kb_filter and kbs:
            self.request["kb_filter"] = kb_filter
        self.timing = dict(timing or {})
        self.first_token_at: float | None = None
        self.api_key = api_key or ""
        self.text = ""
        self.steps: list[dict] = []
        self.done = False
        self.approved: list[str] = list(approved)
        self._result: dict | None = None
        self._error: str | None = None
        self._error_extra: dict = {}  # the error event's code and params, when it has them
        self._step_text: dict[int, str] = {}
        self._dirty = False
        self._last_flush = 0.0
        self._proc: EngineProcess | None = None
        self._flush_timer = QTimer(self, interval=int(FLUSH_S * 1000))
        self._flush_timer.timeout.connect(self._flush)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.is_running()

    def start(self) -> None:
        folder = paths.home() / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        req_path = folder / f"agent-{uuid.uuid4().hex}.json"
        paths.atomic_write_text(req_path, json.dumps(self.request, ensure_ascii=False))
        self._req_path = req_path
        self._proc = EngineProcess(ENGINE, [str(req_path)], env={KEY_ENV: self.api_key}, parent=self)
        self._proc.event.connect(self._on_event)
        self._proc.finished.connect(self._on_finished)
        self._proc.start()
        self._flush_timer.start()

    def stop(self) -> None:
        if self._proc is not None and self._proc.is_running():
            self._proc.stop(grace_s=5, term_grace_s=3)

    def wait(self, timeout: float | None = None) -> bool:
        if self._proc is None:
            return True
        return self._proc.wait(int((timeout or 5) * 1000))

    def approve(self, folder: str, allow: bool) -> None:
        if allow and folder not in self.approved:
            self.approved.append(folder)
        self.steps.append({"type": "approval", "folder": folder, "allow": bool(allow)})
        self._dirty = True
        if self._proc is not None:
            self._proc.write_command("approve", folder=folder, allow=bool(allow))

    # --- events ---------------------------------------------------------------------------------
    def _on_event(self, ev) -> None:
        if isinstance(ev, protocol.Delta):
            if self.first_token_at is None and ev.text:
                self.first_token_at = time.monotonic()
            self._step_text[ev.step] = self._step_text.get(ev.step, "") + ev.text
            self.text = self._step_text[ev.step]
            self.delta.emit(self.message_id, self.text)
            self._dirty = True
        elif isinstance(ev, protocol.ToolCall):
            thought = self._step_text.pop(ev.step, "").strip()
            if thought:
                self.steps.append({"type": "thought", "text": thought})
            self.text = ""
            self.steps.append({"type": "tool_call", "name": ev.name, "args": ev.args, "id": ev.id})
            self.delta.emit(self.message_id, "")
            self._dirty = True
        elif isinstance(ev, protocol.ToolResult):
            step = {"type": "tool_result", "name": ev.name, "ok": ev.ok, "text": ev.text, "id": ev.id}
            if ev.extra.get("code"):  # a refusal worded for the interface (agent.hard_link)
                step.update(code=ev.extra["code"], params=ev.extra.get("params") or {})
            self.steps.append(step)
            self._dirty = True
        elif isinstance(ev, protocol.Approval):
            self.approval_needed.emit(ev.folder, ev.path)
        elif isinstance(ev, protocol.Result):
            self._result = ev.data
        elif isinstance(ev, protocol.Error):
            self._error = ev.message + (f" — {ev.hint}" if ev.hint else "")
            self._error_extra = dict(ev.extra or {})
        else:
            return
        if isinstance(ev, (protocol.ToolCall, protocol.ToolResult)):
            self._flush()  # a step is shown as it happens, so it is saved at once
            self.steps_changed.emit(self.message_id)
        elif self._dirty and time.monotonic() - self._last_flush >= FLUSH_S:
            self._flush()

    def _flush(self) -> None:
        if not self._dirty or self.done:
            return
        self._dirty = False
        self._last_flush = time.monotonic()
        try:
            self.store.update_message(self.message_id, content=self.text, meta={"steps": self.steps})
        except Exception:  # noqa: BLE001 - the next flush or the final write tries again
            log.exception("could not save the agent's progress")

    def _on_finished(self, outcome) -> None:
        self._flush_timer.stop()
        try:
            self._req_path.unlink()
        except OSError:
            pass
        meta: dict = {"steps": self.steps, "mode": "agent", "approved_folders": self.approved}
        data = self._result or {}
        if data:
            self.text = data.get("answer", self.text) or self.text
            cites = [c for c in data.get("citations") or [] if c.get("cited")] or (data.get("citations") or [])
            if cites:
                meta["citations"] = cites
                meta["rag"] = "grounded"
            if data.get("limit_reached"):
                meta["limit_reached"] = True
            if data.get("warnings"):
                meta["warnings"] = list(data["warnings"])
        if self.first_token_at is not None and self.timing.get("sent_at") is not None:
            meta["stats"] = {"ttft_s": round(self.first_token_at - float(self.timing["sent_at"]), 3),
                             "engine_wait_s": float(self.timing.get("engine_wait_s") or 0.0)}
        done = outcome.done_event.status if outcome.done_event else outcome.status
        if done == "completed":
            status = MessageStatus.COMPLETE.value
        elif done == "stopped":
            status = MessageStatus.INTERRUPTED.value
            meta["interrupted_by"] = "user"
        else:
            status = MessageStatus.ERROR.value
            error = self._error or outcome.last_error or outcome.status
            if self._error_extra.get("code"):
                meta.update(error=error, error_code=self._error_extra["code"],
                            error_params=dict(self._error_extra.get("params") or {}))
            else:
                meta.update(error=error, error_code="agent.failed", error_params={"detail": error})
        self.done = True
        try:
            self.store.update_message(self.message_id, content=self.text, status=status, meta=meta)
        except Exception:  # noqa: BLE001
            log.exception("could not save the agent's answer")
        self.finished.emit(self.message_id, status, meta)


__all__ = ["AgentTurn"]
