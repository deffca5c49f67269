"""期限重算 (issue #11): when the calendar changes, every open deadline computed by a rule is
computed again, the ones that move are changed on the record, dates set by hand stay.

The calendar change here: the office's holiday file declares 2018-05-08 (a Tuesday, a working
day in the State Council's arrangement) a rest day, so that 7 working days from 2018-04-27 end on
05-10 instead of 05-09.  Through the action and through the command a user types.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from eco263.audit.models import AuditEvent
from eco263.audit.service import verify_chain
from eco263.cli import app
from eco263.clock import parse_now
from eco263.config import get_settings
from eco263.problems import actions
from eco263.problems.models import Assignment, Problem
from eco263.runtime import Runtime
from eco263.wiring import build_runtime
from eco263.workdays import clear_calendar_cache, get_calendar
from tests.factories.problems import dispatch, register

EXTRA_HOLIDAY = date(2018, 5, 8)


def _holiday_file(tmp_path: Path) -> Path:
    """2018 as the package has it, plus one more rest day (a year in a file replaces it wholly)."""
    cal = get_calendar()
    holidays, workdays = {}, {}
    day = date(2018, 1, 1)
    while day.year == 2018:
        weekend = day.weekday() >= 5
        if cal.is_workday(day) and weekend:
            workdays[day.isoformat()] = "调休"
        elif not cal.is_workday(day) and not weekend:
            holidays[day.isoformat()] = cal.holiday_name(day) or "休息日"
        day += timedelta(days=1)
    holidays[EXTRA_HOLIDAY.isoformat()] = "临时休息日"
    path = tmp_path / "holidays.yaml"
    body = {2018: {"provisional": False, "holidays": holidays, "workdays": workdays}}
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


def _changed_runtime(rt: Runtime, tmp_path: Path) -> Runtime:
    clear_calendar_cache()
    settings = rt.settings.model_copy(update={"holidays_file": _holiday_file(tmp_path)})
    changed = build_runtime(settings, rt.clock)
    changed.engine.dispose()
    changed.engine, changed.sessions = rt.engine, rt.sessions
    return changed


def _joint(as_user, **fields: object) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with as_user("city", parse_now("2018-04-27T10:00")) as ctx:
        p = register(ctx, source="联合执法", found_on=date(2018, 4, 27), **fields)
        (a,) = dispatch(ctx, p.id)
    return p.id, a.id


def test_a_changed_calendar_moves_the_rule_deadlines_on_the_record(
    rt: Runtime, as_user, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    problem_id, assignment_id = _joint(as_user)
    by_hand, _ = _joint(as_user, due_date=date(2018, 5, 9))
    changed = _changed_runtime(rt, tmp_path)
    with changed.unit_of_work() as ctx:
        moved = actions.do_recompute_deadlines(ctx)
    # The hand-set date (and its unit's, inherited from it) does not move.
    assert {(m.problem_id, m.assignment_id) for m in moved} == {
        (problem_id, None),
        (problem_id, assignment_id),
    }
    assert all((m.old, m.new) == (date(2018, 5, 9), date(2018, 5, 10)) for m in moved)
    with rt.sessions() as s:
        assert s.get_one(Problem, problem_id).due_date == date(2018, 5, 10)
        assert s.get_one(Assignment, assignment_id).due_date == date(2018, 5, 10)
        assert s.get_one(Problem, by_hand).due_date == date(2018, 5, 9)
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "deadline.recompute")
        ).all()
        assert len(events) == 2
        assert events[0].before == {"due_date": "2018-05-09"}
        assert events[0].after["why"] == "节假日安排变更，按当前日历重算"
        assert verify_chain(s).ok
    with changed.unit_of_work() as ctx:
        assert actions.do_recompute_deadlines(ctx) == []  # idempotent
    clear_calendar_cache()


def test_the_command_lists_what_moves_and_a_dry_run_changes_nothing(
    rt: Runtime, as_user, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    problem_id, _ = _joint(as_user)
    holidays = _holiday_file(tmp_path)
    monkeypatch.setenv("ECO263_DATABASE_URL", rt.settings.database_url)
    monkeypatch.setenv("ECO263_HOLIDAYS_FILE", str(holidays))
    get_settings.cache_clear()
    clear_calendar_cache()
    runner = CliRunner()
    dry = runner.invoke(app, ["workdays", "recompute", "--dry-run", "--now", "2018-05-02T09:00"])
    assert dry.exit_code == 0, dry.output
    assert "期限将变化 2 项" in dry.output and "2018-05-10" in dry.output
    with rt.sessions() as s:
        assert s.get_one(Problem, problem_id).due_date == date(2018, 5, 9)
    done = runner.invoke(app, ["workdays", "recompute", "--now", "2018-05-02T09:00"])
    assert done.exit_code == 0, done.output
    assert "已变化并记入审计链 2 项" in done.output
    with rt.sessions() as s:
        assert s.get_one(Problem, problem_id).due_date == date(2018, 5, 10)
    again = runner.invoke(app, ["workdays", "recompute", "--now", "2018-05-02T09:00"])
    assert "0 项" in again.output
    get_settings.cache_clear()
    clear_calendar_cache()
