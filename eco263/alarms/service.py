"""Reads for the alarm pipeline: limits, episodes, the data an evidence pack needs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from eco263.alarms.models import Alarm, PointLimit
from eco263.auth.scope import Actor
from eco263.errors import NotFound
from eco263.monitoring.detectors import Limit
from eco263.monitoring.models import MonitoringPoint, RawPacket, Reading
from eco263.monitoring.service import point_filter
from eco263.registry.models import Organization


def limits_of(session: Session, point_id: int) -> dict[str, Limit]:
    rows = session.scalars(select(PointLimit).where(PointLimit.point_id == point_id))
    return {
        r.pollutant: Limit(r.pollutant, r.limit, r.unit, r.standard, r.basis)  # type: ignore[arg-type]
        for r in rows
    }


def open_episode(session: Session, point_id: int, pollutant: str, rule: str) -> Alarm | None:
    """The latest alarm of this kind on this point that is not closed."""
    return session.scalars(
        select(Alarm)
        .where(
            Alarm.point_id == point_id,
            Alarm.pollutant == pollutant,
            Alarm.rule == rule,
            Alarm.status != "closed",
        )
        .order_by(Alarm.end.desc())
        .limit(1)
    ).first()


def supervising_org(session: Session, division_code: str) -> Organization | None:
    """The environmental bureau of the division, else its 263 office (who answers for a point)."""
    orgs = list(
        session.scalars(select(Organization).where(Organization.division_code == division_code))
    )
    for suffix in ("环保局", "生态环境局", "263办"):
        for org in orgs:
            if org.name.endswith(suffix):
                return org
    return None


def window_readings(
    session: Session, point_id: int, cn: str, start: datetime, end: datetime
) -> list[Reading]:
    return list(
        session.scalars(
            select(Reading)
            .where(
                Reading.point_id == point_id,
                Reading.cn == cn,
                Reading.data_time >= start,
                Reading.data_time <= end,
            )
            .order_by(Reading.data_time, Reading.pollutant)
        )
    )


def window_packets(
    session: Session, point_id: int, start: datetime, end: datetime, limit: int = 5000
) -> list[RawPacket]:
    """Raw packets whose records lie in the window (the bytes the police will examine)."""
    return list(
        session.scalars(
            select(RawPacket)
            .where(
                RawPacket.point_id == point_id,
                RawPacket.data_time >= start,
                RawPacket.data_time <= end,
            )
            .order_by(RawPacket.id)
            .limit(limit)
        )
    )


def list_alarms(session: Session, actor: Actor, limit: int = 200) -> list[Alarm]:
    return list(
        session.scalars(
            select(Alarm)
            .join(MonitoringPoint, MonitoringPoint.id == Alarm.point_id)
            .where(point_filter(actor))
            .order_by(Alarm.id.desc())
            .limit(limit)
        )
    )


def get_alarm(session: Session, actor: Actor, alarm_id: int) -> Alarm:
    alarm = session.scalar(
        select(Alarm)
        .join(MonitoringPoint, MonitoringPoint.id == Alarm.point_id)
        .where(Alarm.id == alarm_id, point_filter(actor))
    )
    if alarm is None:
        raise NotFound("报警")
    return alarm
