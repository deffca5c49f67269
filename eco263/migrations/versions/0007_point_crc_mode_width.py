"""monitoring_point.crc_mode wide enough for every CRC mode (VARCHAR 16 -> 32)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

``accept_modbus_swapped`` (21 characters) and ``accept_modbus_plain`` (19) never fitted the
16-character column: PostgreSQL refused to register a point with either (SQLite does not
enforce lengths). On SQLite the table is rebuilt (batch mode), with foreign keys off and
checked before the commit (``env.py``), as SQLite prescribes for a table change.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _width(old: int, new: int) -> None:
    with op.batch_alter_table("monitoring_point", schema=None) as batch_op:
        batch_op.alter_column(
            "crc_mode",
            existing_type=sa.String(length=old),
            type_=sa.String(length=new),
            existing_nullable=False,
        )


def upgrade() -> None:
    _width(16, 32)


def downgrade() -> None:
    _width(32, 16)
