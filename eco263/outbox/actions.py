"""Write to the outbox in the caller's transaction (delivery is the worker's job)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eco263.outbox.models import OutboxEvent


def enqueue(
    session: Session, *, kind: str, idempotency_key: str, payload: dict[str, Any], now: datetime
) -> OutboxEvent:
    """Queue a side effect once per key: a second call with the same key returns the first."""
    existing = session.scalar(
        select(OutboxEvent).where(OutboxEvent.idempotency_key == idempotency_key)
    )
    if existing is not None:
        return existing
    event = OutboxEvent(
        kind=kind,
        idempotency_key=idempotency_key,
        payload=payload,
        state="pending",
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(event)
    session.flush()
    return event
