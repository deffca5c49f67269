"""Notification tables: 站内消息 per user, and each user's notification settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eco263.db import Base, JSONType, UTCDateTime


class Notification(Base):
    """One message to one user.  ``event_key`` names the fact it reports (e.g.
    ``urge:12``): the same fact never gives a user two messages."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("user_id", "event_key", name="uq_notification_user_event"),
        Index("ix_notification_user_unread", "user_id", "read_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(16))
    event_key: Mapped[str] = mapped_column(String(96))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(1000))
    href: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Held for the user's daily digest e-mail (instead of one e-mail each).
    digest_pending: Mapped[bool] = mapped_column(Boolean, default=False)


class NotificationProfile(Base):
    """A user's settings: addresses, the channels per kind, quiet hours, the daily digest.
    A user without a row gets the defaults (:mod:`eco263.notifications.rules`)."""

    __tablename__ = "notification_profile"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    #: kind → list of channels besides the site (which is always on).
    channels: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: Quiet hours in minutes after local midnight (Beijing time); equal or None = none.
    quiet_start: Mapped[int | None] = mapped_column(Integer)
    quiet_end: Mapped[int | None] = mapped_column(Integer)
    digest: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
