"""263 assessment (issue 15): versioned schemes, stored scores with their facts, entered values

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "assessment_scheme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=24), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("spec", JSON, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_assessment_scheme_created_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_scheme")),
        sa.UniqueConstraint("year", "level", "version", name=op.f("uq_assessment_scheme_year")),
    )
    op.create_table(
        "assessment_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("computed_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["assessment_scheme.id"],
            name=op.f("fk_assessment_score_scheme_id_assessment_scheme"),
        ),
        sa.ForeignKeyConstraint(
            ["division_code"],
            ["division.code"],
            name=op.f("fk_assessment_score_division_code_division"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_score")),
        sa.UniqueConstraint(
            "scheme_id", "period", "division_code", name=op.f("uq_assessment_score_scheme_id")
        ),
    )
    for column in ("scheme_id", "division_code"):
        op.create_index(
            op.f(f"ix_assessment_score_{column}"), "assessment_score", [column], unique=False
        )
    op.create_table(
        "assessment_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("entered_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["assessment_scheme.id"],
            name=op.f("fk_assessment_value_scheme_id_assessment_scheme"),
        ),
        sa.ForeignKeyConstraint(
            ["division_code"],
            ["division.code"],
            name=op.f("fk_assessment_value_division_code_division"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_value")),
        sa.UniqueConstraint(
            "scheme_id",
            "period",
            "division_code",
            "indicator",
            name=op.f("uq_assessment_value_scheme_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("assessment_value")
    for column in ("scheme_id", "division_code"):
        op.drop_index(op.f(f"ix_assessment_score_{column}"), table_name="assessment_score")
    op.drop_table("assessment_score")
    op.drop_table("assessment_scheme")
