"""evaluations: a run's adapter against its base, or a knowledge base on a question set

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

Frozen history: plain SQLAlchemy types only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.Column("kb_id", sa.Integer(), nullable=True),
        sa.Column("set_path", sa.Text(), nullable=False),
        sa.Column("n_samples", sa.Integer(), server_default="0", nullable=False),
        sa.Column("base_loss", sa.Double(), nullable=True),
        sa.Column("adapter_loss", sa.Double(), nullable=True),
        sa.Column("regression", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("summary_json", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_evaluations_run_id_runs"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["kb_id"], ["knowledge_bases.id"],
                                name=op.f("fk_evaluations_kb_id_knowledge_bases"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluations")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_evaluations_run_id"), "evaluations", ["run_id"])
    op.create_index(op.f("ix_evaluations_kb_id"), "evaluations", ["kb_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_evaluations_kb_id"), table_name="evaluations")
    op.drop_index(op.f("ix_evaluations_run_id"), table_name="evaluations")
    op.drop_table("evaluations")
