"""报警超时未响应 as the scheduler runs it (job ``alarm_response``): a tampering alarm nobody
acknowledges within its 2 hours opens one clue against the unit answering for the point;
before the limit, or for an alarm acknowledged in time, nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from eco263.alarms.actions import do_acknowledge_alarm
from eco263.alarms.scheduled import check_responses
from eco263.runtime import Runtime
from eco263.supervision.enums import ClueCause
from eco263.supervision.models import Clue
from tests.factories.alarms import NOW, tampering_case


def _clues(rt: Runtime) -> list[Clue]:
    with rt.sessions() as s:
        return list(
            s.scalars(select(Clue).where(Clue.cause_kind == ClueCause.ALARM_UNACKNOWLEDGED))
        )


def test_an_unacknowledged_tampering_alarm_opens_one_clue(rt: Runtime, as_user) -> None:  # type: ignore[no-untyped-def]
    _, alarm = tampering_case(rt, as_user)
    assert check_responses(rt, NOW + timedelta(hours=1)).clues == 0
    report = check_responses(rt, NOW + timedelta(hours=3))
    assert report.clues == 1
    (clue,) = _clues(rt)
    assert clue.problem_id == alarm.problem_id and clue.duty_failure == "主动履职不到位"
    assert "至今未确认" in clue.summary and "tamper" not in clue.summary
    assert check_responses(rt, NOW + timedelta(hours=4)).clues == 0
    assert len(_clues(rt)) == 1


def test_an_alarm_acknowledged_in_time_opens_nothing(rt: Runtime, as_user) -> None:  # type: ignore[no-untyped-def]
    _, alarm = tampering_case(rt, as_user)
    with as_user("kunshan", NOW + timedelta(minutes=30)) as ctx:
        do_acknowledge_alarm(ctx, alarm.id)
    assert check_responses(rt, NOW + timedelta(hours=5)).clues == 0
    assert _clues(rt) == []
