"""Reads for the alarm pipeline: limits, episodes, the data an evidence pack needs; the alarms
and sealed evidence packs a user may read.

Scope: an alarm is readable where its point is (monitoring's scope).  A sealed pack is part of
the police file, confidential (:func:`eco263.alarms.rules.may_read_transfer`): refused, it is
reported missing, exactly as when there is none, so its existence cannot be probed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eco263.actor import Actor
from eco263.alarms import rules
from eco263.alarms.enums import AlarmState
from eco263.alarms.models import Alarm, PointLimit
from eco263.errors import NotFound
from eco263.monitoring import service as monitoring
from eco263.monitoring.detectors import Limit
from eco263.registry.models import Organization


def limits_of(session: Session, point_id: int) -> dict[str, Limit]:
    rows = session.scalars(select(PointLimit).where(PointLimit.point_id == point_id))
    return {
        r.pollutant: Limit(r.pollutant, r.limit, r.unit, r.standard, r.basis)  # type: ignore[arg-type]
        for r in rows
    }


def open_episode(
    session: Session,
    point_id: int,
    pollutant: str,
    categories: Sequence[str],
    start: datetime,
    end: datetime,
    gap_hours: float,
) -> Alarm | None:
    """The latest unclosed alarm on this point and pollutant, of a category that may share an
    episode, that overlaps ``start``–``end`` or comes within the gap of it."""
    gap = timedelta(hours=gap_hours)
    return session.scalars(
        select(Alarm)
        .where(
            Alarm.point_id == point_id,
            Alarm.pollutant == pollutant,
            Alarm.category.in_(list(categories)),
            Alarm.state != AlarmState.CLOSED,
            Alarm.end >= start - gap,
            Alarm.start <= end + gap,
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
) -> list[monitoring.WindowReading]:
    """An alarm's data window, both ends included (the evidence pack's readings)."""
    return monitoring.window_values(session, point_id, cn, start, end)


def window_packets(
    session: Session, point_id: int, start: datetime, end: datetime, limit: int = 5000
) -> list[monitoring.StoredPacket]:
    """Raw packets whose records lie in the window (the bytes the police will examine)."""
    return monitoring.packets_between(session, point_id, start, end, limit)


def list_alarms(
    session: Session,
    actor: Actor,
    limit: int = 200,
    *,
    point_id: int | None = None,
    state: str | None = None,
    category: str | None = None,
) -> list[Alarm]:
    """Newest alarms on the points the actor may read, optionally of one point/state/category."""
    query = select(Alarm).where(Alarm.point_id.in_(monitoring.point_ids_in_scope(actor)))
    if point_id is not None:
        query = query.where(Alarm.point_id == point_id)
    if state:
        query = query.where(Alarm.state == state)
    if category:
        query = query.where(Alarm.category == category)
    return list(session.scalars(query.order_by(Alarm.id.desc()).limit(limit)))


def get_alarm(session: Session, actor: Actor, alarm_id: int) -> Alarm:
    alarm = session.scalar(
        select(Alarm).where(
            Alarm.id == alarm_id, Alarm.point_id.in_(monitoring.point_ids_in_scope(actor))
        )
    )
    if alarm is None:
        raise NotFound("报警")
    return alarm


def limits_for_points(session: Session, point_ids: Sequence[int]) -> dict[int, dict[str, Limit]]:
    """The limits of many points in one query: point id → pollutant → limit."""
    out: dict[int, dict[str, Limit]] = {pid: {} for pid in point_ids}
    if not point_ids:
        return out
    rows = session.scalars(select(PointLimit).where(PointLimit.point_id.in_(sorted(point_ids))))
    for r in rows:
        out[r.point_id][r.pollutant] = Limit(r.pollutant, r.limit, r.unit, r.standard, r.basis)  # type: ignore[arg-type]
    return out


def unclosed_alarm_counts(session: Session, point_ids: Sequence[int]) -> dict[int, int]:
    """Alarms not yet closed (open or acknowledged) per point, in one query."""
    if not point_ids:
        return {}
    rows = session.execute(
        select(Alarm.point_id, func.count())
        .where(Alarm.point_id.in_(sorted(point_ids)), Alarm.state != AlarmState.CLOSED)
        .group_by(Alarm.point_id)
    )
    return {pid: int(n) for pid, n in rows}


def readable_pack(session: Session, actor: Actor, alarm: Alarm) -> Alarm | None:
    """The alarm if it has a sealed evidence pack the actor may read (the police file), else
    ``None`` either way (the pages show nothing rather than a refusal)."""
    if alarm.pack_sha256 is None:
        return None
    point = monitoring.point_facts(session, actor, alarm.point_id)
    if not rules.may_read_transfer(actor, point.enterprise_id):
        return None
    return alarm


def get_pack(session: Session, actor: Actor, alarm_id: int, what: str = "证据包") -> Alarm:
    """An alarm in scope with its sealed pack; refused or absent, a 404 naming ``what``."""
    row = readable_pack(session, actor, get_alarm(session, actor, alarm_id))
    if row is None:
        raise NotFound(what)
    return row


def awaiting_response(session: Session, raised_before: datetime, since: datetime) -> list[Alarm]:
    """Alarms raised in ``[since, raised_before)`` that nobody acknowledged, or acknowledged
    after ``raised_before`` — the candidates of the 报警超时未响应 rule, oldest first."""
    return list(
        session.scalars(
            select(Alarm)
            .where(
                Alarm.raised_at >= since,
                Alarm.raised_at < raised_before,
                (Alarm.acknowledged_at.is_(None)) | (Alarm.acknowledged_at > Alarm.raised_at),
            )
            .order_by(Alarm.raised_at, Alarm.id)
        )
    )
