"""``eco263 scheduler``: run due jobs, one process, schedule kept in the database.

Each job is claimed by moving its ``next_run_at`` forward with a conditional
UPDATE; only the process whose UPDATE changed the row runs it, so two
schedulers never run the same job twice.  A failing job is recorded and retried
at its next slot: it cannot crash-loop the process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from eco263.problems.scheduled import sweep
from eco263.runtime import Runtime
from eco263.scheduler.models import ScheduledJob
from eco263.transfers.scheduled import escalate

log = logging.getLogger(__name__)

JobFn = Callable[[Runtime, datetime], str]


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    interval: timedelta
    run: JobFn


def _sweep_job(rt: Runtime, now: datetime) -> str:
    report = sweep(rt, now=now)
    return f"examined={report.examined} raised={dict(report.raised)} red_cards={report.red_cards}"


def _detect_job(rt: Runtime, now: datetime) -> str:
    from eco263.alarms.scheduled import detect_recent  # pandas is heavy: import on first run

    report = detect_recent(rt, now)
    return f"points={report.points} alarms={dict(report.alarms)} failed={len(report.failed)}"


def _assessment_job(rt: Runtime, now: datetime) -> str:
    from eco263.assessment.scheduled import compute_in_use

    return f"computed={compute_in_use(rt, now)}"


def _joint_reminders_job(rt: Runtime, now: datetime) -> str:
    from eco263.joint_enforcement.scheduled import remind

    report = remind(rt, now=now)
    return f"examined={report.examined} due_soon={report.due_soon} overdue={report.overdue}"


def _transfer_job(rt: Runtime, now: datetime) -> str:
    report = escalate(rt, now)
    return f"examined={report.examined} raised={dict(report.raised)} clues={report.clues}"


def _alarm_response_job(rt: Runtime, now: datetime) -> str:
    from eco263.alarms.scheduled import check_responses

    report = check_responses(rt, now)
    return f"examined={report.examined} clues={report.clues}"


def _repeat_fines_job(rt: Runtime, now: datetime) -> str:
    from eco263.enforcement.scheduled import check_repeat_fines

    report = check_repeat_fines(rt, now)
    return f"enterprises={report.enterprises} clues={report.clues}"


def _digest_job(rt: Runtime, now: datetime) -> str:
    from eco263.notifications.scheduled import send_digests

    return f"digests={send_digests(rt, now)}"


def _overdue_job(rt: Runtime, now: datetime) -> str:
    from eco263.inquiries.scheduled import check_overdue_reports
    from eco263.inspections.scheduled import check_overdue_replies

    opinions, reports = check_overdue_replies(rt, now), check_overdue_reports(rt, now)
    return (
        f"opinions={opinions.examined} flagged={opinions.flagged} "
        f"reports={reports.examined} flagged={reports.flagged}"
    )


JOBS: dict[str, Job] = {
    "escalation_sweep": Job("escalation_sweep", timedelta(minutes=5), _sweep_job),
    "detect_recent": Job("detect_recent", timedelta(minutes=15), _detect_job),
    "assessment_compute": Job("assessment_compute", timedelta(hours=24), _assessment_job),
    "joint_reminders": Job("joint_reminders", timedelta(minutes=15), _joint_reminders_job),
    "transfer_escalation": Job("transfer_escalation", timedelta(minutes=15), _transfer_job),
    "alarm_response": Job("alarm_response", timedelta(minutes=15), _alarm_response_job),
    "repeat_fines": Job("repeat_fines", timedelta(hours=24), _repeat_fines_job),
    "notification_digest": Job("notification_digest", timedelta(hours=24), _digest_job),
    "opinion_overdue": Job("opinion_overdue", timedelta(hours=24), _overdue_job),
}


def ensure_jobs(rt: Runtime, now: datetime) -> None:
    with rt.sessions() as session, session.begin():
        known = set(session.scalars(select(ScheduledJob.name)))
        for job in JOBS.values():
            if job.name not in known:
                session.add(
                    ScheduledJob(
                        name=job.name,
                        interval_seconds=int(job.interval.total_seconds()),
                        next_run_at=now,
                    )
                )


def run_due(rt: Runtime, now: datetime) -> list[str]:
    """Run every job whose slot has come; return the names run."""
    ran: list[str] = []
    with rt.sessions() as session:
        due = session.execute(
            select(
                ScheduledJob.name, ScheduledJob.next_run_at, ScheduledJob.interval_seconds
            ).where(ScheduledJob.next_run_at <= now)
        ).all()
    for name, slot, interval in due:
        job = JOBS.get(name)
        if job is None or not _claim(rt, name, slot, now + timedelta(seconds=interval)):
            continue
        status = _run_one(rt, job, now)
        with rt.sessions() as session, session.begin():
            session.execute(
                update(ScheduledJob)
                .where(ScheduledJob.name == name)
                .values(last_run_at=now, last_status=status[:500])
            )
        ran.append(name)
    return ran


def _claim(rt: Runtime, name: str, slot: datetime, next_slot: datetime) -> bool:
    with rt.sessions() as session, session.begin():
        result = session.execute(
            update(ScheduledJob)
            .where(ScheduledJob.name == name, ScheduledJob.next_run_at == slot)
            .values(next_run_at=next_slot)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _run_one(rt: Runtime, job: Job, now: datetime) -> str:
    try:
        status = "ok " + job.run(rt, now)
    except Exception as exc:
        log.exception("job %s failed", job.name)
        status = f"error {type(exc).__name__}: {exc}"
    return status


def run_forever(rt: Runtime, stop: threading.Event, tick_seconds: float = 5.0) -> None:
    ensure_jobs(rt, rt.clock.now())
    while not stop.is_set():
        run_due(rt, rt.clock.now())
        stop.wait(tick_seconds)
