"""What the dashboard shows about knowledge bases and chats, read without Qt (no SQL in views)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.core.db.models import (
    ChatMessage,
    ChatSession,
    Document,
    DocumentStatus,
    KnowledgeBase,
)


@dataclass(frozen=True)
class KnowledgeSummary:
    id: int
    name: str
    documents: int
    indexed: int
    failed: int


@dataclass(frozen=True)
class ChatSummary:
    id: int
    title: str
    model: str | None
    messages: int
    updated_at: datetime | None


def knowledge_bases(db) -> list[KnowledgeSummary]:
    """Every knowledge base with its document counts (all, indexed, failed), by name."""
    with db.session() as s:
        rows = s.execute(
            select(KnowledgeBase.id, KnowledgeBase.name, Document.status, func.count(Document.id))
            .outerjoin(Document, Document.kb_id == KnowledgeBase.id)
            .group_by(KnowledgeBase.id, KnowledgeBase.name, Document.status)
            .order_by(KnowledgeBase.name)).all()
    found: dict[int, dict] = {}
    for kb_id, name, status, n in rows:
        entry = found.setdefault(kb_id, {"name": name, "documents": 0, "indexed": 0, "failed": 0})
        if status is None:
            continue
        entry["documents"] += n
        if status in (DocumentStatus.INDEXED, DocumentStatus.UNCHANGED):
            entry["indexed"] += n
        elif status == DocumentStatus.FAILED:
            entry["failed"] += n
    return [KnowledgeSummary(kb_id, **v) for kb_id, v in found.items()]


def recent_chats(db, limit: int = 5) -> list[ChatSummary]:
    """The chats touched last, newest first, with their message counts."""
    with db.session() as s:
        counts = (select(ChatMessage.session_id, func.count(ChatMessage.id).label("n"))
                  .group_by(ChatMessage.session_id).subquery())
        rows = s.execute(
            select(ChatSession.id, ChatSession.title, ChatSession.model, ChatSession.updated_at,
                   func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.session_id == ChatSession.id)
            .order_by(ChatSession.updated_at.desc(), ChatSession.id.desc()).limit(limit)).all()
    return [ChatSummary(i, t or "", m, n, u) for i, t, m, u, n in rows]
