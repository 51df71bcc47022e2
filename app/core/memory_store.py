"""Long-term memory: short facts the agent saved with ``remember`` (or the user typed), kept in the
app database's ``memories`` table, read back with ``recall`` and shown to the user to edit or delete.

``MemoryStore(db)``: ``put(text)`` adds an entry, ``get(id)``, ``search(query)`` (entries sharing the
most words with the query, newest first among equals; CJK text is compared per character), ``edit``,
``delete``, ``list`` and ``clear``. Entries leave this module as ``MemoryEntry`` snapshots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from app.core.db.models import Memory, utcnow
from app.core.errors import UserError

DEFAULT_NAMESPACE = "default"
MAX_TEXT_CHARS = 2_000  # a memory is a short fact, not a document

_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]|[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class MemoryEntry:
    id: int
    namespace: str
    text: str
    source: str
    created_at: datetime | None
    updated_at: datetime | None

    def as_dict(self) -> dict:
        return {"id": self.id, "namespace": self.namespace, "text": self.text, "source": self.source,
                "created_at": self.created_at.isoformat() if self.created_at else None,
                "updated_at": self.updated_at.isoformat() if self.updated_at else None}


def _entry(row: Memory) -> MemoryEntry:
    return MemoryEntry(row.id, row.namespace, row.text, row.source, row.created_at, row.updated_at)


def words(text: str) -> set[str]:
    """Lower-cased words; each CJK character counts as a word (no spaces between them)."""
    return {w.lower() for w in _WORD.findall(text or "")}


def _clean(text: str) -> str:
    text = " ".join(str(text or "").split())
    if not text:
        raise UserError("A memory needs some text.", code="memory.empty")
    if len(text) > MAX_TEXT_CHARS:
        raise UserError(f"A memory can have at most {MAX_TEXT_CHARS} characters.", code="memory.too_long",
                        params={"max": MAX_TEXT_CHARS})
    return text


class MemoryStore:
    def __init__(self, db, namespace: str = DEFAULT_NAMESPACE):
        self.db = db
        self.namespace = namespace

    def put(self, text: str, source: str = "agent") -> MemoryEntry:
        """Add a fact; the same text saved again gives back the existing entry (touched, not doubled)."""
        text = _clean(text)
        with self.db.session() as s:
            row = s.scalars(select(Memory).where(Memory.namespace == self.namespace, Memory.text == text)).first()
            if row is None:
                now = utcnow()
                row = Memory(namespace=self.namespace, text=text, source=source, created_at=now, updated_at=now)
                s.add(row)
            else:
                row.updated_at = utcnow()
            s.flush()
            return _entry(row)

    def get(self, memory_id: int) -> MemoryEntry | None:
        with self.db.session() as s:
            row = s.get(Memory, int(memory_id))
            return _entry(row) if row is not None and row.namespace == self.namespace else None

    def edit(self, memory_id: int, text: str) -> MemoryEntry:
        text = _clean(text)
        with self.db.session() as s:
            row = s.get(Memory, int(memory_id))
            if row is None or row.namespace != self.namespace:
                raise UserError(f"There is no memory {memory_id}.", code="memory.not_found",
                                params={"id": memory_id})
            row.text = text
            row.updated_at = utcnow()
            s.flush()
            return _entry(row)

    def delete(self, memory_id: int) -> bool:
        """True if an entry went; False if there was none with that id."""
        with self.db.session() as s:
            row = s.get(Memory, int(memory_id))
            if row is None or row.namespace != self.namespace:
                return False
            s.delete(row)
            return True

    def clear(self) -> int:
        """Delete every entry of this namespace; how many went."""
        with self.db.session() as s:
            return s.execute(delete(Memory).where(Memory.namespace == self.namespace)).rowcount or 0

    def list(self) -> list[MemoryEntry]:
        """Newest first."""
        with self.db.session() as s:
            rows = s.scalars(select(Memory).where(Memory.namespace == self.namespace)
                             .order_by(Memory.updated_at.desc(), Memory.id.desc()))
            return [_entry(r) for r in rows]

    def search(self, query: str, limit: int = 5) -> list[MemoryEntry]:
        """Entries sharing words with ``query``, most shared first (newest among equals); an empty
        query gives the newest entries."""
        entries = self.list()
        wanted = words(query)
        if not wanted:
            return entries[:limit]
        scored = [(len(wanted & words(e.text)), i, e) for i, e in enumerate(entries)]
        scored = [x for x in scored if x[0] > 0]
        scored.sort(key=lambda x: (-x[0], x[1]))
        return [e for _, _, e in scored[:limit]]
