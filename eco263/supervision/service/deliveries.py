"""A clue's delivery (its outbox event) and the health of the deliveries in a jurisdiction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, literal, select
from sqlalchemy.orm import Session

from eco263.actor import Actor
from eco263.errors import NotFound
from eco263.outbox import service as outbox
from eco263.outbox.enums import OutboxState
from eco263.outbox.schemas import OutboxEventOut
from eco263.supervision.models import Clue
from eco263.supervision.schemas import DeadDelivery, DeliveryStatus
from eco263.supervision.service.clues import clue_scope, require_reader


def delivery_of(session: Session, clue: Clue) -> OutboxEventOut | None:
    """The clue's outbox event (its delivery), if any."""
    return outbox.event_by_key(session, outbox_key(clue.cause_key))


#: A clue's delivery is the outbox event keyed ``clue:<cause key>``.
OUTBOX_KEY_PREFIX = "clue:"


def outbox_key(cause_key: str) -> str:
    """The idempotency key of a clue's delivery (its outbox event), from its cause key."""
    return f"{OUTBOX_KEY_PREFIX}{cause_key}"


def delivery_status(session: Session, actor: Actor, *, dead_limit: int = 50) -> DeliveryStatus:
    """Counts per outbox state and the dead deliveries (the dashboard's warning light), of
    the clues in the actor's jurisdiction: a district office sees its own deliveries only."""
    require_reader(actor)
    in_scope = None if actor.is_system else _delivery_keys(actor)
    figures = outbox.figures_by_state(session, keys=in_scope)
    dead = outbox.dead_events(session, keys=in_scope, limit=dead_limit)
    pending = figures.get(OutboxState.PENDING)
    return DeliveryStatus(
        pending=_count(figures, OutboxState.PENDING),
        delivered=_count(figures, OutboxState.DELIVERED),
        dead=_count(figures, OutboxState.DEAD),
        oldest_pending_at=pending.oldest_created_at if pending else None,
        dead_items=[
            DeadDelivery(
                id=e.id,
                kind=e.kind,
                idempotency_key=e.idempotency_key,
                attempts=e.attempts,
                created_at=e.created_at,
                last_error=e.last_error,
            )
            for e in dead
        ],
    )


def deliveries_of(session: Session, clues: Sequence[Clue]) -> dict[int, OutboxEventOut]:
    """Each clue's outbox event (its delivery), read in one query for a page of clues."""
    by_key = {outbox_key(c.cause_key): c.id for c in clues}
    events = outbox.events_by_key(session, by_key)
    return {by_key[key]: e for key, e in events.items()}


def _delivery_keys(actor: Actor) -> Select[str]:
    """The outbox keys of the deliveries of the clues in the actor's jurisdiction (a SELECT
    the database runs inside the outbox's statement)."""
    return select(literal(OUTBOX_KEY_PREFIX).concat(Clue.cause_key)).where(clue_scope(actor))


def _count(figures: Mapping[OutboxState, outbox.StateFigures], state: OutboxState) -> int:
    found = figures.get(state)
    return found.count if found else 0


@dataclass(frozen=True, slots=True)
class DeadClueDelivery:
    """A delivery given up, with the clue it carries (for the delivery board)."""

    event_id: int
    clue_id: int
    summary: str
    attempts: int
    last_error: str | None
    last_attempt_at: datetime | None


@dataclass(frozen=True, slots=True)
class DeliveryHealth:
    """The deliveries of the clues in one jurisdiction: waiting, arrived, given up."""

    pending: int
    delivered: int
    dead: int
    oldest_pending_at: datetime | None
    last_delivered_at: datetime | None
    dead_items: list[DeadClueDelivery]


def delivery_health(session: Session, actor: Actor, *, dead_limit: int = 20) -> DeliveryHealth:
    """Like :func:`delivery_status`, but only for the clues in the actor's jurisdiction (a
    district office sees its own), with the last successful delivery.  Two queries.

    A dead item names its clue by the frozen document it carries (``clue_id``, ``summary``:
    a clue's summary never changes once opened)."""
    require_reader(actor)
    keys = _delivery_keys(actor)
    figures = outbox.figures_by_state(session, keys=keys)
    dead = outbox.dead_events(session, keys=keys, limit=dead_limit)
    pending = figures.get(OutboxState.PENDING)
    delivered = figures.get(OutboxState.DELIVERED)
    return DeliveryHealth(
        pending=_count(figures, OutboxState.PENDING),
        delivered=_count(figures, OutboxState.DELIVERED),
        dead=_count(figures, OutboxState.DEAD),
        oldest_pending_at=pending.oldest_created_at if pending else None,
        last_delivered_at=delivered.last_processed_at if delivered else None,
        dead_items=[
            DeadClueDelivery(
                e.id,
                int(e.payload["clue_id"]),
                str(e.payload["summary"]),
                e.attempts,
                e.last_error,
                e.last_attempt_at,
            )
            for e in dead
        ],
    )


def delivery_in_scope(session: Session, actor: Actor, event_id: int) -> tuple[OutboxEventOut, Clue]:
    """A clue's delivery and its clue, if the clue is in the actor's jurisdiction; NotFound
    otherwise (another kind of event, another division's clue, no such event)."""
    require_reader(actor)
    event = outbox.get_event(session, event_id)
    clue = None
    if event is not None and event.idempotency_key.startswith(OUTBOX_KEY_PREFIX):
        cause_key = event.idempotency_key.removeprefix(OUTBOX_KEY_PREFIX)
        clue = session.scalar(select(Clue).where(Clue.cause_key == cause_key, clue_scope(actor)))
    if event is None or clue is None:
        raise NotFound("投递记录")
    return event, clue
