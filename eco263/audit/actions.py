"""Append to the audit chain (审计链) inside the caller's transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from eco263.audit.models import AuditEvent, AuditHead
from eco263.context import Change
from eco263.db import insert_many

GENESIS = "0" * 64


def jsonable(value: Any) -> Any:
    """Make a value canonical-JSON safe: dates as ISO text, enums as their value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _fields(seq: int, at: datetime, change: Change) -> dict[str, Any]:
    """The hashed fields of an event, as stored (``at`` stays a datetime here)."""
    return {
        "seq": seq,
        "at": at,
        "actor_id": change.actor_id,
        "actor_name": change.actor_name,
        "action": change.action,
        "subject_type": change.subject_type,
        "subject_id": change.subject_id,
        "before": change.before,
        "after": change.after,
    }


def canonical(seq: int, at: datetime, change: Change) -> str:
    """The hashed text of an event (docs/audit-chain.md): its nine fields as JSON, keys
    sorted at every level, no spaces, non-ASCII as is; ``at`` in ISO 8601."""
    body = _fields(seq, at, change) | {"at": at.isoformat()}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_hash(prev_hash: str, seq: int, at: datetime, change: Change) -> str:
    """SHA-256 over the previous hash and the event's canonical JSON, as UTF-8."""
    return hashlib.sha256((prev_hash + canonical(seq, at, change)).encode("utf-8")).hexdigest()


class ChainHead(NamedTuple):
    seq: int
    hash: str


def record(session: Session, change: Change, *, at: datetime) -> ChainHead:
    """Append one event; see :func:`record_many`."""
    return record_many(session, [change], at=at)


def record_many(session: Session, changes: Sequence[Change], *, at: datetime) -> ChainHead:
    """Append events in order, in the caller's transaction.

    The head row is bumped with an UPDATE first: that takes the row lock on
    PostgreSQL (and the write lock on SQLite) so concurrent appenders queue here
    and the chain never forks.  If the caller's transaction rolls back, the
    events and the head move vanish together.  Returns the new head of the chain.
    """
    normalised = [_normalise(c) for c in changes]
    at = at.astimezone(UTC)  # hashed as read back: UTC, "+00:00" (docs/audit-chain.md)
    session.flush()
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 0))
    head = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
    seq, prev = int(head.seq), str(head.hash)
    rows: list[dict[str, Any]] = []
    for change in normalised:
        seq += 1
        digest = event_hash(prev, seq, at, change)
        rows.append(_row(seq, at, change, prev, digest))
        prev = digest
    if rows:
        insert_many(session, AuditEvent, rows)
        session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, hash=prev))
    return ChainHead(seq, prev)


def _normalise(change: Change) -> Change:
    return Change(
        actor_id=change.actor_id,
        actor_name=change.actor_name,
        action=change.action,
        subject_type=change.subject_type,
        subject_id=str(change.subject_id),
        before=jsonable(change.before),
        after=jsonable(change.after),
    )


def _row(seq: int, at: datetime, change: Change, prev: str, digest: str) -> dict[str, Any]:
    return _fields(seq, at, change) | {"prev_hash": prev, "hash": digest}


def ensure_head(session: Session) -> None:
    """Create the genesis head row if the chain is new (migrations also insert it)."""
    if session.get(AuditHead, 1) is None:
        session.add(AuditHead(id=1, seq=0, hash=GENESIS))
        session.flush()
