"""What someone with write access to the database can do to the audit chain without
`audit verify` noticing: rewrite an event and every hash after it, and move the head."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update

from eco263.audit.actions import Change, event_hash
from eco263.audit.models import AuditEvent, AuditHead
from eco263.runtime import Runtime


def rewrite_tail(rt: Runtime, seq: int, **changes: Any) -> None:
    """Change event ``seq`` (``changes`` are column values) and rehash it and all after it."""
    with rt.sessions() as s, s.begin():
        events = list(
            s.scalars(select(AuditEvent).where(AuditEvent.seq >= seq).order_by(AuditEvent.seq))
        )
        for name, value in changes.items():
            setattr(events[0], name, value)
        prev = events[0].prev_hash
        for e in events:
            change = Change(
                e.actor_id, e.actor_name, e.action, e.subject_type, e.subject_id, e.before, e.after
            )
            e.prev_hash, e.hash = prev, event_hash(prev, e.seq, e.at, change)
            prev = e.hash
        s.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=prev))


def cut_tail(rt: Runtime, keep: int) -> None:
    """Delete the events after ``keep`` and move the head back onto it."""
    with rt.sessions() as s, s.begin():
        last = s.scalars(select(AuditEvent).where(AuditEvent.seq == keep)).one()
        s.execute(delete(AuditEvent).where(AuditEvent.seq > keep))
        s.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=keep, hash=last.hash))
