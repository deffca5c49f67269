"""The escalation sweep: levels, idempotence, concurrency, red card → one clue + outbox."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import func, select

from eco263.clock import parse_now
from eco263.outbox.models import OutboxEvent
from eco263.problems.enums import Escalation
from eco263.problems.models import Assignment, Problem
from eco263.problems.scheduled import sweep
from eco263.runtime import Runtime
from eco263.supervision.models import Clue
from tests.factories.problems import dispatch, register


def _run(rt: Runtime, when: str) -> object:
    return sweep(rt, now=parse_now(when))


def _level(rt: Runtime, assignment_id: int) -> int:
    with rt.sessions() as s:
        return s.get_one(Assignment, assignment_id).escalation


def _count(rt: Runtime, model: type) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _joint_enforcement(rt: Runtime, as_user) -> int:  # type: ignore[no-untyped-def]
    """相城区 散乱污: 7 working days from 2018-04-27 → due 2018-05-09."""
    with as_user("city", parse_now("2018-04-27T10:00")) as ctx:
        p = register(ctx, source="联合执法", division_code="320507", found_on=date(2018, 4, 27))
        (a,) = dispatch(ctx, p.id, "相城区环保局")
    return a.id


def test_levels_rise_with_the_working_days(rt: Runtime, as_user) -> None:
    a = _joint_enforcement(rt, as_user)
    _run(rt, "2018-05-04T09:00")  # 3 working days left (7, 8, 9)
    assert _level(rt, a) == Escalation.NONE
    _run(rt, "2018-05-07T09:00")
    assert _level(rt, a) == Escalation.DUE_SOON
    _run(rt, "2018-05-10T09:00")
    assert _level(rt, a) == Escalation.YELLOW
    assert _count(rt, Clue) == 0
    _run(rt, "2018-05-16T09:00")  # 10..16 = 5 working days overdue
    assert _level(rt, a) == Escalation.RED
    with rt.sessions() as s:
        clue = s.scalars(select(Clue)).one()
        assert clue.duty_failure == "主动履职不到位"
        assert "相城区环保局" in clue.summary and "逾期 5 个工作日" in clue.summary
        assert [e["action"] for e in clue.evidence["audit_events"]][:2] == [
            "problem.register",
            "problem.dispatch",
        ]
        assert clue.evidence["chain_head"]["seq"] > 0
        assert s.get_one(Problem, clue.problem_id).escalation == Escalation.RED
        outbox = s.scalars(select(OutboxEvent)).one()
        assert outbox.idempotency_key == f"clue:{clue.cause_key}"


def test_sweep_twice_creates_nothing_twice(rt: Runtime, as_user) -> None:
    a = _joint_enforcement(rt, as_user)
    first = _run(rt, "2018-05-18T09:00")
    events = _count_events(rt)
    second = _run(rt, "2018-05-18T09:00")
    assert first.raised["红牌"] == 1 and first.red_cards == 1
    assert second.examined == 0 and second.red_cards == 0
    assert _count_events(rt) == events
    assert _count(rt, Clue) == 1 and _level(rt, a) == Escalation.RED


def test_two_sweeps_at_once_escalate_each_row_once(rt: Runtime, as_user) -> None:
    ids = [_joint_enforcement(rt, as_user) for _ in range(30)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            _run(rt, "2018-05-18T09:00")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _count(rt, Clue) == 30
    assert _count(rt, OutboxEvent) == 30
    assert all(_level(rt, a) == Escalation.RED for a in ids)
    with rt.sessions() as s:
        from eco263.audit.models import AuditEvent
        from eco263.audit.service import verify_chain

        escalations = s.scalar(
            select(func.count()).where(AuditEvent.action == "assignment.escalate")
        )
        assert escalations == 30
        assert verify_chain(s).ok


def test_verified_work_is_never_escalated(rt: Runtime, as_user) -> None:
    from eco263.problems.enums import Move
    from tests.factories.problems import give_account, work

    a = _joint_enforcement(rt, as_user)
    give_account(as_user, "相城区环保局", "xc_epb")
    work(as_user, a, Move.ACCEPT, Move.SUBMIT, Move.VERIFY, at=parse_now("2018-05-08T09:00"))
    _run(rt, "2018-06-30T09:00")
    assert _level(rt, a) == Escalation.NONE


def _count_events(rt: Runtime) -> int:
    from eco263.audit.models import AuditEvent

    return _count(rt, AuditEvent)
