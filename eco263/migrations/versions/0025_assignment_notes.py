"""a unit's 整改情况 and the office's 核查意见 on its assignment (issue 16)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05

The unit's latest rectification note and the latest 核查/退回 note were only in the audit
chain; the assignment now carries them, so that the detail page, the export and the printed
销号单 read them from the row.  Existing assignments are filled from their audit events
(``assignment.submit`` → ``rectification_note``; ``assignment.verify``/``assignment.return``
→ ``review_note``), the latest event of each kind winning.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDIT = sa.table(
    "audit_event",
    sa.column("seq", sa.BigInteger),
    sa.column("action", sa.String),
    sa.column("after", sa.JSON),
)
ASSIGNMENT = sa.table(
    "assignment",
    sa.column("id", sa.Integer),
    sa.column("rectification_note", sa.String),
    sa.column("review_note", sa.String),
)
COLUMN_OF = {
    "assignment.submit": "rectification_note",
    "assignment.verify": "review_note",
    "assignment.return": "review_note",
}


def upgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.add_column(sa.Column("rectification_note", sa.String(length=2000), nullable=True))
        batch.add_column(sa.Column("review_note", sa.String(length=2000), nullable=True))
    bind = op.get_bind()
    latest: dict[tuple[int, str], str] = {}
    rows = bind.execute(
        sa.select(AUDIT.c.action, AUDIT.c.after)
        .where(AUDIT.c.action.in_(list(COLUMN_OF)))
        .order_by(AUDIT.c.seq)
    )
    for action, after in rows:
        values: Any = after or {}
        assignment_id, note = values.get("assignment_id"), values.get("note")
        if isinstance(assignment_id, int) and note:
            latest[(assignment_id, COLUMN_OF[action])] = str(note)
    for (assignment_id, column), note in latest.items():
        bind.execute(
            sa.update(ASSIGNMENT)
            .where(ASSIGNMENT.c.id == assignment_id)
            .values({column: note[:2000]})
        )


def downgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.drop_column("review_note")
        batch.drop_column("rectification_note")
