"""Write to the outbox in the caller's transaction (delivery is the worker's job)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from eco263.context import Ctx
from eco263.db import insert_many
from eco263.outbox.enums import AuditAction, OutboxState
from eco263.outbox.models import OutboxEvent


def enqueue(
    session: Session,
    *,
    kind: str,
    idempotency_key: str,
    payload: dict[str, Any],
    now: datetime,
    not_before: datetime | None = None,
) -> OutboxEvent:
    """Queue a side effect once per key: a second call with the same key returns the first.
    ``not_before`` holds the first attempt back (a notification's quiet hours)."""
    existing = session.scalar(
        select(OutboxEvent).where(OutboxEvent.idempotency_key == idempotency_key)
    )
    if existing is not None:
        return existing
    event = OutboxEvent(
        kind=kind,
        idempotency_key=idempotency_key,
        payload=payload,
        state=OutboxState.PENDING.value,
        attempts=0,
        created_at=now,
        next_attempt_at=max(now, not_before) if not_before else now,
    )
    session.add(event)
    session.flush()
    return event


def do_retry(ctx: Ctx, ids: Sequence[int] | None = None) -> list[int]:
    """Revive dead deliveries (all, or the given ids): pending now, with a new horizon.

    Only ``dead`` events move; a pending or delivered one named here is left alone.
    Audited, because reviving a delivery is a decision someone took.
    """
    query = update(OutboxEvent).where(OutboxEvent.state == OutboxState.DEAD.value)
    if ids is not None:
        query = query.where(OutboxEvent.id.in_(list(ids)))
    revived = list(
        ctx.session.execute(
            query.values(
                state=OutboxState.PENDING.value, next_attempt_at=ctx.now, retry_from=ctx.now
            )
            .returning(OutboxEvent.id)
            .execution_options(synchronize_session=False)
        ).scalars()
    )
    if revived:
        ctx.audit(
            AuditAction.RETRY, "outbox", ",".join(map(str, revived))[:64], None, {"ids": revived}
        )
    return revived


# -- writes for supervision ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Queued:
    """One side effect to queue: what :func:`enqueue` takes, as a value."""

    kind: str
    idempotency_key: str
    payload: dict[str, Any]
    not_before: datetime | None = None  # first attempt held back until then


def enqueue_many(session: Session, items: Sequence[Queued], *, now: datetime) -> None:
    """Queue many side effects with one bulk insert (a ``COPY`` for big batches on PostgreSQL),
    in the caller's transaction: the batch form of :func:`enqueue`, for keys the caller knows
    to be new.  A key already queued is not looked up: the insert fails on the unique key
    (``IntegrityError``), and the caller, who wrapped it in a savepoint, decides what then."""
    insert_many(
        session,
        OutboxEvent,
        [
            {
                "kind": item.kind,
                "idempotency_key": item.idempotency_key,
                "payload": item.payload,
                "state": OutboxState.PENDING.value,
                "attempts": 0,
                "created_at": now,
                "next_attempt_at": max(now, item.not_before) if item.not_before else now,
            }
            for item in items
        ],
    )
