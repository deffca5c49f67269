"""The audit chain as JSON lines, for anyone to recompute (docs/audit-chain.md).

One event per line, with every hashed field, ``prev_hash`` and ``hash``: a checker needs
only ``json`` and ``hashlib``.  Rows are streamed in ``seq`` order (``yield_per``: a
server-side cursor on PostgreSQL), so a chain of millions of events is exported in
bounded memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from eco263.audit.models import AuditEvent

#: The fields that are hashed, in the order an exported line lists them.
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "subject_type",
    "subject_id",
    "before",
    "after",
)

_COLUMNS = [getattr(AuditEvent, name) for name in (*HASHED_FIELDS, "prev_hash", "hash")]


def exported(row: Row[Any]) -> dict[str, Any]:
    """One event as exported: the hashed fields (``at`` as hashed, ISO 8601), then the links."""
    record = dict(row._mapping)
    record["at"] = row.at.isoformat()
    return record


def export_lines(session: Session, *, from_seq: int = 1, batch: int = 2000) -> Iterator[str]:
    """JSON lines (no trailing newline) of the events from ``from_seq`` on, in order."""
    statement = (
        select(*_COLUMNS)
        .where(AuditEvent.seq >= from_seq)
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=batch)
    )
    for row in session.execute(statement):
        yield json.dumps(exported(row), ensure_ascii=False, separators=(",", ":"))


def count_from(session: Session, from_seq: int) -> int:
    """How many events an export from ``from_seq`` will write (for the progress bar)."""
    counted = select(func.count()).select_from(AuditEvent).where(AuditEvent.seq >= from_seq)
    return int(session.scalar(counted) or 0)
