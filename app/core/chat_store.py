"""Chat sessions and their messages in the database (Qt-free).

A streaming answer is one assistant row written many times: created as ``streaming`` before the
first token, its content replaced as text arrives (the chat worker flushes at least every 250 ms),
and finished as ``complete``, ``error`` or ``interrupted`` (stopped by the user). If the app dies
mid-answer the row stays ``streaming``; the next start turns it into ``interrupted`` with the text
it had (``recover_interrupted``), so a crash loses at most the last flush interval.

Per-session settings (temperature, top-p, max tokens, attached knowledge bases, compare model) live
in ``params_json``; per-message facts (token counts, time to first token, tokens/s, citations,
agent steps, compare slot) in ``meta_json``. Views get plain dataclass snapshots.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update

from app.core.db.models import ChatMessage, ChatMode, ChatSession, MessageRole, MessageStatus, utcnow
from app.core.errors import UserError

# A small model (the bundled 135M one) loops on itself without a repetition penalty, and a long
# max_tokens then fills with the loop; 1.1 and 384 keep its answers readable on a 2048-token window.
DEFAULT_PARAMS: dict[str, Any] = {"temperature": 0.7, "top_p": 0.95, "max_tokens": 384, "repetition_penalty": 1.1}
SAMPLING_KEYS = ("temperature", "top_p", "max_tokens", "repetition_penalty")
TITLE_CHARS = 48
SEARCH_LIMIT = 500


@dataclass(frozen=True)
class SessionInfo:
    id: int
    title: str
    model: str | None
    adapter: str | None
    system_prompt: str
    params: dict[str, Any]
    mode: str
    project_id: int | None
    created_at: datetime
    updated_at: datetime

    @property
    def kb_ids(self) -> list[int]:
        return [int(k) for k in self.params.get("kbs", []) if str(k).isdigit()]


@dataclass(frozen=True)
class MessageInfo:
    id: int
    session_id: int
    role: str
    content: str
    status: str
    meta: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None

    @property
    def slot(self) -> str:
        """"A" for the session's model, "B" for the compare model's answer."""
        return self.meta.get("slot", "A")


def _loads(text: str | None) -> dict:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _session(row: ChatSession) -> SessionInfo:
    params = dict(DEFAULT_PARAMS)
    params.update(_loads(row.params_json))
    return SessionInfo(row.id, row.title, row.model, row.adapter, row.system_prompt or "", params, row.mode,
                       row.project_id, row.created_at, row.updated_at)


def _message(row: ChatMessage) -> MessageInfo:
    return MessageInfo(row.id, row.session_id, row.role, row.content or "", row.status, _loads(row.meta_json),
                       row.created_at)


def _session_row(s, session_id: int) -> ChatSession:
    row = s.get(ChatSession, session_id)
    if row is None:
        raise UserError(f"Chat session {session_id} does not exist (it may have been deleted).",
                        code="chat.no_session", params={"id": session_id})
    return row


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def title_from(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


class ChatStore:
    def __init__(self, db):
        self.db = db

    # --- sessions -------------------------------------------------------------------------------
    def create_session(self, *, title: str = "", model: str | None = None, adapter: str | None = None,
                       system_prompt: str = "", params: dict | None = None, mode: str = ChatMode.CHAT.value,
                       project_id: int | None = None) -> SessionInfo:
        if mode not in {m.value for m in ChatMode}:
            raise UserError(f"Unknown chat mode {mode!r}.", code="chat.bad_mode", params={"mode": mode})
        with self.db.session() as s:
            row = ChatSession(title=title.strip(), model=model, adapter=adapter, system_prompt=system_prompt,
                              params_json=json.dumps(params or {}), mode=mode, project_id=project_id)
            s.add(row)
            s.flush()
            return _session(row)

    def get_session(self, session_id: int) -> SessionInfo:
        with self.db.session() as s:
            return _session(_session_row(s, session_id))

    def list_sessions(self, search: str = "") -> list[SessionInfo]:
        """Newest activity first; ``search`` matches the title or any message's text."""
        with self.db.session() as s:
            q = select(ChatSession).order_by(ChatSession.updated_at.desc(), ChatSession.id.desc())
            term = search.strip()
            if term:
                like = "%" + _escape_like(term) + "%"
                hits = select(ChatMessage.session_id).where(ChatMessage.content.like(like, escape="\\"))
                q = q.where(or_(ChatSession.title.like(like, escape="\\"), ChatSession.id.in_(hits)))
            return [_session(r) for r in s.scalars(q.limit(SEARCH_LIMIT))]

    def update_session(self, session_id: int, **changes: Any) -> SessionInfo:
        """Change title/model/adapter/system_prompt/mode, or merge ``params`` into the stored ones."""
        allowed = {"title", "model", "adapter", "system_prompt", "mode", "params", "project_id"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"unknown session fields: {sorted(unknown)}")
        with self.db.session() as s:
            row = _session_row(s, session_id)
            for key, value in changes.items():
                if key == "params":
                    merged = _loads(row.params_json)
                    merged.update(value)
                    row.params_json = json.dumps(merged)
                elif key == "title":
                    row.title = str(value).strip()[:200]
                else:
                    setattr(row, key, value)
            row.updated_at = utcnow()
            s.flush()
            return _session(row)

    def rename(self, session_id: int, title: str) -> SessionInfo:
        if not title.strip():
            raise UserError("A chat needs a title.", code="chat.title_empty")
        return self.update_session(session_id, title=title)

    def delete_session(self, session_id: int) -> None:
        with self.db.session() as s:
            s.execute(delete(ChatMessage).where(ChatMessage.session_id == session_id))
            s.execute(delete(ChatSession).where(ChatSession.id == session_id))

    # --- messages -------------------------------------------------------------------------------
    def messages(self, session_id: int) -> list[MessageInfo]:
        with self.db.session() as s:
            q = select(ChatMessage).where(ChatMessage.session_id == session_id).order_by(ChatMessage.id)
            return [_message(r) for r in s.scalars(q)]

    def get_message(self, message_id: int) -> MessageInfo:
        with self.db.session() as s:
            row = s.get(ChatMessage, message_id)
            if row is None:
                raise UserError(f"Message {message_id} does not exist.", code="chat.no_message",
                                params={"id": message_id})
            return _message(row)

    def add_message(self, session_id: int, role: str, content: str = "", *,
                    status: str = MessageStatus.COMPLETE.value, meta: dict | None = None) -> MessageInfo:
        if role not in {r.value for r in MessageRole}:
            raise ValueError(f"unknown role {role!r}")
        with self.db.session() as s:
            session = _session_row(s, session_id)
            row = ChatMessage(session_id=session_id, role=role, content=content, status=status,
                              meta_json=json.dumps(meta or {}, ensure_ascii=False))
            s.add(row)
            if role == MessageRole.USER.value and not session.title:
                session.title = title_from(content)
            session.updated_at = utcnow()
            s.flush()
            return _message(row)

    def update_message(self, message_id: int, *, content: str | None = None, status: str | None = None,
                       meta: dict | None = None) -> None:
        """Replace the text and/or status; ``meta`` is merged into the stored meta."""
        values: dict[str, Any] = {"updated_at": utcnow()}
        if content is not None:
            values["content"] = content
        if status is not None:
            values["status"] = status
        with self.db.session() as s:
            if meta:
                current = _loads(s.scalar(select(ChatMessage.meta_json).where(ChatMessage.id == message_id)))
                current.update(meta)
                values["meta_json"] = json.dumps(current, ensure_ascii=False)
            s.execute(update(ChatMessage).where(ChatMessage.id == message_id).values(**values))

    def delete_from(self, session_id: int, message_id: int) -> int:
        """Delete ``message_id`` and every later message of the session (edit-and-resend, regenerate)."""
        with self.db.session() as s:
            result = s.execute(delete(ChatMessage).where(ChatMessage.session_id == session_id,
                                                         ChatMessage.id >= message_id))
            return result.rowcount or 0

    def recover_interrupted(self) -> int:
        """Answers still ``streaming`` belong to a process that died: mark them ``interrupted``."""
        with self.db.session() as s:
            rows = list(s.scalars(select(ChatMessage).where(ChatMessage.status == MessageStatus.STREAMING.value)))
            for row in rows:
                row.status = MessageStatus.INTERRUPTED.value
                meta = _loads(row.meta_json)
                meta["interrupted_by"] = "crash"
                row.meta_json = json.dumps(meta, ensure_ascii=False)
            return len(rows)

    # --- what goes to the model -----------------------------------------------------------------
    def history(self, session_id: int, *, slot: str = "A", before: int | None = None) -> list[dict]:
        """The OpenAI ``messages`` for the next answer: the system prompt, then every user message and
        this slot's usable answers (errors and empty answers are left out; so are the other slot's)."""
        info = self.get_session(session_id)
        out: list[dict] = []
        if info.system_prompt.strip():
            out.append({"role": "system", "content": info.system_prompt})
        for m in self.messages(session_id):
            if before is not None and m.id >= before:
                break
            if m.role == MessageRole.USER.value:
                out.append({"role": "user", "content": m.content})
            elif m.role == MessageRole.ASSISTANT.value:
                if m.slot != slot or m.status == MessageStatus.ERROR.value or not m.content.strip():
                    continue
                out.append({"role": "assistant", "content": m.content})
        return out

    # --- export ---------------------------------------------------------------------------------
    def export_json(self, session_id: int) -> str:
        info = self.get_session(session_id)
        data = {"format": "ai-platform-chat", "version": 1, "title": info.title, "model": info.model,
                "adapter": info.adapter, "system_prompt": info.system_prompt, "params": info.params,
                "mode": info.mode, "created_at": info.created_at.isoformat(),
                "messages": [{"role": m.role, "content": m.content, "status": m.status, "meta": m.meta,
                              "created_at": m.created_at.isoformat() if m.created_at else None}
                             for m in self.messages(session_id)]}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    def export_markdown(self, session_id: int) -> str:
        info = self.get_session(session_id)
        target = info.model or "?"
        if info.adapter:
            target += f" + {info.adapter}"
        lines = [f"# {info.title or 'Chat'}", "", f"- Model: {target}",
                 f"- Created: {info.created_at:%Y-%m-%d %H:%M} UTC", ""]
        if info.system_prompt.strip():
            lines += ["## System", "", info.system_prompt.strip(), ""]
        for m in self.messages(session_id):
            heading = {"user": "User", "assistant": "Assistant", "tool": "Tool", "system": "System"}.get(m.role, m.role)
            if m.role == "assistant" and m.meta.get("model"):
                heading += f" ({m.meta['model']})"
            if m.status in (MessageStatus.INTERRUPTED.value, MessageStatus.ERROR.value):
                heading += f" [{m.status}]"
            lines += [f"## {heading}", "", m.content.strip() or "_(empty)_", ""]
            for i, c in enumerate(m.meta.get("citations") or [], 1):
                where = c.get("file", "")
                if c.get("page"):
                    where += f", p. {c['page']}"
                lines.append(f"[{c.get('n', i)}] {where}")
            if m.meta.get("citations"):
                lines.append("")
        return "\n".join(lines).rstrip() + "\n"


__all__ = ["ChatStore", "SessionInfo", "MessageInfo", "DEFAULT_PARAMS", "SAMPLING_KEYS", "title_from"]
