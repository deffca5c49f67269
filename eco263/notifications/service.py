"""Reads of notifications: a user's own messages, the unread count, their settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eco263.actor import Actor
from eco263.errors import NotFound
from eco263.notifications import rules
from eco263.notifications.enums import Channel, Kind
from eco263.notifications.models import Notification, NotificationProfile


def unread_count(session: Session, actor: Actor) -> int:
    if actor.user_id is None:
        return 0
    return int(
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def list_for(
    session: Session, actor: Actor, *, unread_only: bool = False, limit: int = 100, offset: int = 0
) -> list[Notification]:
    """The actor's own messages, newest first (nobody reads another's)."""
    if actor.user_id is None:
        return []
    query = select(Notification).where(Notification.user_id == actor.user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit).offset(offset)))


def get_own(session: Session, actor: Actor, notification_id: int) -> Notification:
    """One of the actor's own messages; another's is a 404 like a missing one."""
    row = session.get(Notification, notification_id)
    if row is None or actor.user_id is None or row.user_id != actor.user_id:
        raise NotFound("消息")
    return row


@dataclass(frozen=True, slots=True)
class Profile:
    """A user's settings, the defaults filled in."""

    email: str | None = None
    phone: str | None = None
    channels: dict[str, list[str]] = field(default_factory=dict)
    quiet_start: int | None = None
    quiet_end: int | None = None
    digest: bool = False

    def wants(self, kind: Kind, channel: Channel) -> bool:
        return channel in rules.chosen_channels(kind, self.channels or None, set(Channel))


def profile_rows(session: Session, user_ids: set[int]) -> dict[int, NotificationProfile]:
    if not user_ids:
        return {}
    rows = session.scalars(
        select(NotificationProfile).where(NotificationProfile.user_id.in_(user_ids))
    )
    return {r.user_id: r for r in rows}


def profile_of(session: Session, actor: Actor) -> Profile:
    row = session.get(NotificationProfile, actor.user_id) if actor.user_id else None
    if row is None:
        return Profile()
    channels: dict[str, Any] = dict(row.channels or {})
    return Profile(
        row.email,
        row.phone,
        {k: list(v) for k, v in channels.items()},
        row.quiet_start,
        row.quiet_end,
        row.digest,
    )
