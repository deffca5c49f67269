"""Pure ledger rules: no database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eco263.actor import Actor, Role
from eco263.deadlines import DeadlineRuleError, explicit_due, load_catalogue
from eco263.problems import rules
from eco263.problems.enums import AssignmentState, Escalation, Move, ProblemState
from eco263.workdays import get_calendar

CAL = get_calendar()
POLICY = rules.EscalationPolicy()
RULES = load_catalogue()


def _actor(role: Role, org: int | None = None) -> Actor:
    return Actor(1, "x", role, "320583", "320000/320500/320583/", organization_id=org)


def test_congress_inquiry_is_due_three_calendar_months_later() -> None:
    deadline = rules.ledger_due("人大询问", date(2018, 4, 27), CAL, RULES)
    assert deadline.due == date(2018, 7, 27)
    assert (
        "3 个月" in deadline.reason
        and "2018-04-27" in deadline.reason
        and "人大询问" in deadline.reason
    )


def test_joint_enforcement_is_due_seven_working_days_later_across_may_day() -> None:
    deadline = rules.ledger_due("联合执法", date(2018, 4, 27), CAL, RULES)
    assert deadline.due == date(2018, 5, 9)
    assert deadline.reason == "7 个工作日，自 2018-04-27 起算（联合执法）"
    assert (deadline.rule, deadline.start) == ("ledger.source.联合执法", date(2018, 4, 27))


def test_a_source_without_rule_takes_the_default_rule(tmp_path) -> None:  # type: ignore[no-untyped-def]
    deadline = rules.ledger_due("巡察", date(2018, 4, 27), CAL, RULES)
    assert deadline.due == CAL.add_workdays(date(2018, 4, 27), 15)
    assert deadline.reason == "15 个工作日，自 2018-04-27 起算（巡察）"
    assert deadline.rule == "ledger.default"
    office = tmp_path / "deadlines.yaml"
    office.write_text(
        "ledger.default: {title: 默认, n: 3, unit: workdays, runs_from: 发现, basis: 本办规定}\n",
        encoding="utf-8",
    )
    mine = rules.ledger_due("巡察", date(2018, 4, 27), CAL, load_catalogue(office))
    assert mine.due == CAL.add_workdays(date(2018, 4, 27), 3)


def test_explicit_deadline_before_the_day_it_is_set_is_refused() -> None:
    with pytest.raises(ValueError, match="早于"):
        explicit_due(date(2018, 5, 1), date(2018, 5, 10), "交办时指定")


@pytest.mark.parametrize(
    ("state", "move", "target"),
    [
        (AssignmentState.ASSIGNED, Move.ACCEPT, AssignmentState.RECTIFYING),
        (AssignmentState.RECTIFYING, Move.SUBMIT, AssignmentState.VERIFYING),
        (AssignmentState.VERIFYING, Move.VERIFY, AssignmentState.VERIFIED),
        (AssignmentState.VERIFYING, Move.RETURN, AssignmentState.RECTIFYING),
        (AssignmentState.ASSIGNED, Move.VERIFY, None),
        (AssignmentState.RECTIFYING, Move.VERIFY, None),
        (AssignmentState.VERIFIED, Move.RETURN, None),
    ],
)
def test_transition_table(
    state: AssignmentState, move: Move, target: AssignmentState | None
) -> None:
    assert rules.next_assignment_state(state, move) == target


def _work(unit: int, *, accounts: bool = True, by: int | None = None, org: int | None = None):  # type: ignore[no-untyped-def]
    return rules.WorkRecord(unit, accounts, submitted_by=by, submitted_by_org=org)


def test_department_may_only_accept_and_submit_its_own_assignment() -> None:
    dept = _actor(Role.DEPARTMENT, org=7)
    assert rules.allowed_moves(dept, AssignmentState.ASSIGNED, _work(7)) == [Move.ACCEPT]
    assert rules.allowed_moves(dept, AssignmentState.ASSIGNED, _work(8)) == []
    assert rules.allowed_moves(dept, AssignmentState.VERIFYING, _work(7)) == []
    office = _actor(Role.DISTRICT_OFFICE)
    verifying = rules.allowed_moves(office, AssignmentState.VERIFYING, _work(7))
    assert verifying == [Move.VERIFY, Move.RETURN]


def test_an_office_makes_a_units_moves_only_for_a_unit_without_an_account() -> None:
    office = Actor(1, "x", Role.DISTRICT_OFFICE, "320583", "p/", organization_id=9)
    assert rules.allowed_moves(office, AssignmentState.ASSIGNED, _work(7)) == []
    assert rules.allowed_moves(office, AssignmentState.ASSIGNED, _work(7, accounts=False)) == [
        Move.ACCEPT
    ]
    assert rules.proxy_refusal(office, _work(7, accounts=False), explained=False) is not None
    assert rules.proxy_refusal(office, _work(7, accounts=False), explained=True) is None
    assert "已开通账号" in str(rules.proxy_refusal(office, _work(7), explained=True))


def test_neither_the_submitter_nor_the_office_that_submitted_for_the_unit_verifies() -> None:
    office = Actor(1, "x", Role.DISTRICT_OFFICE, "320583", "p/", organization_id=9)
    colleague = Actor(2, "y", Role.DISTRICT_OFFICE, "320583", "p/", organization_id=9)
    city = Actor(3, "z", Role.CITY_OFFICE, "320500", "p/", organization_id=1)
    proxied = _work(7, accounts=False, by=1, org=9)
    assert "不能核查" in str(rules.duty_conflict(office, Move.VERIFY, proxied))
    assert "其他单位核查" in str(rules.duty_conflict(colleague, Move.RETURN, proxied))
    assert rules.duty_conflict(city, Move.VERIFY, proxied) is None
    assert rules.allowed_moves(colleague, AssignmentState.VERIFYING, proxied) == []
    own = _work(7, by=5, org=7)  # the unit submitted itself
    assert rules.duty_conflict(colleague, Move.VERIFY, own) is None


def test_whoever_asked_for_an_extension_never_decides_it() -> None:
    office = Actor(1, "x", Role.DISTRICT_OFFICE, "320583", "p/", organization_id=9)
    colleague = Actor(2, "y", Role.DISTRICT_OFFICE, "320583", "p/", organization_id=9)
    assert "不能审批" in str(rules.extension_decision_refusal(office, 1, 9))
    assert "其他单位审批" in str(rules.extension_decision_refusal(colleague, 1, 9))
    assert rules.extension_decision_refusal(colleague, 5, 7) is None


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.VIEWER, Role.ENTERPRISE])
def test_read_only_roles_may_make_no_move(role: Role) -> None:
    for move in Move:
        assert not rules.may_make(_actor(role, org=7), move, assignee_org_id=7)


def test_problem_closes_only_when_every_assignment_is_verified() -> None:
    v, r = AssignmentState.VERIFIED, AssignmentState.RECTIFYING
    assert rules.derive_problem_state([]) == ProblemState.REGISTERED
    assert rules.derive_problem_state([v, r]) == ProblemState.RECTIFYING
    assert rules.derive_problem_state([v, AssignmentState.VERIFYING]) == ProblemState.VERIFYING
    assert rules.derive_problem_state([v, v]) == ProblemState.CLOSED
    assert rules.derive_problem_state([AssignmentState.ASSIGNED, v]) == ProblemState.ASSIGNED


def test_escalation_levels_around_may_day_2018() -> None:
    today = date(2018, 5, 10)  # Thursday
    level = lambda due: rules.escalation_level(due, today, CAL, POLICY)  # noqa: E731
    assert level(date(2018, 5, 31)) == Escalation.NONE
    assert level(date(2018, 5, 14)) == Escalation.DUE_SOON  # Fri 11, Mon 14: 2 working days
    assert level(date(2018, 5, 10)) == Escalation.DUE_SOON  # due today
    assert level(date(2018, 5, 9)) == Escalation.YELLOW  # 1 working day overdue
    assert level(date(2018, 5, 4)) == Escalation.YELLOW  # 7, 8, 9, 10: 4 working days
    assert level(date(2018, 5, 3)) == Escalation.RED  # 5 working days overdue
    sunday = date(2018, 5, 13)
    assert rules.escalation_level(date(2018, 5, 11), sunday, CAL, POLICY) == Escalation.OVERDUE


@settings(max_examples=200, deadline=None)
@given(
    today=st.dates(min_value=date(2016, 1, 1), max_value=date(2026, 10, 1)),
    offset=st.integers(min_value=-60, max_value=60),
)
def test_cutoffs_agree_with_the_level_of_every_due_date(today: date, offset: int) -> None:
    """The sweep's indexed date ranges select exactly the rows whose level is reached."""
    cutoffs = rules.escalation_cutoffs(today, CAL, POLICY)
    due = today + timedelta(days=offset)
    assert cutoffs.level_for(due) == rules.escalation_level(due, today, CAL, POLICY)


def test_the_ledger_rules_name_only_known_sources(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rules.check_ledger_rules(RULES)
    assert RULES.get("ledger.source.人大询问").unit == "months"
    assert RULES.get("ledger.source.联合执法").n == 7
    typo = tmp_path / "deadlines.yaml"
    typo.write_text(
        "ledger.source.小道消息: {title: x, n: 3, unit: days, runs_from: 发现, basis: x}\n",
        encoding="utf-8",
    )
    with pytest.raises(DeadlineRuleError, match="未知问题来源"):
        rules.check_ledger_rules(load_catalogue(typo))
    unknown = tmp_path / "other.yaml"
    unknown.write_text(
        "nowhere.rule: {title: x, n: 3, unit: days, runs_from: 发现, basis: x}\n",
        encoding="utf-8",
    )
    with pytest.raises(DeadlineRuleError, match="未知的规则键"):
        load_catalogue(unknown)


def test_an_office_does_not_verify_work_assigned_to_itself() -> None:
    office = Actor(1, "x", Role.DISTRICT_OFFICE, "320583", "p/", organization_id=9)
    assert rules.allowed_moves(office, AssignmentState.VERIFYING, _work(9)) == []
    assert rules.allowed_moves(office, AssignmentState.ASSIGNED, _work(9)) == [Move.ACCEPT]
    verifying = rules.allowed_moves(office, AssignmentState.VERIFYING, _work(7))
    assert verifying == [Move.VERIFY, Move.RETURN]
