"""Reads of the outbox: events by their idempotency key, and how a set of deliveries fares.

The outbox knows no domain.  A domain names the events it cares about by their keys — a list,
or a ``SELECT`` of keys that the database evaluates inside the same statement (a clue's
delivery is keyed ``clue:<cause key>``: supervision selects the keys of the clues in a reader's
jurisdiction) — and gets frozen copies (:class:`~eco263.outbox.schemas.OutboxEventOut`) back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, select, true
from sqlalchemy.orm import Session

from eco263.outbox.enums import OutboxState
from eco263.outbox.models import OutboxEvent
from eco263.outbox.schemas import OutboxEventOut

#: A ``SELECT`` of idempotency keys (one column), or None for every event.
Keys = Select[str] | None


def _keyed(keys: Keys) -> ColumnElement[bool]:
    return true() if keys is None else OutboxEvent.idempotency_key.in_(keys)


# -- reads for supervision -----------------------------------------------------------------------


def event_by_key(session: Session, idempotency_key: str) -> OutboxEventOut | None:
    """The event queued under this key, if any (one statement)."""
    event = session.scalar(
        select(OutboxEvent).where(OutboxEvent.idempotency_key == idempotency_key)
    )
    return OutboxEventOut.model_validate(event) if event is not None else None


def events_by_key(session: Session, idempotency_keys: Iterable[str]) -> dict[str, OutboxEventOut]:
    """Key → event for the keys that have one, in one statement (none for no keys)."""
    wanted = list(idempotency_keys)
    if not wanted:
        return {}
    events = session.scalars(select(OutboxEvent).where(OutboxEvent.idempotency_key.in_(wanted)))
    return {e.idempotency_key: OutboxEventOut.model_validate(e) for e in events}


def get_event(session: Session, event_id: int) -> OutboxEventOut | None:
    """The event with this id, if any."""
    event = session.get(OutboxEvent, event_id)
    return OutboxEventOut.model_validate(event) if event is not None else None


@dataclass(frozen=True, slots=True)
class StateFigures:
    """The events in one state: how many, the oldest queued, the last processed."""

    count: int
    oldest_created_at: datetime | None
    last_processed_at: datetime | None


def figures_by_state(session: Session, *, keys: Keys = None) -> dict[OutboxState, StateFigures]:
    """Per state (absent when no event is in it), of the events whose key ``keys`` selects
    (every event when None): one grouped statement."""
    rows = session.execute(
        select(
            OutboxEvent.state,
            func.count().label("n"),
            func.min(OutboxEvent.created_at).label("oldest"),
            func.max(OutboxEvent.processed_at).label("latest"),
        )
        .where(_keyed(keys))
        .group_by(OutboxEvent.state)
    )
    return {OutboxState(r.state): StateFigures(int(r.n), r.oldest, r.latest) for r in rows}


def dead_events(session: Session, *, keys: Keys = None, limit: int) -> list[OutboxEventOut]:
    """The first ``limit`` dead events (given up, waiting for a retry) whose key ``keys``
    selects (any when None), oldest first: one statement."""
    events = session.scalars(
        select(OutboxEvent)
        .where(_keyed(keys), OutboxEvent.state == OutboxState.DEAD.value)
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    return [OutboxEventOut.model_validate(e) for e in events]
