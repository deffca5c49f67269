"""the province's published 263 scores of the cities (issue 15): ``assessment_province_score``

Revision ID: 0028
Revises: 0027
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessment_province_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("city", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["imported_by"],
            ["user_account.id"],
            name=op.f("fk_assessment_province_score_imported_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_province_score")),
        sa.UniqueConstraint("year", "city", name=op.f("uq_assessment_province_score_year")),
    )


def downgrade() -> None:
    op.drop_table("assessment_province_score")
