"""Pure rules of a transfer (行刑衔接): who reads it, who takes each step, in which state, the
deadline of each step and when it is 临期 or 逾期.

No database here: the actions pass the row (anything shaped like :class:`Facts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final, Protocol

from eco263.actor import Actor, Role
from eco263.clock import SHANGHAI as LOCAL_TZ
from eco263.deadlines import Catalogue, Unit
from eco263.transfers.enums import (
    FINAL_STATES,
    STATE_LABELS,
    Complexity,
    TransferKind,
    TransferState,
)
from eco263.workdays import WorkCalendar

S = TransferState


class Facts(Protocol):
    """What the rules read of a transfer."""

    @property
    def state(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def enterprise_id(self) -> int | None: ...
    @property
    def division_code(self) -> str: ...
    @property
    def agency_org_id(self) -> int: ...
    @property
    def police_org_id(self) -> int | None: ...
    @property
    def proposed_by_id(self) -> int | None: ...


#: States the police unit sees a transfer in (from the hand-over on).
POLICE_VISIBLE: Final = frozenset(
    {
        S.HANDED_OVER,
        S.RECEIVED,
        S.MATERIAL_REQUESTED,
        S.FILED,
        S.REFUSED,
        S.REVIEW_REQUESTED,
        S.REFUSAL_UPHELD,
        S.CONCLUDED,
    }
)

#: The steps, the states they start from and who takes them ("agency" | "police").
STEPS: Final[dict[str, tuple[frozenset[TransferState], str]]] = {
    "decide": (frozenset({S.PROPOSED}), "agency_head"),
    "hand_over": (frozenset({S.APPROVED}), "agency"),
    "receive": (frozenset({S.HANDED_OVER}), "police"),
    "request_material": (frozenset({S.RECEIVED}), "police"),
    "supply_material": (frozenset({S.MATERIAL_REQUESTED}), "agency"),
    "police_decide": (frozenset({S.RECEIVED}), "police"),
    "request_review": (frozenset({S.REFUSED}), "agency"),
    "answer_review": (frozenset({S.REVIEW_REQUESTED}), "police"),
    "record_outcome": (frozenset({S.FILED}), "police"),
}

STEP_NAMES: Final = {
    "decide": "决定是否移送",
    "hand_over": "移交材料",
    "receive": "签收",
    "request_material": "要求补充材料",
    "supply_material": "补充材料",
    "police_decide": "作出立案决定",
    "request_review": "提请复议",
    "answer_review": "作出复议决定",
    "record_outcome": "记录处理结果",
}

#: The agency's own pending steps: sitting on one past its limit is 执法监管不到位.
AGENCY_PENDING: Final = frozenset({S.PROPOSED, S.APPROVED, S.MATERIAL_REQUESTED, S.REFUSED})


#: Roles of an agency's users (a bureau is a department; where a 263办 answers for a point,
#: the office itself).
AGENCY_ROLES: Final = frozenset({Role.DEPARTMENT, Role.DISTRICT_OFFICE, Role.CITY_OFFICE})


def may_read(actor: Actor, t: Facts) -> bool:
    """Who reads a transfer: never the enterprise concerned (nor any enterprise or the
    leaders' read-only view); the offices and the 纪委监委 of its division; the agency that
    proposed it; the police unit it is addressed to, once handed over."""
    if actor.is_system:
        return True
    if actor.enterprise_id is not None or actor.role in (Role.ENTERPRISE, Role.VIEWER, None):
        return False
    if actor.role in (Role.CITY_OFFICE, Role.DISTRICT_OFFICE, Role.SUPERVISOR):
        return actor.covers(t.division_code) or actor.organization_id == t.agency_org_id
    if actor.role == Role.DEPARTMENT:
        return actor.organization_id == t.agency_org_id
    if actor.role == Role.POLICE:
        return (
            actor.organization_id is not None
            and actor.organization_id == t.police_org_id
            and t.state in POLICE_VISIBLE
        )
    return False


def may_propose(actor: Actor, division_code: str, agency_org_id: int) -> str | None:
    """Why the actor may not propose a transfer for this agency, or None."""
    if actor.is_system:
        return None
    if actor.role in (Role.CITY_OFFICE, Role.DISTRICT_OFFICE) and actor.covers(division_code):
        return None
    if actor.role in AGENCY_ROLES and actor.organization_id == agency_org_id:
        return None
    return "只有办案的环保部门或本辖区263办可以提议移送"


def step_refusal(step: str, actor: Actor, t: Facts) -> str | None:
    """Why ``actor`` may not take ``step`` on ``t`` now, or None (the order, the role, the
    unit, and separation of duties: the proposer does not decide)."""
    states, who = STEPS[step]
    if t.state not in states:
        return f"当前状态为“{STATE_LABELS.get(t.state, t.state)}”，不能{STEP_NAMES[step]}"
    if actor.is_system:
        return None
    if who in ("agency", "agency_head"):
        if actor.role not in AGENCY_ROLES or actor.organization_id != t.agency_org_id:
            return f"只有办案的环保部门可以{STEP_NAMES[step]}"
        if who == "agency_head" and actor.user_id is not None and actor.user_id == t.proposed_by_id:
            return "提议移送的人不能决定是否移送"
        return None
    if actor.role != Role.POLICE or actor.organization_id != t.police_org_id:
        return f"只有接收移送的公安机关可以{STEP_NAMES[step]}"
    return None


# -- deadlines --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepDue:
    at: datetime
    rule: str
    reason: str


def filing_rule(kind: str, complexity: str | None) -> str:
    if kind == TransferKind.DETENTION:
        return "detention.police_decision"
    if complexity == Complexity.CHECK:
        return "police.filing_decision_check"
    if complexity == Complexity.COMPLEX:
        return "police.filing_decision_complex"
    return "police.filing_decision"


def handover_rule(kind: str) -> str:
    return "detention.handover" if kind == TransferKind.DETENTION else "transfer.handover"


def due(catalogue: Catalogue, calendar: WorkCalendar, key: str, start: datetime) -> StepDue:
    """The deadline of rule ``key`` for an event at ``start``: an hour rule from the instant, a
    day rule at the end (local midnight) of its last day."""
    rule = catalogue.get(key)
    if rule.unit == Unit.HOURS:
        at = catalogue.due_at(key, start)
        local = at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
        return StepDue(at, key, f"{rule.title}：{rule.n} 小时，限 {local} 前（{rule.basis}）")
    start_day = start.astimezone(LOCAL_TZ).date()
    computed = catalogue.due(key, start_day, calendar)
    return StepDue(end_of(computed.due), key, f"{rule.title}：{computed.reason}，限 {computed.due}")


def end_of(day: date) -> datetime:
    """The instant a day limit runs out: the next local midnight."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LOCAL_TZ).astimezone(UTC)


#: How long before a deadline a step is 临期 (not a legal limit: the office's warning margin).
WARN_HOURS: Final = {"hours": 6, "days": 24}


def warn_margin(unit: Unit) -> timedelta:
    return timedelta(hours=WARN_HOURS["hours" if unit == Unit.HOURS else "days"])


def escalation(t: Facts, due_at: datetime | None, margin: timedelta, now: datetime) -> str | None:
    """ "overdue", "warn" or None for the pending step of ``t`` at ``now``."""
    if due_at is None or t.state in FINAL_STATES:
        return None
    if now > due_at:
        return "overdue"
    if now >= due_at - margin:
        return "warn"
    return None
