"""ledger and dashboard page indexes (issue 6): aggregates, deadline sort, text search

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

- ``ix_problem_stats`` (division, state, due date, closed at): the dashboard's per-division
  figures read this index only (index-only scan) instead of the wide problem rows.
- ``ix_problem_due`` (due date, id): the ledger sorted by deadline walks it in order.
- ``ix_problem_<column>_trgm`` on title, description, location, water body: the ledger's
  ``LIKE '%…%'`` search uses pg_trgm GIN indexes on PostgreSQL (a search term of three or
  more characters; a two-character term still scans).  SQLite gets plain indexes of the same
  names so that the models and the history agree; it does not use them for the search.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT_COLUMNS = ("title", "description", "location", "water_body")


def upgrade() -> None:
    op.create_index(
        "ix_problem_stats", "problem", ["division_code", "state", "due_date", "closed_at"]
    )
    op.create_index("ix_problem_due", "problem", ["due_date", "id"])
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in TEXT_COLUMNS:
        if postgres:
            op.create_index(
                f"ix_problem_{column}_trgm",
                "problem",
                [column],
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            )
        else:
            op.create_index(f"ix_problem_{column}_trgm", "problem", [column])


def downgrade() -> None:
    for column in reversed(TEXT_COLUMNS):
        op.drop_index(f"ix_problem_{column}_trgm", table_name="problem")
    op.drop_index("ix_problem_due", table_name="problem")
    op.drop_index("ix_problem_stats", table_name="problem")
    # pg_trgm stays: dropping an extension is the database owner's call, not a migration's.
