"""Monitoring reads: the point directory the gateway authenticates against, latest values,
the monitoring list's rows and a pollutant's series for the charts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from eco263.actor import SYSTEM as SYSTEM_ACTOR
from eco263.actor import Actor, Role
from eco263.errors import Forbidden, NotFound
from eco263.monitoring.enums import LATEST_CNS, PointStatus
from eco263.monitoring.hj212 import CrcMode, DecodeOptions
from eco263.monitoring.models import DeadLetter, MonitoringPoint, RawPacket, Reading
from eco263.registry.models import Division, Enterprise
from eco263.registry.service import in_jurisdiction


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


POINT_CHANGES = "eco263_points"
"""PostgreSQL NOTIFY channel: every committed registration or change of a point sends its MN."""


def _auth_query() -> Select[int, str, str, str, bool]:
    return select(
        MonitoringPoint.id,
        MonitoringPoint.mn,
        MonitoringPoint.password,
        MonitoringPoint.crc_mode,
        MonitoringPoint.always_ack,
    ).where(MonitoringPoint.active.is_(True))


def point_directory(session: Session) -> dict[str, PointAuth]:
    """Active points by MN."""
    rows = session.execute(_auth_query())
    return {r.mn: PointAuth(r.id, r.mn, r.password, r.crc_mode, r.always_ack) for r in rows}


def points_by_mn(session: Session, mns: Sequence[str]) -> dict[str, PointAuth]:
    """The active points among ``mns`` (one query on the unique MN index); absent ones left out."""
    if not mns:
        return {}
    rows = session.execute(_auth_query().where(MonitoringPoint.mn.in_(mns)))
    return {r.mn: PointAuth(r.id, r.mn, r.password, r.crc_mode, r.always_ack) for r in rows}


def point_exists(session: Session, mn: str) -> bool:
    return session.scalar(select(MonitoringPoint.id).where(MonitoringPoint.mn == mn)) is not None


def latest_data_time(session: Session, point_id: int, cn: str) -> datetime | None:
    """The newest record of one kind for one point (served by the primary key)."""
    return session.scalar(
        select(func.max(Reading.data_time)).where(Reading.point_id == point_id, Reading.cn == cn)
    )


def readings_between(
    session: Session,
    point_id: int,
    cn: str,
    start: datetime,
    end: datetime,
    *,
    include_end: bool = False,
) -> list[Reading]:
    """One point's records of one kind from ``start`` to ``end`` (excluded unless
    ``include_end``: an alarm's window names its last record), in time order."""
    until = Reading.data_time <= end if include_end else Reading.data_time < end
    return list(
        session.scalars(
            select(Reading)
            .where(
                Reading.point_id == point_id,
                Reading.cn == cn,
                Reading.data_time >= start,
                until,
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


def dead_letter_filter(actor: Actor) -> ColumnElement[bool]:
    """Dead letters are scoped like points: those whose MN is a point the actor may read; a
    dead letter of an unknown MN (or none) belongs to the city office alone."""
    if actor.is_system:
        return true()
    known = DeadLetter.mn.in_(select(MonitoringPoint.mn).where(point_filter(actor)))
    if actor.role != Role.CITY_OFFICE:
        return known
    unknown = or_(
        DeadLetter.mn.is_(None),
        ~select(MonitoringPoint.id).where(MonitoringPoint.mn == DeadLetter.mn).exists(),
    )
    return or_(known, unknown)


def recent_dead_letters(session: Session, actor: Actor, limit: int = 100) -> list[DeadLetter]:
    """The newest rejected packets in the actor's scope (263 offices only: they carry the
    bytes of other units' loggers)."""
    if not actor.is_office:
        raise Forbidden("只有263办可以查看异常报文")
    return list(
        session.scalars(
            select(DeadLetter)
            .where(dead_letter_filter(actor))
            .order_by(DeadLetter.id.desc())
            .limit(limit)
        )
    )


# -- the monitoring list and the point page ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class PointRow:
    """A point with the names the pages show beside it."""

    point: MonitoringPoint
    enterprise_name: str | None
    division_name: str


def _point_rows_query(actor: Actor) -> Select[MonitoringPoint, str, str]:
    return (
        select(MonitoringPoint, Enterprise.name, Division.name)
        .outerjoin(Enterprise, Enterprise.id == MonitoringPoint.enterprise_id)
        .outerjoin(Division, Division.code == MonitoringPoint.division_code)
        .where(point_filter(actor))
    )


def list_point_rows(session: Session, actor: Actor) -> list[PointRow]:
    """The points the actor may read, with enterprise and division names (one query)."""
    rows = session.execute(_point_rows_query(actor).order_by(MonitoringPoint.id))
    return [PointRow(p, e, d or p.division_code) for p, e, d in rows]


def get_point_row(session: Session, actor: Actor, point_id: int) -> PointRow:
    """One point in scope with its names; out of scope looks like missing."""
    row = session.execute(_point_rows_query(actor).where(MonitoringPoint.id == point_id)).first()
    if row is None:
        raise NotFound("监测点位")
    point, enterprise, division = row
    return PointRow(point, enterprise, division or point.division_code)


def points_by_id(session: Session, point_ids: set[int]) -> dict[int, PointRow]:
    """Points named by id (already scoped by the caller's query), with their names."""
    if not point_ids:
        return {}
    rows = session.execute(
        _point_rows_query(SYSTEM_ACTOR).where(MonitoringPoint.id.in_(sorted(point_ids)))
    )
    return {p.id: PointRow(p, e, d or p.division_code) for p, e, d in rows}


def reading_value(reading: Reading) -> float | None:
    """The value a record stands for: the interval average, else the real-time value."""
    return reading.avg if reading.avg is not None else reading.rtd


@dataclass(frozen=True, slots=True)
class PointLatest:
    """A point's newest record: its kind, time and every pollutant's values.

    ``times`` holds the newest data time of each record kind the point has sent;
    ``last_data_time`` is the newest of them (what 在线/离线 is judged on).
    """

    point_id: int
    cn: str | None
    data_time: datetime | None
    times: dict[str, datetime]
    readings: list[Reading]

    @property
    def last_data_time(self) -> datetime | None:
        return max(self.times.values()) if self.times else None


def latest_times(
    session: Session, point_ids: Sequence[int], cns: Sequence[str] = LATEST_CNS
) -> dict[int, dict[str, datetime]]:
    """Newest data time per point and record kind, in one statement.

    One correlated ``max`` per kind: each is a short backward scan of the readings' primary
    key (point, cn, data_time) — also per monthly partition on PostgreSQL — never a scan of
    the big table, however many points there are.
    """
    if not point_ids:
        return {}
    columns = [
        select(func.max(Reading.data_time))
        .where(Reading.point_id == MonitoringPoint.id, Reading.cn == cn)
        .scalar_subquery()
        .label(f"t{cn}")
        for cn in cns
    ]
    rows = session.execute(
        select(MonitoringPoint.id, *columns).where(MonitoringPoint.id.in_(sorted(point_ids)))
    )
    out: dict[int, dict[str, datetime]] = {}
    for row in rows:
        times = dict(zip(cns, row[1:], strict=True))
        out[row[0]] = {cn: at for cn, at in times.items() if at is not None}
    return out


def latest_values_for_points(
    session: Session, point_ids: Sequence[int], cns: Sequence[str] = LATEST_CNS
) -> dict[int, PointLatest]:
    """Every point's newest record (of the first kind in ``cns`` it has sent): two statements
    whatever the number of points (the newest times, then those records' rows)."""
    times = latest_times(session, point_ids, cns)
    chosen: dict[int, tuple[str, datetime]] = {}
    for point_id, kinds in times.items():
        cn = next((c for c in cns if c in kinds), None)
        if cn is not None:
            chosen[point_id] = (cn, kinds[cn])
    readings: dict[int, list[Reading]] = {pid: [] for pid in chosen}
    if chosen:
        match = or_(
            *(
                and_(Reading.point_id == pid, Reading.cn == cn, Reading.data_time == at)
                for pid, (cn, at) in chosen.items()
            )
        )
        for r in session.scalars(select(Reading).where(match).order_by(Reading.pollutant)):
            readings[r.point_id].append(r)
    return {
        pid: PointLatest(
            pid,
            chosen[pid][0] if pid in chosen else None,
            chosen[pid][1] if pid in chosen else None,
            times.get(pid, {}),
            readings.get(pid, []),
        )
        for pid in point_ids
    }


def point_status(
    last_data_time: datetime | None, now: datetime, offline_after: timedelta
) -> PointStatus:
    """在线 while the newest record is at most ``offline_after`` old (data time; minute data
    arrive every 1–10 minutes, so an hour without any means the logger or its link is down).
    """
    if last_data_time is None:
        return PointStatus.NO_DATA
    return PointStatus.ONLINE if now - last_data_time <= offline_after else PointStatus.OFFLINE


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    data_time: datetime
    value: float | None
    flag: str | None


def pollutant_series(
    session: Session, point_id: int, cn: str, pollutant: str, start: datetime, end: datetime
) -> list[SeriesPoint]:
    """One pollutant's values at one point in ``[start, end]``, oldest first (a chart)."""
    rows = session.execute(
        select(Reading.data_time, Reading.avg, Reading.rtd, Reading.flag)
        .where(
            Reading.point_id == point_id,
            Reading.cn == cn,
            Reading.pollutant == pollutant,
            Reading.data_time >= start,
            Reading.data_time <= end,
        )
        .order_by(Reading.data_time)
    )
    return [SeriesPoint(r.data_time, r.avg if r.avg is not None else r.rtd, r.flag) for r in rows]


# -- reads for alarms ----------------------------------------------------------------------------
# The alarms domain sits above monitoring: it reads points, records and raw packets through
# these functions (plain values, never the tables), so monitoring never needs to know it.


@dataclass(frozen=True, slots=True)
class PointFacts:
    """A point as another domain sees it: plain values, detached from the session."""

    id: int
    mn: str
    name: str
    medium: str
    division_code: str
    enterprise_id: int | None
    active: bool


def point_facts(session: Session, actor: Actor, point_id: int) -> PointFacts:
    """One point the actor may read (the pipeline passes the system actor); else 404."""
    point = get_point(session, actor, point_id)
    return PointFacts(
        point.id,
        point.mn,
        point.name,
        point.medium,
        point.division_code,
        point.enterprise_id,
        point.active,
    )


def active_point_ids(session: Session) -> list[int]:
    """The points the live detection runs over."""
    return list(
        session.scalars(
            select(MonitoringPoint.id)
            .where(MonitoringPoint.active.is_(True))
            .order_by(MonitoringPoint.id)
        )
    )


def point_ids_in_scope(actor: Actor) -> Select[int]:
    """The ids of the points the actor may read, as a subquery for another domain's scoped
    reads (``Alarm.point_id.in_(point_ids_in_scope(actor))``): one statement, no table shared."""
    return select(MonitoringPoint.id).where(point_filter(actor))


@dataclass(frozen=True, slots=True)
class PointRecords:
    """A point's stored records in columns, oldest first: the detectors' long form without
    pandas (the caller builds its frame; one value per record and pollutant: the interval
    average, else the real-time value)."""

    data_time: list[datetime]
    cn: list[str]
    pollutant: list[str]
    value: list[float | None]
    flag: list[str | None]


def point_records(session: Session, point_id: int, start: datetime, end: datetime) -> PointRecords:
    """Every record kind of one point in ``[start, end)`` (minute, hour, day, real-time)."""
    rows = session.execute(
        select(
            Reading.data_time, Reading.cn, Reading.pollutant, Reading.avg, Reading.rtd, Reading.flag
        )
        .where(Reading.point_id == point_id, Reading.data_time >= start, Reading.data_time < end)
        .order_by(Reading.data_time)
    ).all()
    return PointRecords(
        [r.data_time for r in rows],
        [r.cn for r in rows],
        [r.pollutant for r in rows],
        [r.avg if r.avg is not None else r.rtd for r in rows],
        [r.flag for r in rows],
    )


@dataclass(frozen=True, slots=True)
class WindowReading:
    """One pollutant's value in one record (an evidence window's row)."""

    data_time: datetime
    pollutant: str
    value: float | None
    flag: str | None


def window_values(
    session: Session, point_id: int, cn: str, start: datetime, end: datetime
) -> list[WindowReading]:
    """One point's records of one kind in ``[start, end]`` (both ends: an alarm's window
    names its last record), every pollutant, in time order."""
    return [
        WindowReading(r.data_time, r.pollutant, reading_value(r), r.flag)
        for r in readings_between(session, point_id, cn, start, end, include_end=True)
    ]


@dataclass(frozen=True, slots=True)
class StoredPacket:
    """A raw packet as received, byte for byte, with its receipt (evidence)."""

    id: int
    received_at: datetime
    peer: str
    sha256: str
    data: bytes


def packets_between(
    session: Session, point_id: int, start: datetime, end: datetime, limit: int = 5000
) -> list[StoredPacket]:
    """Raw packets of one point whose records lie in ``[start, end]``, in arrival order."""
    rows = session.execute(
        select(
            RawPacket.id, RawPacket.received_at, RawPacket.peer, RawPacket.sha256, RawPacket.data
        )
        .where(
            RawPacket.point_id == point_id,
            RawPacket.data_time >= start,
            RawPacket.data_time <= end,
        )
        .order_by(RawPacket.id)
        .limit(limit)
    )
    return [StoredPacket(r.id, r.received_at, r.peer, r.sha256, r.data) for r in rows]
