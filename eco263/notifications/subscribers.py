"""Notifications listening to the domains (see :mod:`eco263.events`).

Each handler runs in the announcing action's transaction: a message (and its queued e-mail or
robot post) commits with its cause or not at all.  Who is told:

- a unit's part of a problem (交办, 临期, 逾期, 退回, 延期结果, 监督意见书, 催办): the active
  users of the unit;
- 黄牌 and 红牌 also the nearest 263 office above the problem's division: the unit's leader
  (``organizations.yaml`` ``leader``) has no account of their own, so the message names them
  and goes to the office that answers for the area and convenes the unit's leader;
- an alarm: the office of the point's division and, unless the alarm is 疑似造假 (a possible
  crime: never told to the suspect), the enterprise's users.

A 红牌 message never mentions the clue that supervision opens for it (clues are not shown to
the unit they concern).
"""

from __future__ import annotations

from collections.abc import Iterable

from eco263.alarms.enums import RULE_LABELS, Category
from eco263.alarms.events import AlarmRaised
from eco263.auth import service as users
from eco263.context import Ctx
from eco263.events import EventBus
from eco263.inquiries.events import InquiryReportOverdue
from eco263.inspections.events import OpinionReplyOverdue
from eco263.monitoring.enums import pollutant_label
from eco263.notifications.actions import Draft, notify_many
from eco263.notifications.enums import KIND_LABELS, LEVEL_KINDS, Kind
from eco263.problems import service as problems
from eco263.problems.events import (
    AssignmentFacts,
    AssignmentsDispatched,
    AssignmentsEscalated,
    AssignmentUrged,
    ExtensionDecided,
    RectificationReturned,
)
from eco263.registry import service as registry
from eco263.supervision.events import OpinionReceived


class _Lookup:
    """Problem titles, unit names and users for one event, each read once."""

    def __init__(self, ctx: Ctx, facts: Iterable[AssignmentFacts]) -> None:
        facts = list(facts)
        self.ctx = ctx
        self.problems = problems.titles_and_divisions(ctx.session, {f.problem_id for f in facts})
        self.orgs = registry.organizations_by_id(ctx.session, {f.organization_id for f in facts})
        self._users: dict[int, frozenset[int]] = {}
        self._offices: dict[str, frozenset[int]] = {}

    def title(self, problem_id: int) -> str:
        return self.problems.get(problem_id, (f"问题 {problem_id}", ""))[0]

    def unit(self, org_id: int) -> str:
        org = self.orgs.get(org_id)
        return org.name if org else "承办单位"

    def leader(self, org_id: int) -> str | None:
        org = self.orgs.get(org_id)
        return org.leader_name if org else None

    def unit_users(self, org_id: int) -> frozenset[int]:
        if org_id not in self._users:
            self._users[org_id] = frozenset(
                users.active_user_ids(self.ctx.session, organization_ids=[org_id])
            )
        return self._users[org_id]

    def office_users(self, problem_id: int) -> frozenset[int]:
        division = self.problems.get(problem_id, ("", ""))[1]
        if division not in self._offices:
            self._offices[division] = frozenset(
                users.nearest_office_user_ids(self.ctx.session, division)
            )
        return self._offices[division]


def _href(problem_id: int) -> str:
    return f"/problems/{problem_id}"


def _dispatched(ctx: Ctx, event: AssignmentsDispatched) -> None:
    look = _Lookup(ctx, event.assignments)
    notify_many(
        ctx,
        [
            Draft(
                Kind.ASSIGNED,
                f"assigned:{a.assignment_id}",
                look.unit_users(a.organization_id),
                f"新交办：{event.title}",
                f"{look.unit(a.organization_id)}承办，整改期限 {due.isoformat()}，请及时签收。",
                _href(a.problem_id),
            )
            for a, due in zip(event.assignments, event.due_dates, strict=True)
        ],
    )


def _escalated(ctx: Ctx, event: AssignmentsEscalated) -> None:
    look = _Lookup(ctx, [e.assignment for e in event.items])
    drafts = []
    for item in event.items:
        a, kind = item.assignment, LEVEL_KINDS.get(item.level)
        if kind is None:
            continue
        who = look.unit_users(a.organization_id)
        body = f"{look.unit(a.organization_id)}的整改期限 {item.due_date.isoformat()}"
        body += {
            Kind.DUE_SOON: "即将到期，请抓紧办理。",
            Kind.OVERDUE: "已过期，请尽快完成整改或申请延期。",
        }.get(kind, "已过期，预警升级。")
        if kind in (Kind.YELLOW, Kind.RED):
            who |= look.office_users(a.problem_id)
            leader = look.leader(a.organization_id)
            body += f"请报告单位负责人{leader}。" if leader else "请报告单位负责人。"
        drafts.append(
            Draft(
                kind,
                f"escalation:{a.assignment_id}:{item.level}",
                who,
                f"{KIND_LABELS[kind]}：{look.title(a.problem_id)}",
                body,
                _href(a.problem_id),
            )
        )
    notify_many(ctx, drafts)


def _returned(ctx: Ctx, event: RectificationReturned) -> None:
    a = event.assignment
    look = _Lookup(ctx, [a])
    notify_many(
        ctx,
        [
            Draft(
                Kind.RETURNED,
                f"returned:{a.assignment_id}:{event.returned_count}",
                look.unit_users(a.organization_id),
                f"退回整改：{look.title(a.problem_id)}",
                f"{look.unit(a.organization_id)}提交的整改未通过核查"
                f"（第 {event.returned_count} 次退回），请重新整改后提交。",
                _href(a.problem_id),
            )
        ],
    )


def _extension(ctx: Ctx, event: ExtensionDecided) -> None:
    a = event.assignment
    look = _Lookup(ctx, [a])
    result = (
        f"已批准，期限延至 {event.due_date.isoformat()}"
        if event.approved
        else f"未批准，期限仍为 {event.due_date.isoformat()}"
    )
    note = f"（{event.note}）" if event.note else ""
    notify_many(
        ctx,
        [
            Draft(
                Kind.EXTENSION,
                f"extension:{event.extension_id}",
                look.unit_users(a.organization_id),
                f"延期申请{'已批准' if event.approved else '未批准'}：{look.title(a.problem_id)}",
                f"{look.unit(a.organization_id)}的延期申请{result}{note}。",
                _href(a.problem_id),
            )
        ],
    )


def _urged(ctx: Ctx, event: AssignmentUrged) -> None:
    a = event.assignment
    look = _Lookup(ctx, [a])
    notify_many(
        ctx,
        [
            Draft(
                Kind.URGE,
                f"urge:{event.urge_id}",
                look.unit_users(a.organization_id),
                f"催办：{look.title(a.problem_id)}",
                f"{event.by_name}第 {event.urge_count} 次催办{look.unit(a.organization_id)}："
                f"{event.note}",
                _href(a.problem_id),
            )
        ],
    )


def _opinion(ctx: Ctx, event: OpinionReceived) -> None:
    who = frozenset(users.active_user_ids(ctx.session, organization_ids=[event.organization_id]))
    notify_many(
        ctx,
        [
            Draft(
                Kind.OPINION,
                f"opinion:{event.opinion_id}",
                who,
                f"监督意见书：{event.title}",
                f"收到监督意见书 {event.opinion_no}，整改期限 {event.deadline.isoformat()}。",
                _href(event.problem_id),
            )
        ],
    )


def _alarm(ctx: Ctx, event: AlarmRaised) -> None:
    who = set(users.nearest_office_user_ids(ctx.session, event.division_code))
    if event.enterprise_id is not None and event.category != Category.TAMPER.value:
        who |= users.active_user_ids(ctx.session, enterprise_ids=[event.enterprise_id])
    rule = RULE_LABELS.get(event.rule, "监测报警")
    notify_many(
        ctx,
        [
            Draft(
                Kind.ALARM,
                f"alarm:{event.alarm_id}",
                frozenset(who),
                f"监测报警：{event.point_name}",
                f"{event.point_name}{pollutant_label(event.pollutant)}：{rule}，请及时确认处理。",
                f"/alarms/{event.alarm_id}",
            )
        ],
    )


def _opinion_overdue(ctx: Ctx, event: OpinionReplyOverdue) -> None:
    """The inspected unit, and the 纪委 user who issued the opinion."""
    who = set(users.active_user_ids(ctx.session, organization_ids=[event.organization_id]))
    if event.issued_by is not None:
        who |= set(users.active_user_ids(ctx.session, user_ids=[event.issued_by]))
    notify_many(
        ctx,
        [
            Draft(
                Kind.OVERDUE,
                f"opinion_reply_overdue:{event.opinion_id}",
                frozenset(who),
                f"监督意见书逾期未回复：{event.number}",
                f"{event.target_name}的监督意见书 {event.number} 回复期限 "
                f"{event.reply_due.isoformat()} 已过 {event.overdue_workdays} 个工作日，"
                "尚未报送整改方案，请尽快报送。",
                f"/inspections/opinions/{event.opinion_id}",
            )
        ],
    )


def _report_overdue(ctx: Ctx, event: InquiryReportOverdue) -> None:
    """The office that drafts the handling report, and the committee's own users."""
    who = set(users.nearest_office_user_ids(ctx.session, event.division_code))
    who |= set(users.active_user_ids(ctx.session, organization_ids=[event.committee_org_id]))
    notify_many(
        ctx,
        [
            Draft(
                Kind.OVERDUE,
                f"inquiry_report_overdue:{event.sitting_id}",
                frozenset(who),
                f"审议意见落实情况报告逾期：{event.session_name}",
                f"{event.received_on.isoformat()} 收到的审议意见，落实情况报告应于 "
                f"{event.report_due.isoformat()} 前报送，已逾期 {event.overdue_days} 天。",
                f"/inquiries/{event.sitting_id}",
            )
        ],
    )


def subscribe(bus: EventBus[Ctx]) -> None:
    bus.subscribe(AssignmentsDispatched, _dispatched)
    bus.subscribe(AssignmentsEscalated, _escalated)
    bus.subscribe(RectificationReturned, _returned)
    bus.subscribe(ExtensionDecided, _extension)
    bus.subscribe(AssignmentUrged, _urged)
    bus.subscribe(OpinionReceived, _opinion)
    bus.subscribe(AlarmRaised, _alarm)
    bus.subscribe(OpinionReplyOverdue, _opinion_overdue)
    bus.subscribe(InquiryReportOverdue, _report_overdue)
