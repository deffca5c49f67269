"""deadline basis: the catalogue rule and start day a deadline was computed from

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

A deadline computed by a rule of the time-limit catalogue (eco263/deadlines.py) keeps the rule's
key and the day it runs from, so that ``eco263 workdays recompute`` can compute it again when
the calendar changes (a new year's holidays, the provisional year confirmed, the office's file
edited).  Dates set by hand (and approved extensions) keep no rule and never move.  Rows made
before this revision have none either: they are not recomputed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("problem", "assignment"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("due_rule", sa.String(length=64), nullable=True))
            batch.add_column(sa.Column("due_start", sa.Date(), nullable=True))


def downgrade() -> None:
    for table in ("assignment", "problem"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("due_start")
            batch.drop_column("due_rule")
