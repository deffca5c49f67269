"""whole-process records (issue 12, 全过程记录): ``case_record``

Revision ID: 0022
Revises: 0021

One on-site act of a penalty case — a 现场检查（勘察）笔录 or a 调查询问笔录 — with its officers
and their 执法证 numbers (JSON, at least two), the time, the place and its coordinates, the
party present and the record's structured content (JSON).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "case_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("party_present", sa.String(length=64), nullable=False),
        sa.Column("party_role", sa.String(length=32), nullable=False),
        sa.Column("officers", JSON, nullable=False),
        sa.Column("content", JSON, nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["penalty_case.id"], name=op.f("fk_case_record_case_id_penalty_case")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["user_account.id"],
            name=op.f("fk_case_record_recorded_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_record")),
    )
    op.create_index(op.f("ix_case_record_case_id"), "case_record", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_case_record_case_id"), table_name="case_record")
    op.drop_table("case_record")
