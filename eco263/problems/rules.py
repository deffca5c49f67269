"""Pure ledger rules: transitions, guards, deadlines, escalation, duplicates.

Nothing here touches the database or reads the clock; ``today``/``now`` are
parameters, the calendar is passed in.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from eco263.actor import Actor, Role
from eco263.problems.enums import AssignmentState, Escalation, Move, ProblemState, Source
from eco263.workdays import WorkCalendar, describe_months, describe_workdays

# -- transitions -------------------------------------------------------------------------------

ASSIGNMENT_TRANSITIONS: Mapping[AssignmentState, Mapping[Move, AssignmentState]] = {
    AssignmentState.ASSIGNED: {Move.ACCEPT: AssignmentState.RECTIFYING},
    AssignmentState.RECTIFYING: {Move.SUBMIT: AssignmentState.VERIFYING},
    AssignmentState.VERIFYING: {
        Move.VERIFY: AssignmentState.VERIFIED,
        Move.RETURN: AssignmentState.RECTIFYING,
    },
    AssignmentState.VERIFIED: {},
}

PROBLEM_MOVES: Mapping[ProblemState, frozenset[Move]] = {
    ProblemState.REGISTERED: frozenset({Move.DISPATCH, Move.MERGE}),
    ProblemState.ASSIGNED: frozenset({Move.DISPATCH, Move.MERGE}),
    ProblemState.RECTIFYING: frozenset({Move.DISPATCH}),
    ProblemState.VERIFYING: frozenset({Move.DISPATCH}),
    ProblemState.CLOSED: frozenset(),
    ProblemState.MERGED: frozenset(),
}

#: Which side of the work may make a move: the assignee unit, or the office that verifies.
ASSIGNEE_MOVES = frozenset({Move.ACCEPT, Move.SUBMIT})
OFFICE_MOVES = frozenset({Move.VERIFY, Move.RETURN, Move.DISPATCH, Move.MERGE})
VERIFIER_MOVES = frozenset({Move.VERIFY, Move.RETURN})


def next_assignment_state(state: AssignmentState, move: Move) -> AssignmentState | None:
    """The state after ``move``, or None when the move is illegal from ``state``."""
    return ASSIGNMENT_TRANSITIONS[state].get(move)


def legal_assignment_moves(state: AssignmentState) -> list[Move]:
    return list(ASSIGNMENT_TRANSITIONS[state])


def may_make(actor: Actor, move: Move, *, assignee_org_id: int | None = None) -> bool:
    """Role guard: offices verify and dispatch; the assigned unit accepts and submits.

    Offices may also accept/submit on a unit's behalf (paper-based towns), but no
    one verifies or returns work assigned to their own organization (no 自查自验);
    the supervisor, enterprise and viewer roles never change a problem.
    """
    if actor.is_system:
        return True
    if actor.role in (Role.CITY_OFFICE, Role.DISTRICT_OFFICE):
        own_work = assignee_org_id is not None and assignee_org_id == actor.organization_id
        return not (own_work and move in VERIFIER_MOVES)
    if actor.role == Role.DEPARTMENT:
        return move in ASSIGNEE_MOVES and actor.organization_id == assignee_org_id
    return False


def allowed_moves(actor: Actor, state: AssignmentState, assignee_org_id: int) -> list[Move]:
    """Moves this actor may make on this assignment now (the buttons a page shows)."""
    return [
        m
        for m in legal_assignment_moves(state)
        if may_make(actor, m, assignee_org_id=assignee_org_id)
    ]


def derive_problem_state(states: Iterable[AssignmentState]) -> ProblemState:
    """A dispatched problem's state follows its assignments; it closes when all are verified."""
    present = set(states)
    if not present:
        return ProblemState.REGISTERED
    if present == {AssignmentState.VERIFIED}:
        return ProblemState.CLOSED
    if AssignmentState.ASSIGNED in present:
        return ProblemState.ASSIGNED
    if AssignmentState.RECTIFYING in present:
        return ProblemState.RECTIFYING
    return ProblemState.VERIFYING


OPEN_PROBLEM_STATES = frozenset(
    {
        ProblemState.REGISTERED,
        ProblemState.ASSIGNED,
        ProblemState.RECTIFYING,
        ProblemState.VERIFYING,
    }
)

# -- deadlines -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    kind: str  # workdays | months | days
    n: int
    basis: str = ""


@dataclass(frozen=True, slots=True)
class Deadline:
    due: date
    reason: str


def _data_path(name: str) -> Path:
    return Path(str(resources.files("eco263") / "data" / name))


@lru_cache(maxsize=4)
def load_deadline_rules(path: Path | None = None) -> dict[str, DeadlineRule]:
    raw: dict[str, dict[str, Any]] = yaml.safe_load(
        (path or _data_path("deadline_rules.yaml")).read_text(encoding="utf-8")
    )
    rules = {
        src: DeadlineRule(str(r["kind"]), int(r["n"]), str(r.get("basis", "")))
        for src, r in raw.items()
    }
    for src, rule in rules.items():
        Source(src)  # unknown source names are a configuration error
        if rule.kind not in ("workdays", "months", "days") or rule.n <= 0:
            raise ValueError(f"时限规则无效：{src} {rule}")
    return rules


def compute_deadline(
    source: str,
    start: date,
    calendar: WorkCalendar,
    rules: Mapping[str, DeadlineRule],
    default_workdays: int,
) -> Deadline:
    """The due date for a problem of ``source`` found on ``start``, with a readable reason.

    Month and day periods that end on a rest day move to the next working day
    (民法典 §203); working-day periods always end on a working day.
    """
    rule = rules.get(source, DeadlineRule("workdays", default_workdays, "默认时限"))
    label = f"（{source}）"
    if rule.kind == "months":
        due = calendar.add_months(start, rule.n, roll_to_workday=True)
        return Deadline(due, describe_months(rule.n, start) + label)
    if rule.kind == "days":
        due = calendar.add_days(start, rule.n, roll_to_workday=True)
        return Deadline(due, f"{rule.n} 日{label}，自 {start.isoformat()} 起算")
    due = calendar.add_workdays(start, rule.n)
    return Deadline(due, describe_workdays(rule.n, start) + label)


def explicit_deadline(due: date, start: date, why: str) -> Deadline:
    """A deadline set by hand; it may not lie before the day it was set."""
    if due < start:
        raise ValueError(f"期限 {due.isoformat()} 早于起算日 {start.isoformat()}")
    return Deadline(due, f"{why}：限 {due.isoformat()} 前完成")


# -- escalation ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EscalationPolicy:
    due_soon_within_workdays: int = 2
    yellow_after_overdue_workdays: int = 1
    red_after_overdue_workdays: int = 5
    red_card_duty_failure: str = "主动履职不到位"


@lru_cache(maxsize=4)
def load_escalation_policy(path: Path | None = None) -> EscalationPolicy:
    raw = yaml.safe_load((path or _data_path("escalation.yaml")).read_text(encoding="utf-8"))
    return EscalationPolicy(**raw)


def escalation_level(
    due: date, today: date, calendar: WorkCalendar, policy: EscalationPolicy
) -> Escalation:
    """Where an open assignment due on ``due`` stands on ``today``."""
    if today > due:
        overdue_by = calendar.workdays_between(due, today)
        if overdue_by >= policy.red_after_overdue_workdays:
            return Escalation.RED
        if overdue_by >= policy.yellow_after_overdue_workdays:
            return Escalation.YELLOW
        return Escalation.OVERDUE
    if calendar.workdays_between(today, due) <= policy.due_soon_within_workdays:
        return Escalation.DUE_SOON
    return Escalation.NONE


@dataclass(frozen=True, slots=True)
class EscalationCutoffs:
    """For each level, the latest due date that has reached it on the sweep day.

    The level is monotone in the due date, so the sweep can select candidates
    with plain indexed range conditions instead of computing every row.
    """

    latest_due: Mapping[Escalation, date]

    def level_for(self, due: date) -> Escalation:
        levels = sorted(self.latest_due, reverse=True)  # RED first
        for level in levels:
            if due <= self.latest_due[level]:
                return level
        return Escalation.NONE


def escalation_cutoffs(
    today: date, calendar: WorkCalendar, policy: EscalationPolicy
) -> EscalationCutoffs:
    """Scan a window of due dates around ``today`` once, find each level's boundary."""
    span = 3 * max(policy.red_after_overdue_workdays, policy.due_soon_within_workdays) + 21
    days = [today + timedelta(days=k) for k in range(-span, span + 1)]
    levels = [escalation_level(d, today, calendar, policy) for d in days]
    latest: dict[Escalation, date] = {}
    for level in (Escalation.DUE_SOON, Escalation.OVERDUE, Escalation.YELLOW, Escalation.RED):
        # levels are non-increasing along days: count the days still at >= level
        idx = bisect.bisect_right([-int(lv) for lv in levels], -int(level))
        if idx > 0:
            latest[level] = days[idx - 1]
    return EscalationCutoffs(latest)


# -- duplicates ----------------------------------------------------------------------------------


def duplicate_keys(
    category_code: str, enterprise_id: int | None, water_body: str | None
) -> list[tuple[str, str]]:
    """Keys that make two open problems 'the same': same category and enterprise or water body."""
    keys: list[tuple[str, str]] = []
    if enterprise_id is not None:
        keys.append(("enterprise", f"{category_code}:{enterprise_id}"))
    if water_body:
        keys.append(("water_body", f"{category_code}:{water_body.strip()}"))
    return keys
