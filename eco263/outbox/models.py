"""Transactional outbox: side effects written with their cause, delivered by a worker.

States: ``pending`` → ``delivered``, or ``dead`` after the horizon (see
:mod:`eco263.outbox.worker`).  A claimed event has ``next_attempt_at`` pushed
forward by a lease, so a worker killed mid-flight leaves it to be retried.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from eco263.db import Base, JSONType, UTCDateTime


class OutboxEvent(Base):
    __tablename__ = "outbox_event"
    __table_args__ = (
        Index(
            "ix_outbox_pending",
            "next_attempt_at",
            postgresql_where=text("state = 'pending'"),
            sqlite_where=text("state = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The horizon counts from here (a retried dead event starts a new window).
    retry_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The receiver's receipt id, once acknowledged.
    receipt: Mapped[str | None] = mapped_column(String(128))
