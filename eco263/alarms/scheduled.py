"""The live detection run: every point's recent data through the detectors, episodes recorded.

Each point is read, analysed and recorded in its own transaction, so one point's bad data
cannot stop the others.  The detectors see ``history_days`` of data (their baselines need
history); their alarms are merged into episodes (one per event on a point and pollutant,
``detectors/episodes.py``) and only episodes that end within ``recent_hours`` are recorded.
A re-detection continues the stored alarm it overlaps or comes within the gap of, so running
this every few minutes creates nothing twice.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy.orm import Session

from eco263.actor import SYSTEM
from eco263.alarms import enums, rules, service
from eco263.alarms.actions import do_record_episode
from eco263.monitoring import service as monitoring
from eco263.monitoring.detectors import (
    ALL_RULES,
    DetectorConfig,
    detect_point,
    episodes,
    load_config,
)
from eco263.runtime import Runtime
from eco263.supervision import rules as clue_rules
from eco263.supervision.actions.rules_checks import AlarmFacts, do_check_unacknowledged_alarm

log = logging.getLogger(__name__)


@dataclass(slots=True)
class DetectionReport:
    points: int = 0
    alarms: Counter[str] = field(default_factory=Counter)  # episodes by their lead rule
    episodes: int = 0
    failed: list[str] = field(default_factory=list)


def point_frame(
    session: Session, point: monitoring.PointFacts, start: datetime, end: datetime
) -> pd.DataFrame:
    """A point's stored records in the detectors' long form (minute, hour and day data)."""
    records = monitoring.point_records(session, point.id, start, end)
    return pd.DataFrame(
        {
            "mn": point.mn,
            "time": pd.to_datetime(records.data_time, utc=True),
            "cn": records.cn,
            "pollutant": records.pollutant,
            "value": records.value,
            "flag": [f or "N" for f in records.flag],
        }
    )


def detect_recent(rt: Runtime, now: datetime) -> DetectionReport:
    """Run every rule on every active point's recent data and record what fires."""
    policy = rules.load_policy()
    config = load_config()
    report = DetectionReport()
    with rt.sessions() as session:
        point_ids = monitoring.active_point_ids(session)
    for point_id in point_ids:
        try:
            _detect_point(rt, point_id, now, policy, config, report)
        except Exception as exc:
            log.exception("detection failed for point %s", point_id)
            report.failed.append(f"{point_id}: {type(exc).__name__}: {exc}")
        report.points += 1
    return report


def _detect_point(
    rt: Runtime,
    point_id: int,
    now: datetime,
    policy: rules.AlarmPolicy,
    config: DetectorConfig,
    report: DetectionReport,
) -> None:
    with rt.unit_of_work() as ctx:
        ctx = replace(ctx, actor=SYSTEM, now=now)
        point = monitoring.point_facts(ctx.session, SYSTEM, point_id)
        frame = point_frame(ctx.session, point, now - timedelta(days=policy.history_days), now)
        if frame.empty:
            return
        limits = service.limits_of(ctx.session, point.id)
        found = detect_point(frame, limits, ALL_RULES, config, mn=point.mn)
        recent = now - timedelta(hours=policy.recent_hours)
        gap = config.episodes.merge_gap_hours
        for episode in episodes(found, config.episodes):
            if episode.end >= recent:
                do_record_episode(ctx, point, episode, gap)
                report.alarms[episode.rule] += 1
                report.episodes += 1


@dataclass(slots=True)
class ResponseReport:
    examined: int = 0
    clues: int = 0


#: How far back the 报警超时未响应 check looks (older alarms were checked when they were due).
RESPONSE_LOOKBACK = timedelta(days=30)


def check_responses(rt: Runtime, now: datetime) -> ResponseReport:
    """报警超时未响应 (scheduler job ``alarm_response``): every alarm not acknowledged within
    the limit of its category (``supervision/clue_rules.yaml``), or acknowledged late, opens
    one clue against the unit that answers for the point; the clue's cause key makes a second
    pass a no-op."""
    limits = clue_rules.load_policy().alarm_limit_hours or {"default": 24.0}
    shortest = timedelta(hours=min(limits.values()))
    report = ResponseReport()
    with rt.unit_of_work() as ctx:
        ctx = replace(ctx, actor=SYSTEM, now=now)
        candidates = service.awaiting_response(ctx.session, now - shortest, now - RESPONSE_LOOKBACK)
        for alarm in candidates:
            report.examined += 1
            point = monitoring.point_facts(ctx.session, SYSTEM, alarm.point_id)
            org = service.supervising_org(ctx.session, point.division_code)
            if org is None:
                continue
            clue = do_check_unacknowledged_alarm(
                ctx,
                AlarmFacts(
                    alarm_id=alarm.id,
                    kind=alarm.category,
                    kind_label=enums.CATEGORY_LABELS.get(alarm.category, "监测"),
                    point_mn=point.mn,
                    division_code=point.division_code,
                    responsible_org_id=org.id,
                    raised_at=alarm.raised_at,
                    acknowledged_at=alarm.acknowledged_at,
                    enterprise_id=point.enterprise_id,
                    description=f"报警编号 {alarm.id}（{point.name}）。",
                    problem_id=alarm.problem_id,
                ),
            )
            report.clues += clue is not None
    return report
