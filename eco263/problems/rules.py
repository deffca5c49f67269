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

import yaml

from eco263.actor import OFFICE_ROLES, Actor, Role
from eco263.deadlines import Catalogue, DeadlineRuleError, Due
from eco263.problems.enums import AssignmentState, Escalation, Move, ProblemState, Source
from eco263.workdays import WorkCalendar

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

    Offices may also accept/submit for a unit without an account of its own (代办, see
    :func:`proxy_refusal`), but no one verifies or returns work assigned to their own
    organization (no 自查自验); the supervisor, enterprise and viewer roles never change a
    problem.
    """
    if actor.is_system:
        return True
    if actor.role in OFFICE_ROLES:
        own_work = assignee_org_id is not None and assignee_org_id == actor.organization_id
        return not (own_work and move in VERIFIER_MOVES)
    if actor.role == Role.DEPARTMENT:
        return move in ASSIGNEE_MOVES and actor.organization_id == assignee_org_id
    return False


URGE_CLOSED = "该事项已核查通过（销号），不能催办"


def urger_refusal(actor: Actor, assignee_org_id: int) -> str | None:
    """催办: only a 263 office (city or district; outside its area the caller gives a 404)
    presses a unit, and never its own organization.  None when allowed, else why not."""
    if actor.role not in OFFICE_ROLES:
        return "只有263办可以催办"
    if actor.organization_id is not None and actor.organization_id == assignee_org_id:
        return "不能催办本单位承办的事项"
    return None


def may_urge(actor: Actor, assignee_org_id: int, state: AssignmentState) -> bool:
    """The actor may press 催办 on an assignment in this state (an open one) now."""
    return state != AssignmentState.VERIFIED and urger_refusal(actor, assignee_org_id) is None


# -- separation of duties: no one account closes a task alone ------------------------------------


@dataclass(frozen=True, slots=True)
class WorkRecord:
    """Who has done an assignment's unit-side work so far."""

    organization_id: int  # the unit the work is assigned to
    unit_has_accounts: bool  # the unit can act itself (then nobody may act for it)
    submitted_by: int | None = None  # the person who submitted the rectification
    submitted_by_org: int | None = None  # their organization (an office's, when 代办)

    @property
    def proxy_org(self) -> int | None:
        """The office that submitted for the unit (代办), if one did."""
        if self.submitted_by_org is None or self.submitted_by_org == self.organization_id:
            return None
        return self.submitted_by_org


def acts_for_unit(actor: Actor, assignee_org_id: int) -> bool:
    """An office making the unit's own move (签收, 提交, 申请延期) for it: 代办."""
    return actor.role in OFFICE_ROLES and actor.organization_id != assignee_org_id


def proxy_refusal(actor: Actor, work: WorkRecord, *, explained: bool) -> str | None:
    """Why the actor may not make a unit's move this way, or None.

    An office acts for a unit only when the unit has no account of its own, and only
    explicitly: with the reason and a piece of evidence (``explained``).
    """
    if actor.is_system or not acts_for_unit(actor, work.organization_id):
        return None
    if work.unit_has_accounts:
        return "该单位已开通账号，应由本单位办理，263办不能代办"
    if not explained:
        return "代办须填写代办理由并附证明材料"
    return None


def duty_conflict(actor: Actor, move: Move, work: WorkRecord) -> str | None:
    """Why separation of duties forbids ``move`` to this actor, or None.

    The person who submitted a rectification never verifies or returns it; when an office
    submitted it for the unit (代办), nobody of that office does either.
    """
    if actor.is_system or move not in VERIFIER_MOVES:
        return None
    if work.submitted_by is not None and work.submitted_by == actor.user_id:
        return "提交整改的人不能核查自己的提交"
    if work.proxy_org is not None and work.proxy_org == actor.organization_id:
        return "本单位代办提交的整改，须由其他单位核查"
    return None


def extension_decision_refusal(
    actor: Actor, requested_by: int | None, requested_by_org: int | None
) -> str | None:
    """Whoever asked for an extension never decides it, nor does anyone of the office that
    asked for the unit (代办) — and an office never decides its own organization's request."""
    if actor.is_system:
        return None
    if requested_by is not None and requested_by == actor.user_id:
        return "申请延期的人不能审批自己的申请"
    if requested_by_org is not None and requested_by_org == actor.organization_id:
        return "本单位提出（或代办）的延期申请，须由其他单位审批"
    return None


def allowed_moves(actor: Actor, state: AssignmentState, work: WorkRecord) -> list[Move]:
    """Moves this actor may make on this assignment now (the buttons a page shows).

    A unit's move an office could make only as 代办 is listed when the unit has no account
    (the page then asks for the reason and the evidence).
    """
    return [
        m
        for m in legal_assignment_moves(state)
        if may_make(actor, m, assignee_org_id=work.organization_id)
        and duty_conflict(actor, m, work) is None
        and not (m in ASSIGNEE_MOVES and proxy_refusal(actor, work, explained=True) is not None)
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


def ledger_due(source: str, found_on: date, calendar: WorkCalendar, catalogue: Catalogue) -> Due:
    """A problem's deadline by its source's rule in the catalogue (``ledger.source.<来源>``),
    else ``ledger.default``; it runs from ``found_on`` — the day the problem was found, or the
    day of the event the source's rule names (``runs_from``, e.g. a plan's approval)."""
    key = f"{LEDGER_SOURCE}{source}"
    if key in catalogue:
        return catalogue.due(key, found_on, calendar)
    return catalogue.due(LEDGER_DEFAULT, found_on, calendar, label=source)


LEDGER_SOURCE = "ledger.source."
LEDGER_DEFAULT = "ledger.default"


def check_ledger_rules(catalogue: Catalogue) -> None:
    """Every ``ledger.source.*`` rule names a known source (a typo is a configuration error)."""
    known = {s.value for s in Source}
    for key in catalogue.rules:
        if key.startswith(LEDGER_SOURCE) and key.removeprefix(LEDGER_SOURCE) not in known:
            raise DeadlineRuleError(f"时限规则 {key}：未知问题来源")
    catalogue.get(LEDGER_DEFAULT)


def _data_path(name: str) -> Path:
    return Path(str(resources.files("eco263") / "data" / name))


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
