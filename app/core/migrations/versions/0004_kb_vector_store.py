"""knowledge_bases.vector_store / store_uri: where a base's vectors live (faiss or Milvus);
knowledge_bases.follow_folders: the folders a base follows (JSON list)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04

Frozen history: plain SQLAlchemy types only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("knowledge_bases") as batch:
        batch.add_column(sa.Column("vector_store", sa.String(length=16), server_default="faiss", nullable=False))
        batch.add_column(sa.Column("store_uri", sa.Text(), nullable=True))
        batch.add_column(sa.Column("follow_folders", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("knowledge_bases") as batch:
        batch.drop_column("follow_folders")
        batch.drop_column("store_uri")
        batch.drop_column("vector_store")
