"""The database schema: every table the app stores, as SQLAlchemy 2 typed declarative models.

Schema changes go only through Alembic migrations (``app/core/migrations``); a test checks that
upgrading an empty database to head gives exactly these models.

Conventions, and why:
- Timestamps are timezone-aware UTC ``datetime``s everywhere. SQLite has no time zone type, so
  ``UTCDateTime`` stores naive UTC text and hands back aware values; a naive datetime is refused
  rather than guessed at, because a local time stored as UTC is a silent, lasting bug.
- Status/kind columns are plain strings; the allowed values are the ``StrEnum``s below. No CHECK
  constraints: adding a status later should not need a table rebuild on SQLite.
- Integer primary keys use AUTOINCREMENT, so a deleted row's id is never reused: ids name folders
  (``kb/<kb-id>/``) and are held by open views.
- Deleting a parent never deletes what a person made elsewhere (runs, datasets, chats): those
  foreign keys are SET NULL. CASCADE only for rows that mean nothing alone (metrics, documents,
  messages).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names: SQLite batch migrations can only drop or alter a constraint by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_clock_lock = threading.Lock()
_last_now = datetime.min.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """Aware UTC now, strictly increasing within this process.

    Lists sort by ``updated_at``; on Windows the clock ticks every ~16 ms, so two quick edits
    would tie and the order would be arbitrary.
    """
    global _last_now
    with _clock_lock:
        now = datetime.now(UTC)
        if now <= _last_now:
            now = _last_now + timedelta(microseconds=1)
        _last_now = now
        return now


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on a database without time zones (stored as naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: use an aware UTC datetime (models.utcnow())")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


# --- allowed values of the string columns -------------------------------------------------------


class DatasetShape(StrEnum):
    ALPACA = "alpaca"
    SHAREGPT = "sharegpt"
    OPENAI = "openai"
    PREFERENCE = "preference"  # prompt / chosen / rejected pairs (DPO, ORPO)
    TEXT = "text"  # raw text (continued pretraining)


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    STOPPED = "stopped"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


class TrainMethod(StrEnum):
    LORA = "lora"
    QLORA = "qlora"


class ModelKind(StrEnum):
    BASE = "base"
    GGUF = "gguf"
    MERGED = "merged"
    QUANTIZED = "quantized"  # llm-compressor output (compressed-tensors), ai-platform quantize
    REMOTE = "remote"


class DocumentStatus(StrEnum):
    QUEUED = "queued"
    INDEXING = "indexing"
    INDEXED = "indexed"
    UNCHANGED = "unchanged"
    FAILED = "failed"


class ChatMode(StrEnum):
    CHAT = "chat"
    RAG = "rag"
    AGENT = "agent"


class MessageRole(StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"


class MessageStatus(StrEnum):
    COMPLETE = "complete"
    STREAMING = "streaming"
    INTERRUPTED = "interrupted"
    ERROR = "error"


# --- tables --------------------------------------------------------------------------------------

_AUTOINC = {"sqlite_autoincrement": True}


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (_AUTOINC,)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Dataset(Base):
    __tablename__ = "datasets"
    __table_args__ = (_AUTOINC,)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(Text)
    shape: Mapped[str] = mapped_column(String(32))  # DatasetShape
    n_records: Mapped[int] = mapped_column(default=0, server_default="0")
    n_errors: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Run(Base):
    """An index over ``runs/<id>/``; the run directory is the truth and can rebuild this row."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the run-id folder name
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    dataset_id: Mapped[int | None] = mapped_column(
        ForeignKey("datasets.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.QUEUED.value)  # RunStatus
    method: Mapped[str] = mapped_column(String(16))  # TrainMethod
    base_model: Mapped[str] = mapped_column(Text)
    run_dir: Mapped[str] = mapped_column(Text)
    pid: Mapped[int | None]
    config_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    last_step: Mapped[int] = mapped_column(default=0, server_default="0")
    total_steps: Mapped[int | None]
    final_loss: Mapped[float | None]
    best_loss: Mapped[float | None]
    adapter_path: Mapped[str | None] = mapped_column(Text)


class RunMetric(Base):
    __tablename__ = "run_metrics"
    # The unique constraint is also the index for "one metric of one run, by step" (SQLite backs
    # it with an index), so a second identical index would only slow down inserts.
    __table_args__ = (UniqueConstraint("run_id", "name", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    step: Mapped[int]
    name: Mapped[str] = mapped_column(String(64))
    value: Mapped[float]
    ts: Mapped[datetime] = mapped_column(default=utcnow)


class Model(Base):
    __tablename__ = "models"
    __table_args__ = (_AUTOINC,)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # ModelKind
    path: Mapped[str | None] = mapped_column(Text)  # None for a remote endpoint
    source: Mapped[str | None] = mapped_column(Text)  # hub id, URL or where it was imported from
    architecture: Mapped[str | None] = mapped_column(String(128))
    params: Mapped[int | None]  # parameter count
    dtype: Mapped[str | None] = mapped_column(String(32))
    quantization: Mapped[str | None] = mapped_column(String(32))
    context_length: Mapped[int | None]
    size_bytes: Mapped[int | None]
    trust_remote_code: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Adapter(Base):
    __tablename__ = "adapters"
    __table_args__ = (_AUTOINC,)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    model_id: Mapped[int | None] = mapped_column(
        ForeignKey("models.id", ondelete="SET NULL"), index=True
    )
    run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"), index=True)
    path: Mapped[str] = mapped_column(Text)
    rank: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KnowledgeBase(Base):
    __tablename__ = "knowledge_bases"
    __table_args__ = (_AUTOINC,)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    embedding_model: Mapped[str] = mapped_column(Text)
    chunk_size: Mapped[int]
    chunk_overlap: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # "faiss" (files in kb/<id>/) or "milvus" (Milvus Lite in kb/<id>/milvus.db, or store_uri).
    vector_store: Mapped[str] = mapped_column(String(16), default="faiss", server_default="faiss")
    store_uri: Mapped[str | None] = mapped_column(Text, default=None)
    # Folders the base follows (a JSON list of absolute paths): synced at start and on changes.
    follow_folders: Mapped[str | None] = mapped_column(Text, default=None)


class Document(Base):
    __tablename__ = "documents"
    # The unique constraint also serves "documents of one knowledge base" lookups.
    __table_args__ = (UniqueConstraint("kb_id", "path"), _AUTOINC)

    id: Mapped[int] = mapped_column(primary_key=True)
    kb_id: Mapped[int] = mapped_column(ForeignKey("knowledge_bases.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default=DocumentStatus.QUEUED.value)
    error: Mapped[str | None] = mapped_column(Text)
    n_chunks: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The person's metadata (migration 0005): tags as a JSON list, where it came from, its date.
    tags: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    doc_date: Mapped[str | None] = mapped_column(String(10))


class ChatSession(Base):
    __tablename__ = "chat_sessions"
    __table_args__ = (_AUTOINC,)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200), default="")
    model: Mapped[str | None] = mapped_column(Text)  # a model name, or a remote endpoint's model id
    adapter: Mapped[str | None] = mapped_column(Text)
    system_prompt: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    params_json: Mapped[str] = mapped_column(Text, default="{}")
    mode: Mapped[str] = mapped_column(String(16), default=ChatMode.CHAT.value)  # ChatMode
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ChatMessage(Base):
    __tablename__ = "chat_messages"
    # One session's messages, in order: the query the chat panel makes on every open.
    __table_args__ = (Index("ix_chat_messages_session_id_id", "session_id", "id"), _AUTOINC)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("chat_sessions.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))  # MessageRole
    content: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=MessageStatus.COMPLETE.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    meta_json: Mapped[str] = mapped_column(Text, default="{}")  # citations, token counts, tool calls


class Evaluation(Base):
    """One evaluation: a run's adapter against its base (``kind`` "run"), or a knowledge base on a
    question set (``kind`` "rag"). The whole result is a JSON file in the run folder's ``eval/``
    (``path``); the columns here are what lists and the regression mark need."""

    __tablename__ = "evaluations"
    __table_args__ = (_AUTOINC,)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # run | rag
    run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    kb_id: Mapped[int | None] = mapped_column(ForeignKey("knowledge_bases.id", ondelete="CASCADE"), index=True)
    set_path: Mapped[str] = mapped_column(Text, default="")
    n_samples: Mapped[int] = mapped_column(default=0, server_default="0")
    base_loss: Mapped[float | None]
    adapter_loss: Mapped[float | None]
    regression: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    summary_json: Mapped[str] = mapped_column(Text, default="{}")  # the result without its samples
    path: Mapped[str | None] = mapped_column(Text)  # the full result's file
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Memory(Base):
    """One long-term memory entry: a short fact the agent saved (``remember``) or the user typed,
    read back by ``recall`` and shown in the Memory dialog / ``ai-platform memory``. ``namespace``
    keeps separate memories apart ("default" unless a caller says otherwise)."""

    __tablename__ = "memories"
    __table_args__ = (_AUTOINC,)

    id: Mapped[int] = mapped_column(primary_key=True)
    namespace: Mapped[str] = mapped_column(String(128), default="default", server_default="default", index=True)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), default="agent", server_default="agent")  # agent | user
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
