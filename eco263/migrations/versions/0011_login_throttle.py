"""login throttling (issue 10): failed logins per username and per client address

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

One row per throttled key: ``scope`` is ``user`` or ``address``, ``failures`` counts the
failed logins since ``window_start``, ``locked_until`` is set when the count reaches the
limit (the login answers 429 with Retry-After until then).  In the database so that every
worker of a deployment shares the counts.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_throttle")),
        sa.UniqueConstraint("scope", "key", name=op.f("uq_login_throttle_scope")),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
