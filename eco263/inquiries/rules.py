"""Pure rules of 专题询问: who records and who answers, the dates that must hold together
(sitting ≤ receipt ≤ today; a task never due after the report), which catalogue rule the
report's deadline follows, the report's steps, and the 满意度测评 count.

No database: the actions pass the facts in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from eco263.actor import Actor, Role
from eco263.errors import Conflict, Forbidden, InvalidInput
from eco263.inquiries.enums import REPORT_STATE_LABELS, Rating, ReportState

#: Catalogue key of the government's handling report (eco263/data/deadlines.yaml).
REPORT_RULE = "npc.report"

#: Working days left at which a pending report shows as 报告临期 on the workbench.
DUE_SOON_WORKDAYS = 10

#: Roles that answer a question for their own unit.
ANSWERING_ROLES = frozenset({Role.DEPARTMENT, Role.POLICE})

#: step → the report states it may start from, and the state it leads to.
REPORT_STEPS: dict[str, tuple[frozenset[ReportState], ReportState]] = {
    "draft": (frozenset({ReportState.NONE, ReportState.DRAFTED}), ReportState.DRAFTED),
    "approve": (frozenset({ReportState.DRAFTED}), ReportState.APPROVED),
    "return": (frozenset({ReportState.DRAFTED}), ReportState.NONE),
    "submit": (frozenset({ReportState.APPROVED}), ReportState.SUBMITTED),
}

STEP_LABELS = {
    "draft": "起草报告",
    "approve": "审核报告",
    "return": "退回报告",
    "submit": "报送报告",
}


def report_rule_key(keys: Iterable[str], division_code: str) -> str:
    """The committee's own rule ``npc.report.<division>`` if the office's file has one,
    else the catalogue's ``npc.report``."""
    own = f"{REPORT_RULE}.{division_code}"
    return own if own in set(keys) else REPORT_RULE


def require_city_office(actor: Actor, what: str) -> None:
    """The city 263 office records the sittings, questions, receipt, tasks and report."""
    if not (actor.is_system or actor.role == Role.CITY_OFFICE):
        raise Forbidden(f"只有市263办可以{what}")


def require_answerer(actor: Actor, organization_id: int) -> None:
    """Only the answering department writes the answer to its own question."""
    if actor.role not in ANSWERING_ROLES or actor.organization_id is None:
        raise Forbidden("只有应询部门可以答复询问")
    if actor.organization_id != organization_id:
        raise Forbidden("只能答复本部门应询的问题")


def require_other_approver(actor: Actor, drafted_by: int | None) -> None:
    """The one who drafted the report never approves it."""
    if actor.user_id is not None and actor.user_id == drafted_by:
        raise Forbidden("报告起草人不能审核自己起草的报告")


def next_report_state(state: str, step: str) -> ReportState:
    starts, target = REPORT_STEPS[step]
    if state not in starts:
        label = REPORT_STATE_LABELS.get(ReportState(state), state)
        raise Conflict(f"报告当前为“{label}”，不能{STEP_LABELS[step]}")
    return target


def check_held_on(held_on: date, today: date) -> None:
    if held_on > today:
        raise InvalidInput("会议日期不能晚于今天", field="held_on")


def check_received_on(received_on: date, held_on: date, today: date) -> None:
    """The 审议意见 arrives after the sitting and not in the future."""
    if received_on < held_on:
        raise InvalidInput("收到审议意见日期不能早于询问会议日期", field="received_on")
    if received_on > today:
        raise InvalidInput("收到审议意见日期不能晚于今天", field="received_on")


def require_received(received_on: date | None, what: str) -> date:
    if received_on is None:
        raise Conflict(f"尚未收到审议意见，不能{what}")
    return received_on


def check_task_due(due: date | None, report_due: date, today: date) -> None:
    """A task's own deadline lies between today and the report's deadline."""
    if due is None:
        return
    if due > report_due:
        raise InvalidInput(
            f"任务期限 {due.isoformat()} 晚于落实情况报告期限 {report_due.isoformat()}",
            field="due_date",
        )
    if due < today:
        raise InvalidInput("任务期限不能早于今天", field="due_date")


def parse_rating(text: str) -> Rating:
    try:
        return Rating(text)
    except ValueError:
        allowed = "、".join(r.value for r in Rating)
        raise InvalidInput(f"测评结果应为{allowed}之一", field="rating") from None


def count_ratings(votes: Iterable[str]) -> dict[str, int]:
    """满意/基本满意/不满意 → how many members voted so (every option present)."""
    counts = {r.value: 0 for r in Rating}
    for vote in votes:
        counts[vote] = counts.get(vote, 0) + 1
    return counts


def due_kind(workdays_left: int | None) -> str | None:
    """The workbench's label of a pending report: 报告逾期, 报告临期, or none yet."""
    if workdays_left is None:
        return "报告临期"
    if workdays_left < 0:
        return "报告逾期"
    if workdays_left <= DUE_SOON_WORKDAYS:
        return "报告临期"
    return None
