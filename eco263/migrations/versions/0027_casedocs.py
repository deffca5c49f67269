"""evidence list of a penalty case (issue 12, 证据清单): ``case_evidence``

Revision ID: 0027
Revises: 0026

One evidence item of a case: kind, title, source, who collected it and when, linked to an
on-site record of the case and/or a file in the content-addressed store (SHA-256).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("collected_by", sa.String(length=100), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["penalty_case.id"], name=op.f("fk_case_evidence_case_id_penalty_case")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["case_record.id"], name=op.f("fk_case_evidence_record_id_case_record")
        ),
        sa.ForeignKeyConstraint(
            ["added_by"], ["user_account.id"], name=op.f("fk_case_evidence_added_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_evidence")),
    )
    op.create_index(op.f("ix_case_evidence_case_id"), "case_evidence", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_case_evidence_case_id"), table_name="case_evidence")
    op.drop_table("case_evidence")
