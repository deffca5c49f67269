"""Pure ledger rules: no database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eco263.actor import Actor, Role
from eco263.problems import rules
from eco263.problems.enums import AssignmentState, Escalation, Move, ProblemState
from eco263.workdays import get_calendar

CAL = get_calendar()
POLICY = rules.EscalationPolicy()
RULES = rules.load_deadline_rules()


def _actor(role: Role, org: int | None = None) -> Actor:
    return Actor(1, "x", role, "320583", "320000/320500/320583/", organization_id=org)


def test_congress_inquiry_is_due_three_calendar_months_later() -> None:
    deadline = rules.compute_deadline("人大询问", date(2018, 4, 27), CAL, RULES, 15)
    assert deadline.due == date(2018, 7, 27)
    assert (
        "3 个月" in deadline.reason
        and "2018-04-27" in deadline.reason
        and "人大询问" in deadline.reason
    )


def test_joint_enforcement_is_due_seven_working_days_later_across_may_day() -> None:
    deadline = rules.compute_deadline("联合执法", date(2018, 4, 27), CAL, RULES, 15)
    assert deadline.due == date(2018, 5, 9)
    assert deadline.reason == "7 个工作日，自 2018-04-27 起算（联合执法）"


def test_a_source_without_rule_takes_the_configured_default() -> None:
    deadline = rules.compute_deadline("巡察", date(2018, 4, 27), CAL, RULES, 3)
    assert deadline.due == CAL.add_workdays(date(2018, 4, 27), 3)
    assert "默认" not in deadline.reason or "巡察" in deadline.reason


def test_explicit_deadline_before_the_day_it_is_set_is_refused() -> None:
    with pytest.raises(ValueError, match="早于"):
        rules.explicit_deadline(date(2018, 5, 1), date(2018, 5, 10), "交办时指定")


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


def test_department_may_only_accept_and_submit_its_own_assignment() -> None:
    dept = _actor(Role.DEPARTMENT, org=7)
    assert rules.allowed_moves(dept, AssignmentState.ASSIGNED, 7) == [Move.ACCEPT]
    assert rules.allowed_moves(dept, AssignmentState.ASSIGNED, 8) == []
    assert rules.allowed_moves(dept, AssignmentState.VERIFYING, 7) == []
    office = _actor(Role.DISTRICT_OFFICE)
    assert rules.allowed_moves(office, AssignmentState.VERIFYING, 7) == [Move.VERIFY, Move.RETURN]


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


def test_deadline_rules_file_names_only_known_sources() -> None:
    assert RULES["人大询问"].kind == "months"
    assert RULES["联合执法"].n == 7


def test_an_office_does_not_verify_work_assigned_to_itself() -> None:
    office = Actor(1, "x", Role.DISTRICT_OFFICE, "320583", "p/", organization_id=9)
    assert rules.allowed_moves(office, AssignmentState.VERIFYING, 9) == []
    assert rules.allowed_moves(office, AssignmentState.ASSIGNED, 9) == [Move.ACCEPT]
    assert rules.allowed_moves(office, AssignmentState.VERIFYING, 7) == [Move.VERIFY, Move.RETURN]
