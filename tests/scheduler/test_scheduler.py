"""The scheduler runs each due job once per slot, even with two schedulers at once."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from eco263.clock import parse_now
from eco263.runtime import Runtime
from eco263.scheduler.models import ScheduledJob
from eco263.scheduler.service import JOBS, ensure_jobs, run_due


def test_jobs_run_when_due_and_not_before(rt: Runtime) -> None:
    start = parse_now("2018-05-10T09:00")
    ensure_jobs(rt, start)
    assert sorted(run_due(rt, start)) == sorted(JOBS)
    assert run_due(rt, start + timedelta(minutes=1)) == []
    assert run_due(rt, start + timedelta(minutes=5)) == ["escalation_sweep"]
    quarter = sorted(n for n, job in JOBS.items() if job.interval <= timedelta(minutes=15))
    assert "transfer_escalation" in quarter and "assessment_compute" not in quarter
    assert sorted(run_due(rt, start + timedelta(minutes=15))) == quarter
    with rt.sessions() as s:
        job = s.get_one(ScheduledJob, "escalation_sweep")
        assert job.last_status is not None and job.last_status.startswith("ok examined=")
        assert job.next_run_at == start + timedelta(minutes=20)


def test_two_schedulers_run_a_slot_once(rt: Runtime) -> None:
    start = parse_now("2018-05-10T09:00")
    ensure_jobs(rt, start)
    ran: list[list[str]] = []
    barrier = threading.Barrier(2)

    def tick() -> None:
        barrier.wait()
        ran.append(run_due(rt, start))

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(len(r) for r in ran) == len(JOBS)  # each job once, whoever runs it
    assert sorted(name for names in ran for name in names) == sorted(JOBS)


def test_a_failing_job_is_recorded_and_does_not_stop_the_loop(rt: Runtime, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from eco263.scheduler import service

    def boom(_rt: Runtime, _now: object) -> str:
        raise RuntimeError("数据库不可用")

    monkeypatch.setitem(
        service.JOBS,
        "escalation_sweep",
        service.Job("escalation_sweep", timedelta(minutes=5), boom),
    )
    start = parse_now("2018-05-10T09:00")
    ensure_jobs(rt, start)
    assert "escalation_sweep" in run_due(rt, start)
    with rt.sessions() as s:
        status = s.scalar(
            select(ScheduledJob.last_status).where(ScheduledJob.name == "escalation_sweep")
        )
    assert status == "error RuntimeError: 数据库不可用"
