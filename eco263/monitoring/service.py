"""Monitoring reads: the point directory the gateway authenticates against, latest values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eco263.monitoring.hj212.codec import CrcMode, DecodeOptions
from eco263.monitoring.models import MonitoringPoint, Reading


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
