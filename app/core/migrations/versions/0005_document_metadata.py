"""documents.tags / source / doc_date: a document's metadata, set by the person (Knowledge panel,
`kb meta`) and used to filter queries. tags: a JSON list; doc_date: YYYY-MM-DD.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

Frozen history: plain SQLAlchemy types only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("tags", sa.Text(), nullable=True))
        batch.add_column(sa.Column("source", sa.Text(), nullable=True))
        batch.add_column(sa.Column("doc_date", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("doc_date")
        batch.drop_column("source")
        batch.drop_column("tags")
