"""信访 (issue 13): one row per petition with its statutory clock and its answers

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05

The complainant's name, phone and address are columns of ``petition`` only (masked for every
reader but the handling officer); ``hotline_no`` (the 12345/12369 work-order number) is unique
so a re-import is idempotent; ``tracking_code`` is what the complainant looks progress up by.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "petition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tracking_code", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("hotline_no", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("complainant_name", sa.String(length=64), nullable=True),
        sa.Column("complainant_phone", sa.String(length=32), nullable=True),
        sa.Column("complainant_address", sa.String(length=200), nullable=True),
        sa.Column("repeat_of_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_by", sa.Integer(), nullable=True),
        sa.Column("handler_id", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("due_rule", sa.String(length=48), nullable=True),
        sa.Column("due_reason", sa.String(length=300), nullable=True),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("intake_reason", sa.Text(), nullable=True),
        sa.Column("transferred_to", sa.String(length=100), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("extension_requested_by", sa.Integer(), nullable=True),
        sa.Column("extension_approved_by", sa.Integer(), nullable=True),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("satisfaction", sa.String(length=8), nullable=True),
        sa.Column("problem_ids", JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["division_code"], ["division.code"], name=op.f("fk_petition_division_code_division")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_petition_enterprise_id_enterprise")
        ),
        sa.ForeignKeyConstraint(
            ["repeat_of_id"], ["petition.id"], name=op.f("fk_petition_repeat_of_id_petition")
        ),
        sa.ForeignKeyConstraint(
            ["registered_by"],
            ["user_account.id"],
            name=op.f("fk_petition_registered_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["handler_id"], ["user_account.id"], name=op.f("fk_petition_handler_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["extension_requested_by"],
            ["user_account.id"],
            name=op.f("fk_petition_extension_requested_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["extension_approved_by"],
            ["user_account.id"],
            name=op.f("fk_petition_extension_approved_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition")),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_petition_tracking_code")),
        sa.UniqueConstraint("hotline_no", name=op.f("uq_petition_hotline_no")),
    )
    op.create_index(op.f("ix_petition_division_code"), "petition", ["division_code"])
    op.create_index(op.f("ix_petition_enterprise_id"), "petition", ["enterprise_id"])
    op.create_index(op.f("ix_petition_complainant_phone"), "petition", ["complainant_phone"])
    op.create_index(op.f("ix_petition_state"), "petition", ["state"])
    op.create_index(op.f("ix_petition_due_date"), "petition", ["due_date"])


def downgrade() -> None:
    op.drop_table("petition")
