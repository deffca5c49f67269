"""以罚代管 as the scheduler runs it: three penalties on one enterprise for the same article
within the window open one clue of 执法监管不到位 against the fining authority; a second pass
opens nothing more, and two penalties open nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from eco263.enforcement import actions
from eco263.enforcement.enums import CaseSource, Outcome
from eco263.enforcement.scheduled import check_repeat_fines
from eco263.runtime import Runtime
from eco263.supervision.enums import ClueCause
from eco263.supervision.models import Clue
from tests.factories.alarms import YLD
from tests.factories.problems import enterprise

ARTICLE = "水污染防治法第83条"
TZ = ZoneInfo("Asia/Shanghai")


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=TZ)


def _penalise(as_user, found_on: date) -> None:  # type: ignore[no-untyped-def]
    """One case walked from the clue to a decided penalty (no hearing asked)."""
    with as_user("ks_epb", at(found_on)) as ctx:
        case = actions.do_open_case(
            ctx,
            source=CaseSource.INSPECTION,
            title="依利安达电子 超标排放水污染物",
            party_name="依利安达电子（昆山）有限公司",
            found_on=found_on,
            enterprise_id=enterprise(ctx, YLD),
        )
    with as_user("ks_epb_head", at(found_on)) as ctx:
        actions.do_file_case(ctx, case.id, filed_on=found_on)
    with as_user("ks_epb", at(found_on)) as ctx:
        actions.do_finish_investigation(
            ctx, case.id, article=ARTICLE, proposed_fine=150_000, facts="总铜超标"
        )
        actions.do_notify(ctx, case.id, received_on=found_on)
    decided = found_on + timedelta(days=14)
    with as_user("ks_epb_head", at(decided)) as ctx:
        actions.do_decide(ctx, case.id, outcome=Outcome.PENALTY, decided_on=decided, fine=150_000)


def _clues(rt: Runtime) -> list[Clue]:
    with rt.sessions() as s:
        return list(s.scalars(select(Clue).where(Clue.cause_kind == ClueCause.REPEAT_FINES)))


def test_the_job_opens_one_clue_on_the_third_penalty(rt: Runtime, as_user) -> None:  # type: ignore[no-untyped-def]
    _penalise(as_user, date(2018, 1, 8))
    _penalise(as_user, date(2018, 2, 26))
    report = check_repeat_fines(rt, at(date(2018, 5, 10)))
    assert (report.enterprises, report.clues) == (1, 0) and _clues(rt) == []

    _penalise(as_user, date(2018, 4, 2))
    report = check_repeat_fines(rt, at(date(2018, 5, 10)))
    assert report.clues == 1
    (clue,) = _clues(rt)
    assert clue.duty_failure == "执法监管不到位" and "3 次" in clue.summary
    assert "依利安达" in clue.summary and "昆山市环保局" in clue.summary

    assert check_repeat_fines(rt, at(date(2018, 5, 11))).clues == 0
    assert len(_clues(rt)) == 1
