"""Pure rules of 联合执法: which step follows which, who may take it, what a plan and a result
must hold, and how far a leader's pending decision is from its deadline.

No database: the actions pass the facts in (the actor, ids, dates, the calendar).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from eco263.actor import Actor, Role
from eco263.errors import Conflict, Forbidden, InvalidInput
from eco263.joint_enforcement.enums import STATE_LABELS, Check, JointState, Reminder, Route
from eco263.workdays import WorkCalendar

#: Catalogue keys (eco263/data/deadlines.yaml).
APPROVAL_RULE = "joint.approval"  # the leader decides on a request / a plan
ACTION_RULE = "joint.action"  # each unit's part, from the plan's approval

#: step → the states it may start from, and the state it leads to.
STEPS: dict[str, tuple[frozenset[JointState], JointState]] = {
    "approve": (frozenset({JointState.REQUESTED}), JointState.APPROVED),
    "reject": (frozenset({JointState.REQUESTED}), JointState.REJECTED),
    "plan": (frozenset({JointState.APPROVED}), JointState.PLANNED),
    "approve_plan": (frozenset({JointState.PLANNED}), JointState.PLAN_APPROVED),
    "return_plan": (frozenset({JointState.PLANNED}), JointState.APPROVED),
    "issue": (frozenset({JointState.PLAN_APPROVED}), JointState.ACTING),
    "result": (frozenset({JointState.ACTING}), JointState.RESULTED),
    "verify": (frozenset({JointState.RESULTED}), JointState.CLOSED),
    "return_result": (frozenset({JointState.RESULTED}), JointState.ACTING),
}

STEP_LABELS = {
    "approve": "批准",
    "reject": "不予批准",
    "plan": "制定方案",
    "approve_plan": "批准方案",
    "return_plan": "退回方案",
    "issue": "下达任务",
    "result": "报送结果",
    "verify": "核查办结",
    "return_result": "退回结果",
}

#: The states in which a leader's decision is pending (with a deadline and reminders).
AWAITING_LEADER = frozenset({JointState.REQUESTED, JointState.PLANNED})

#: Routes that close the site: every 两断三清 check needs its photo.
CLOSING_ROUTES = frozenset({Route.SHUT_DOWN, Route.RELOCATE})


def next_state(state: str, step: str) -> JointState:
    """The state after ``step``, or Conflict (in Chinese) when it cannot be taken now."""
    starts, target = STEPS[step]
    if state not in starts:
        label = STATE_LABELS.get(JointState(state), state)
        raise Conflict(f"当前状态为“{label}”，不能{STEP_LABELS[step]}")
    return target


def may_request(actor: Actor) -> bool:
    """A town or department (for its own site) or the district's office asks for joint action."""
    return actor.role in (Role.DEPARTMENT, Role.DISTRICT_OFFICE, Role.CITY_OFFICE)


def require_office(actor: Actor, what: str) -> None:
    """The leading group's office (the 263 office) drafts, issues and verifies."""
    if not actor.is_office:
        raise Forbidden(f"只有263办可以{what}")


def require_leader(actor: Actor, is_leader: bool, asked_by: int | None) -> None:
    """The leader of the leading group decides, and never on what they asked for themselves."""
    if not is_leader:
        raise Forbidden("只有联合执法领导小组组长可以审批")
    if actor.user_id is not None and actor.user_id == asked_by:
        raise Forbidden("申请人（方案制定人）不能审批自己的申请")


def require_other_verifier(actor: Actor, submitted_by: int | None) -> None:
    """The one who reported the result never verifies it."""
    if actor.user_id is not None and actor.user_id == submitted_by:
        raise Forbidden("报送结果的人不能核查自己的结果")


@dataclass(frozen=True, slots=True)
class PlannedUnit:
    organization_id: int
    is_lead: bool
    tasks: str
    due_date: date | None = None


def check_plan(units: Iterable[PlannedUnit], action_date: date, today: date) -> None:
    """A plan has exactly one lead unit, no unit twice, and an action date not in the past."""
    units = list(units)
    leads = [u for u in units if u.is_lead]
    if not leads:
        raise InvalidInput("方案必须指定一个牵头单位", field="units")
    if len(leads) > 1:
        raise InvalidInput("方案只能有一个牵头单位", field="units")
    ids = [u.organization_id for u in units]
    if len(set(ids)) != len(ids):
        raise InvalidInput("同一单位在方案中出现了两次", field="units")
    if action_date < today:
        raise InvalidInput("联合执法日期不能早于今天", field="action_date")


def check_unit_dues(units: Iterable[PlannedUnit], plan_due: date, today: date) -> None:
    """A unit's own deadline may be earlier than the plan's, never later, never in the past."""
    for unit in units:
        if unit.due_date is None:
            continue
        if unit.due_date > plan_due:
            raise InvalidInput(
                f"单位期限 {unit.due_date.isoformat()} 晚于方案期限 {plan_due.isoformat()}",
                field="units",
            )
        if unit.due_date < today:
            raise InvalidInput("单位期限不能早于今天", field="units")


def check_result(route: str, checklist: Mapping[str, int]) -> Route:
    """The route is one of the three; a closing route needs a photo for each 两断三清 item."""
    try:
        parsed = Route(route)
    except ValueError:
        allowed = "、".join(r.value for r in Route)
        raise InvalidInput(f"处置方式应为{allowed}之一", field="route") from None
    unknown = set(checklist) - {c.value for c in Check}
    if unknown:
        raise InvalidInput(f"未知的两断三清项目：{'、'.join(sorted(unknown))}", field="checklist")
    if parsed in CLOSING_ROUTES:
        missing = [c.value for c in Check if c.value not in checklist]
        if missing:
            raise InvalidInput(
                f"{parsed.value}须逐项上传两断三清照片，缺少：{'、'.join(missing)}",
                field="checklist",
            )
    return parsed


def reminder_level(today: date, due: date, calendar: WorkCalendar) -> Reminder:
    """临期 on the last working day before the deadline, 逾期 after it."""
    if today > due:
        return Reminder.OVERDUE
    if calendar.add_workdays(today, 1) >= due:
        return Reminder.DUE_SOON
    return Reminder.NONE


REMINDER_ORDER = (Reminder.NONE, Reminder.DUE_SOON, Reminder.OVERDUE)
