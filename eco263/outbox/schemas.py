"""What other packages see of an outbox event: a frozen copy, never the table row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class OutboxEventOut(BaseModel):
    """One side effect and where its delivery stands (see :mod:`eco263.outbox.models`)."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: int
    kind: str
    idempotency_key: str
    payload: dict[str, Any]
    state: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    processed_at: datetime | None
    last_error: str | None
    last_attempt_at: datetime | None
    retry_from: datetime | None
    receipt: str | None
