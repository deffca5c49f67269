"""room on each page for updates of problems and assignments (PostgreSQL fillfactor 85)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

A problem or assignment row is updated several times in its life (交办, 签收, 整改, 核查, each
escalation level).  With full pages every update writes a new row version on another page and
an entry in every index of the table (nine on ``problem``, four of them GIN): the first sweep
after an import spent a sixth of its time in ``UPDATE problem SET escalation``.  With 15 % of
each page free, an update of columns no index covers (escalation, version, …) stays on the page
and touches no index (a HOT update).  Applies to pages written from now on; an existing large
ledger gets it at its next ``VACUUM FULL`` or ``CLUSTER``.  SQLite has no such setting.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("problem", "assignment")
FILLFACTOR = 85


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
