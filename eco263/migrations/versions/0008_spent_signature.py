"""replay window of the signed docking: spent_signature

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

Every signed request eco263 has answered from the 智慧监督 platform leaves its signature
here until its timestamp leaves the skew window; the same signature again in that time is
refused as a replay, before the idempotency keys are consulted (issue #10, item 3).  Rows
past ``expires_at`` are purged by the writes that follow, so the table stays small.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "spent_signature",
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("spent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("signature", name=op.f("pk_spent_signature")),
    )
    op.create_index(
        op.f("ix_spent_signature_expires_at"), "spent_signature", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_spent_signature_expires_at"), table_name="spent_signature")
    op.drop_table("spent_signature")
