"""延期: the unit asks, the office decides; an approval moves the deadline on the record."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden, InvalidInput, NotFound
from eco263.problems import rules, service
from eco263.problems.actions._common import (
    assignment_facts,
    mark_proxied,
    on_behalf_record,
    require_office,
    work_record,
)
from eco263.problems.enums import AssignmentState, AuditAction, ExtensionState, Move
from eco263.problems.events import DeadlineExtended, ExtensionDecided
from eco263.problems.models import Assignment, ExtensionRequest
from eco263.problems.schemas import OnBehalfIn


def do_request_extension(
    ctx: Ctx,
    assignment_id: int,
    requested_due: date,
    reason: str,
    *,
    on_behalf: OnBehalfIn | None = None,
) -> ExtensionRequest:
    """The assigned unit asks for a later deadline; nothing moves until the office approves.

    An office asking for a unit without an account does so as 代办 (``on_behalf``), and
    then another organization decides.
    """
    assignment = service.get_assignment(ctx.session, ctx.actor, assignment_id)
    if not rules.may_make(ctx.actor, Move.SUBMIT, assignee_org_id=assignment.organization_id):
        raise Forbidden("只有承办单位或263办可以申请延期")
    proxy = on_behalf_record(ctx, assignment, work_record(ctx.session, assignment), on_behalf)
    if assignment.state == AssignmentState.VERIFIED.value:
        raise Conflict("已核查通过的事项不能延期")
    if requested_due <= assignment.due_date:
        raise InvalidInput("申请的期限必须晚于当前期限", field="requested_due")
    pending = ctx.session.scalar(
        select(ExtensionRequest.id).where(
            ExtensionRequest.assignment_id == assignment.id,
            ExtensionRequest.state == ExtensionState.PENDING.value,
        )
    )
    if pending is not None:
        raise Conflict("已有待审批的延期申请")
    request = ExtensionRequest(
        assignment_id=assignment.id,
        requested_due=requested_due,
        reason=reason.strip(),
        state=ExtensionState.PENDING.value,
        requested_by=ctx.actor.user_id,
        requested_by_org_id=ctx.actor.organization_id,
        requested_at=ctx.now,
        proxied=proxy is not None,
    )
    ctx.session.add(request)
    ctx.session.flush()
    if proxy is not None:
        mark_proxied(ctx.session, assignment)
    ctx.audit(
        AuditAction.EXTENSION_REQUEST,
        "problem",
        assignment.problem_id,
        None,
        {
            "extension_id": request.id,
            "assignment_id": assignment.id,
            "from": assignment.due_date,
            "to": requested_due,
            "reason": request.reason,
            **({"on_behalf": proxy} if proxy else {}),
        },
    )
    return request


def do_decide_extension(
    ctx: Ctx, extension_id: int, *, approve: bool, note: str = ""
) -> ExtensionRequest:
    """The office approves (the deadline moves, escalation restarts) or rejects."""
    request = ctx.session.get(ExtensionRequest, extension_id)
    if request is None:
        raise NotFound("延期申请")
    assignment = service.get_assignment(ctx.session, ctx.actor, request.assignment_id)
    require_office(ctx.actor, Move.VERIFY)
    refusal = rules.extension_decision_refusal(
        ctx.actor, request.requested_by, request.requested_by_org_id
    )
    if refusal is not None:
        raise Forbidden(refusal)
    if request.state != ExtensionState.PENDING.value:
        raise Conflict("该延期申请已处理")
    old_due = assignment.due_date
    request.state = (ExtensionState.APPROVED if approve else ExtensionState.REJECTED).value
    request.decided_by, request.decided_at, request.decision_note = ctx.actor.user_id, ctx.now, note
    if approve:
        _apply_extension(ctx, assignment, request)
    ctx.audit(
        AuditAction.EXTENSION_APPROVE if approve else AuditAction.EXTENSION_REJECT,
        "problem",
        assignment.problem_id,
        {"assignment_id": assignment.id, "due_date": old_due},
        {"assignment_id": assignment.id, "due_date": assignment.due_date, "note": note},
    )
    if approve:
        ctx.announce(
            DeadlineExtended(
                assignment_facts(assignment), assignment.extension_count, assignment.due_date
            )
        )
    ctx.announce(
        ExtensionDecided(
            assignment_facts(assignment), request.id, approve, assignment.due_date, note or ""
        )
    )
    return request


def _apply_extension(ctx: Ctx, assignment: Assignment, request: ExtensionRequest) -> None:
    assignment.due_date = request.requested_due
    assignment.due_rule, assignment.due_start = None, None  # a date set by approval
    assignment.extension_count += 1
    assignment.due_reason = (
        f"延期至 {request.requested_due.isoformat()}（第 {assignment.extension_count} 次，"
        f"{ctx.today.isoformat()} 批准）"
    )
    policy = rules.load_escalation_policy()
    assignment.escalation = int(
        rules.escalation_level(assignment.due_date, ctx.today, ctx.calendar, policy)
    )
    assignment.version += 1
