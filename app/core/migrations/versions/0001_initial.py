"""initial schema: projects, datasets, runs and metrics, models, adapters, knowledge bases, chats

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Frozen history: plain SQLAlchemy types only, no imports from the app's models (which will change).
Timestamps are DATETIME holding naive UTC (the models' UTCDateTime); every integer id table except
run_metrics uses AUTOINCREMENT so ids are never reused.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _pk("projects"),
        sa.UniqueConstraint("name", name=op.f("uq_projects_name")),
        sqlite_autoincrement=True,
    )

    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("shape", sa.String(length=32), nullable=False),
        sa.Column("n_records", sa.Integer(), server_default="0", nullable=False),
        sa.Column("n_errors", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("datasets", "project_id", "projects", "SET NULL"),
        _pk("datasets"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_datasets_project_id"), "datasets", ["project_id"])

    op.create_table(
        "runs",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("base_model", sa.Text(), nullable=False),
        sa.Column("run_dir", sa.Text(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("config_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("last_step", sa.Integer(), server_default="0", nullable=False),
        sa.Column("total_steps", sa.Integer(), nullable=True),
        sa.Column("final_loss", sa.Double(), nullable=True),
        sa.Column("best_loss", sa.Double(), nullable=True),
        sa.Column("adapter_path", sa.Text(), nullable=True),
        _fk("runs", "dataset_id", "datasets", "SET NULL"),
        _fk("runs", "project_id", "projects", "SET NULL"),
        _pk("runs"),
    )
    op.create_index(op.f("ix_runs_dataset_id"), "runs", ["dataset_id"])
    op.create_index(op.f("ix_runs_project_id"), "runs", ["project_id"])

    op.create_table(
        "run_metrics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("ts", sa.DateTime(), nullable=False),
        _fk("run_metrics", "run_id", "runs", "CASCADE"),
        _pk("run_metrics"),
        # Also the index for "one metric of one run, by step".
        sa.UniqueConstraint("run_id", "name", "step", name=op.f("uq_run_metrics_run_id_name_step")),
    )

    op.create_table(
        "models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("architecture", sa.String(length=128), nullable=True),
        sa.Column("params", sa.Integer(), nullable=True),
        sa.Column("dtype", sa.String(length=32), nullable=True),
        sa.Column("quantization", sa.String(length=32), nullable=True),
        sa.Column("context_length", sa.Integer(), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("trust_remote_code", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _pk("models"),
        sa.UniqueConstraint("name", name=op.f("uq_models_name")),
        sqlite_autoincrement=True,
    )

    op.create_table(
        "adapters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("adapters", "model_id", "models", "SET NULL"),
        _fk("adapters", "run_id", "runs", "SET NULL"),
        _pk("adapters"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_adapters_model_id"), "adapters", ["model_id"])
    op.create_index(op.f("ix_adapters_run_id"), "adapters", ["run_id"])

    op.create_table(
        "knowledge_bases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("embedding_model", sa.Text(), nullable=False),
        sa.Column("chunk_size", sa.Integer(), nullable=False),
        sa.Column("chunk_overlap", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _pk("knowledge_bases"),
        sa.UniqueConstraint("name", name=op.f("uq_knowledge_bases_name")),
        sqlite_autoincrement=True,
    )

    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kb_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("n_chunks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _fk("documents", "kb_id", "knowledge_bases", "CASCADE"),
        _pk("documents"),
        sa.UniqueConstraint("kb_id", "path", name=op.f("uq_documents_kb_id_path")),
        sqlite_autoincrement=True,
    )

    op.create_table(
        "chat_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("adapter", sa.Text(), nullable=True),
        sa.Column("system_prompt", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("params_json", sa.Text(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _fk("chat_sessions", "project_id", "projects", "SET NULL"),
        _pk("chat_sessions"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_chat_sessions_project_id"), "chat_sessions", ["project_id"])

    op.create_table(
        "chat_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("meta_json", sa.Text(), nullable=False),
        _fk("chat_messages", "session_id", "chat_sessions", "CASCADE"),
        _pk("chat_messages"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_chat_messages_session_id_id"), "chat_messages", ["session_id", "id"])


def downgrade() -> None:
    # Children first; a table's indexes go with it.
    for table in (
        "chat_messages",
        "chat_sessions",
        "documents",
        "knowledge_bases",
        "adapters",
        "models",
        "run_metrics",
        "runs",
        "datasets",
        "projects",
    ):
        op.drop_table(table)
