"""Monitoring reads: the point directory the gateway authenticates against, latest values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, false, func, select, true
from sqlalchemy.orm import Session

from eco263.auth.enums import Role
from eco263.auth.scope import Actor, in_jurisdiction
from eco263.errors import NotFound
from eco263.monitoring.hj212.codec import CrcMode, DecodeOptions
from eco263.monitoring.models import DeadLetter, MonitoringPoint, Reading


@dataclass(frozen=True, slots=True)
class PointAuth:
    """What the gateway needs to know about a point to accept its packets."""

    id: int
    mn: str
    password: str
    crc_mode: str
    always_ack: bool

    @property
    def options(self) -> DecodeOptions:
        mode: CrcMode = self.crc_mode  # type: ignore[assignment]
        return DecodeOptions(crc_mode=mode)


def point_directory(session: Session) -> dict[str, PointAuth]:
    """Active points by MN."""
    rows = session.execute(
        select(
            MonitoringPoint.id,
            MonitoringPoint.mn,
            MonitoringPoint.password,
            MonitoringPoint.crc_mode,
            MonitoringPoint.always_ack,
        ).where(MonitoringPoint.active.is_(True))
    )
    return {r.mn: PointAuth(r.id, r.mn, r.password, r.crc_mode, r.always_ack) for r in rows}


def latest_data_time(session: Session, point_id: int, cn: str) -> datetime | None:
    """The newest record of one kind for one point (served by the primary key)."""
    return session.scalar(
        select(func.max(Reading.data_time)).where(Reading.point_id == point_id, Reading.cn == cn)
    )


def readings_between(
    session: Session, point_id: int, cn: str, start: datetime, end: datetime
) -> list[Reading]:
    return list(
        session.scalars(
            select(Reading)
            .where(
                Reading.point_id == point_id,
                Reading.cn == cn,
                Reading.data_time >= start,
                Reading.data_time < end,
            )
            .order_by(Reading.data_time, Reading.pollutant)
        )
    )


def point_filter(actor: Actor) -> ColumnElement[bool]:
    """Points the actor may read: its division subtree; an enterprise only its own points."""
    if actor.is_system:
        return true()
    if actor.role == Role.ENTERPRISE:
        if actor.enterprise_id is None:
            return false()
        return MonitoringPoint.enterprise_id == actor.enterprise_id
    return in_jurisdiction(actor, MonitoringPoint.division_code)


def list_points(session: Session, actor: Actor) -> list[MonitoringPoint]:
    return list(
        session.scalars(
            select(MonitoringPoint).where(point_filter(actor)).order_by(MonitoringPoint.id)
        )
    )


def get_point(session: Session, actor: Actor, point_id: int) -> MonitoringPoint:
    point = session.scalar(
        select(MonitoringPoint).where(MonitoringPoint.id == point_id, point_filter(actor))
    )
    if point is None:
        raise NotFound("监测点位")
    return point


def latest_readings(
    session: Session, point_id: int, cn: str
) -> tuple[datetime | None, list[Reading]]:
    """The newest record's values for one point and data kind."""
    at = latest_data_time(session, point_id, cn)
    if at is None:
        return None, []
    rows = session.scalars(
        select(Reading)
        .where(Reading.point_id == point_id, Reading.cn == cn, Reading.data_time == at)
        .order_by(Reading.pollutant)
    )
    return at, list(rows)


def recent_dead_letters(session: Session, limit: int = 100) -> list[DeadLetter]:
    return list(session.scalars(select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)))
