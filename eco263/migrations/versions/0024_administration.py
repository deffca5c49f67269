"""系统管理: a user may be made to change the password at the next login; a unit may be
deactivated (it keeps its history but takes no new work).

Revision ID: 0024
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("organization") as batch:
        batch.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("organization") as batch:
        batch.drop_column("active")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("must_change_password")
