"""memories: the agent's long-term memory (short facts it saved, or the user typed)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

Frozen history: plain SQLAlchemy types only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "memories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("namespace", sa.String(length=128), server_default="default", nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), server_default="agent", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memories")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_memories_namespace"), "memories", ["namespace"])


def downgrade() -> None:
    op.drop_index(op.f("ix_memories_namespace"), table_name="memories")
    op.drop_table("memories")
