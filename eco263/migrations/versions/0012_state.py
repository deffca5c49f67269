"""one word for a record's lifecycle (issue 11): ``state``

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

The ledger and the outbox already call a record's place in its lifecycle ``state``; the alarm
and the clue called it ``status``.  ``alarm.status`` → ``alarm.state``, ``clue.status`` →
``clue.state``, ``clue.status_changed_at`` → ``clue.state_changed_at``, and the clue's
history ``clue_status_change`` → ``clue_state_change`` (rows copied in id order).  ``status``
stays where it names a measured condition (a monitoring point online/offline) and on the wire
of the 智慧监督 platform, whose protocol is not ours to rename.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _history_table(name: str, column: str) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clue_id", sa.Integer(), nullable=False),
        sa.Column(column, sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["clue_id"], ["clue.id"], name=op.f(f"fk_{name}_clue_id_clue")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    op.create_index(op.f(f"ix_{name}_clue_id"), name, ["clue_id"], unique=False)


def _move_history(old: str, old_column: str, new: str, new_column: str) -> None:
    _history_table(new, new_column)
    columns = "id, clue_id, {}, note, source, at"
    copy = "INSERT INTO {} ({}) SELECT {} FROM {} ORDER BY id"
    op.execute(copy.format(new, columns.format(new_column), columns.format(old_column), old))
    if op.get_bind().dialect.name == "postgresql":
        restart = "SELECT setval(pg_get_serial_sequence('{0}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {0}"
        op.execute(restart.format(new))
    op.drop_index(op.f(f"ix_{old}_clue_id"), table_name=old)
    op.drop_table(old)


def upgrade() -> None:
    with op.batch_alter_table("alarm", schema=None) as batch_op:
        batch_op.alter_column("status", new_column_name="state")
    with op.batch_alter_table("clue", schema=None) as batch_op:
        batch_op.alter_column("status", new_column_name="state")
        batch_op.alter_column("status_changed_at", new_column_name="state_changed_at")
    _move_history("clue_status_change", "status", "clue_state_change", "state")


def downgrade() -> None:
    _move_history("clue_state_change", "state", "clue_status_change", "status")
    with op.batch_alter_table("clue", schema=None) as batch_op:
        batch_op.alter_column("state_changed_at", new_column_name="status_changed_at")
        batch_op.alter_column("state", new_column_name="status")
    with op.batch_alter_table("alarm", schema=None) as batch_op:
        batch_op.alter_column("state", new_column_name="status")
