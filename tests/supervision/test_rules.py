"""Pure clue rules: each fires on its facts and stays silent just short of them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from eco263.supervision import rules
from eco263.supervision.enums import ClueState, DutyFailure
from eco263.supervision.rules import ClosedProblem, Fine, ProblemTarget

POLICY = rules.load_policy()
NOW = datetime(2018, 5, 10, 1, 0, tzinfo=UTC)


def test_the_shipped_policy_is_the_documented_one() -> None:
    assert POLICY.failed_verification_returns == 2
    assert POLICY.failed_verification_duty == DutyFailure.RESPONSIBILITY
    assert POLICY.relapse_window_days == 90
    assert (POLICY.repeat_fines_count, POLICY.repeat_fines_window_days) == (3, 365)
    assert POLICY.extensions_max == 2
    assert POLICY.alarm_limit("tamper") == timedelta(hours=2)
    assert POLICY.alarm_limit("something-new") == timedelta(hours=24)


def test_a_policy_with_an_unknown_duty_failure_is_refused() -> None:
    import yaml

    raw = yaml.safe_load(
        (__import__("pathlib").Path(rules.__file__).parent / "clue_rules.yaml").read_text()
    )
    raw["relapse"]["duty_failure"] = "不存在的失职"
    with pytest.raises(ValueError):
        rules.parse_policy(raw)
    raw["relapse"]["duty_failure"] = "责任落实不到位"
    raw["repeat_fines"]["count"] = 0
    with pytest.raises(ValueError):
        rules.parse_policy(raw)


# -- 整改不到位 / 多次延期 ---------------------------------------------------------------------


def test_failed_verification_fires_at_the_second_return() -> None:
    assert not rules.fails_verification(1, POLICY)
    assert rules.fails_verification(2, POLICY)


def test_extensions_fire_only_beyond_k() -> None:
    assert not rules.too_many_extensions(2, POLICY)
    assert rules.too_many_extensions(3, POLICY)


# -- 假整改 ----------------------------------------------------------------------------------------


def _target(
    enterprise: int | None = 7,
    water: str | None = None,
    division: str = "320583",
    category: str = "6T.black_water",
) -> ProblemTarget:
    return ProblemTarget(enterprise, water, division, category)


def _closed(pid: int, days_ago: int, **target: Any) -> ClosedProblem:
    return ClosedProblem(pid, _target(**target), NOW - timedelta(days=days_ago))


def test_relapse_fires_for_the_same_enterprise_within_the_window() -> None:
    hits = rules.relapsed(_target(), [_closed(1, 30), _closed(2, 89)], NOW, POLICY)
    assert [h.id for h in hits] == [2, 1]  # oldest closure first


def test_relapse_fires_for_the_same_water_body_in_the_same_division() -> None:
    closed = [_closed(3, 10, enterprise=None, water="琵琶河 ")]
    new = _target(enterprise=None, water="琵琶河")
    assert [h.id for h in rules.relapsed(new, closed, NOW, POLICY)] == [3]


def test_relapse_stays_silent_outside_the_window_or_on_another_target() -> None:
    assert rules.relapsed(_target(), [_closed(1, 91)], NOW, POLICY) == []
    other = _target(enterprise=8, water="别的河")
    assert rules.relapsed(other, [_closed(1, 5, water="琵琶河")], NOW, POLICY) == []
    nothing = _target(enterprise=None, water=None)
    assert rules.relapsed(nothing, [_closed(1, 5, enterprise=None)], NOW, POLICY) == []


def test_relapse_needs_the_same_category() -> None:
    """A VOCs problem at a plant whose wastewater problem was closed is not a relapse."""
    vocs = _target(category="6T.vocs")
    assert rules.relapsed(vocs, [_closed(1, 5)], NOW, POLICY) == []


def test_a_lake_across_districts_is_not_one_target() -> None:
    """太湖 touches several districts: a new problem in 吴中 is not 吴江's relapse."""
    wujiang = _closed(1, 5, enterprise=None, water="太湖", division="320509")
    wuzhong = _target(enterprise=None, water="太湖", division="320506")
    assert rules.relapsed(wuzhong, [wujiang], NOW, POLICY) == []
    same = _target(enterprise=None, water="太湖", division="320509")
    assert [h.id for h in rules.relapsed(same, [wujiang], NOW, POLICY)] == [1]


# -- 以罚代管 --------------------------------------------------------------------------------------


def _fine(no: str, on: date, violation: str = "废气超标排放") -> Fine:
    return Fine(no, on, violation, 100000.0, authority_org_id=22)


TODAY = date(2018, 5, 10)


def test_three_fines_for_one_violation_within_a_year_fire() -> None:
    fines = [
        _fine("A1", date(2017, 8, 1)),
        _fine("A2", date(2018, 1, 5)),
        _fine("A3", date(2018, 5, 2)),
    ]
    series = rules.repeat_fines(fines, TODAY, POLICY)
    assert series is not None and [f.case_no for f in series] == ["A1", "A2", "A3"]


def test_two_fines_or_different_violations_do_not_fire() -> None:
    two = [_fine("A1", date(2018, 1, 5)), _fine("A2", date(2018, 5, 2))]
    assert rules.repeat_fines(two, TODAY, POLICY) is None
    mixed = [*two, _fine("B1", date(2018, 3, 1), "危废非法贮存")]
    assert rules.repeat_fines(mixed, TODAY, POLICY) is None


def test_fines_spread_over_more_than_the_window_do_not_fire() -> None:
    spread = [
        _fine("A1", date(2016, 1, 5)),
        _fine("A2", date(2017, 1, 5)),
        _fine("A3", date(2018, 1, 5)),
    ]
    assert rules.repeat_fines(spread, TODAY, POLICY) is None


def test_an_old_series_is_history_not_a_clue() -> None:
    old = [
        _fine("A1", date(2015, 1, 5)),
        _fine("A2", date(2015, 2, 5)),
        _fine("A3", date(2015, 3, 5)),
    ]
    assert rules.repeat_fines(old, TODAY, POLICY) is None


def test_the_trigger_is_stable_when_more_fines_follow() -> None:
    first = [
        _fine("A1", date(2018, 1, 5)),
        _fine("A2", date(2018, 2, 5)),
        _fine("A3", date(2018, 3, 5)),
    ]
    later = [*first, _fine("A4", date(2018, 4, 5))]
    assert rules.repeat_fines(first, TODAY, POLICY) == rules.repeat_fines(later, TODAY, POLICY)


# -- 报警超时未响应 ----------------------------------------------------------------------------


def test_an_alarm_unacknowledged_past_its_limit_fires() -> None:
    raised = NOW - timedelta(hours=3)
    assert rules.alarm_overdue("tamper", raised, None, NOW, POLICY)  # limit 2 h
    assert not rules.alarm_overdue("exceedance", raised, None, NOW, POLICY)  # limit 4 h


def test_an_alarm_acknowledged_in_time_does_not_fire_but_a_late_one_does() -> None:
    raised = NOW - timedelta(hours=30)
    assert not rules.alarm_overdue("other", raised, raised + timedelta(hours=23), NOW, POLICY)
    assert rules.alarm_overdue("other", raised, raised + timedelta(hours=25), NOW, POLICY)


# -- keys and statuses -------------------------------------------------------------------------


def test_cause_keys_are_ascii_and_fit_the_idempotency_alphabet() -> None:
    import re

    keys = [
        rules.key_repeat_fines(3, "废气超标排放", "苏环罚〔2018〕12号"),
        rules.key_tampering("32058300000001", "ab" * 32),
        rules.key_manual(1, 2, DutyFailure.ENFORCEMENT),
        rules.key_relapse(5),
    ]
    for key in keys:
        assert re.fullmatch(r"[A-Za-z0-9._:\-]{1,120}", key), key


def test_clue_statuses_only_move_forward() -> None:
    assert rules.may_move_state(ClueState.DELIVERED, ClueState.RECEIVED)
    assert rules.may_move_state(ClueState.GENERATED, ClueState.RECEIVED)  # overtook delivery
    assert rules.may_move_state(ClueState.ACCEPTED, ClueState.CONCLUDED)
    assert not rules.may_move_state(ClueState.ACCEPTED, ClueState.RECEIVED)
    assert not rules.may_move_state(ClueState.RECEIVED, ClueState.CONCLUDED)
    assert not rules.may_move_state(ClueState.REJECTED, ClueState.ACCEPTED)
