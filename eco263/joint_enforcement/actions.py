"""联合执法 writes (``do_*``): check the rule, change state, audit — one transaction.

The leading group's office (the district 263 office) drafts the plan, issues it and verifies
the result; the group's leader (a user with the ``leader`` capability for the division)
approves the request and the plan, with a deadline of their own (``joint.approval``) and
reminders (:mod:`.scheduled`).  Issuing the approved plan registers one ledger problem
(source 联合执法) and dispatches each unit's part as an assignment whose deadline runs from
the plan's approval (``ledger.source.联合执法``, the same 7 working days as ``joint.action``),
so late units escalate with the ledger's sweep.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update

from eco263.auth.models import User
from eco263.clock import local_date
from eco263.context import Ctx
from eco263.db import unique_or_conflict
from eco263.deadlines import Due, load_catalogue
from eco263.errors import Conflict, Forbidden, InvalidInput
from eco263.joint_enforcement import rules, service
from eco263.joint_enforcement.enums import AuditAction, JointState, Reminder
from eco263.joint_enforcement.models import JointLeader, JointRequest, JointUnit
from eco263.joint_enforcement.schemas import JointRequestIn, PlanIn
from eco263.problems import actions as ledger
from eco263.problems.enums import Source
from eco263.problems.schemas import AssignmentSpec, ProblemCreate
from eco263.registry import service as registry
from eco263.registry.enums import ASSIGNABLE_KINDS


def snapshot(req: JointRequest) -> dict[str, Any]:
    return {
        "state": req.state,
        "decision_due": req.decision_due.isoformat() if req.decision_due else None,
        "plan_due": req.plan_due.isoformat() if req.plan_due else None,
        "problem_id": req.problem_id,
        "route": req.route,
    }


def _bump(ctx: Ctx, req: JointRequest, version: int | None, state: JointState) -> None:
    """Move ``req`` to ``state`` if nobody changed it since ``version`` was read."""
    expected = req.version if version is None else version
    result = ctx.session.execute(
        update(JointRequest)
        .where(JointRequest.id == req.id, JointRequest.version == expected)
        .values(state=state.value, version=JointRequest.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("该联合执法申请已被他人更新，请刷新后重试", current_version=req.version)
    ctx.session.refresh(req)


def _decision_due(ctx: Ctx) -> Due:
    return load_catalogue(ctx.settings.deadline_rules_file).due(
        rules.APPROVAL_RULE, ctx.today, ctx.calendar
    )


def _set_decision_due(req: JointRequest, due: Due | None) -> None:
    req.decision_due = due.due if due else None
    req.decision_due_reason = due.reason if due else None
    req.decision_due_rule = due.rule if due else None
    req.decision_due_start = due.start if due else None
    req.reminder = Reminder.NONE.value


def do_grant_leader(ctx: Ctx, user_id: int, division_code: str) -> JointLeader:
    """授予组长审批权: an office makes a user the leader of its division's leading group."""
    rules.require_office(ctx.actor, "授予组长审批权")
    registry.require_in_jurisdiction(ctx.session, ctx.actor, division_code)
    user = ctx.session.get(User, user_id)
    if user is None or not user.active or not ctx.actor.covers(user.division_code):
        raise InvalidInput(f"未知用户 {user_id}", field="user_id")
    taken = "该用户已是该领导小组组长"
    if service.is_leader(ctx.session, user_id, division_code):
        raise Conflict(taken)
    grant = JointLeader(
        user_id=user.id,
        division_code=division_code,
        granted_by=ctx.actor.user_id,
        granted_at=ctx.now,
    )
    with unique_or_conflict(ctx.session, taken):
        ctx.session.add(grant)
    ctx.audit(
        AuditAction.GRANT_LEADER,
        "joint_leader",
        grant.id,
        None,
        {"user_id": user.id, "division_code": division_code},
    )
    return grant


def do_request(ctx: Ctx, data: JointRequestIn) -> JointRequest:
    """申请: a town (or the office) asks for joint enforcement against one site."""
    if not rules.may_request(ctx.actor):
        raise Forbidden("当前角色不能申请联合执法")
    registry.require_in_jurisdiction(ctx.session, ctx.actor, data.division_code)
    registry.require_category(data.category_code)
    if data.enterprise_id is not None:
        registry.enterprise_in_scope(ctx.session, ctx.actor, data.enterprise_id)
    units = list(dict.fromkeys(data.proposed_unit_ids))
    for org_id in units:
        registry.organization_in_scope(ctx.session, ctx.actor, org_id, field="proposed_unit_ids")
    req = JointRequest(
        division_code=data.division_code,
        requesting_org_id=ctx.actor.organization_id,
        requested_by=ctx.actor.user_id,
        requested_at=ctx.now,
        site_name=data.site_name.strip(),
        site_address=data.site_address.strip(),
        site_lon=data.site_lon,
        site_lat=data.site_lat,
        operator=data.operator.strip(),
        enterprise_id=data.enterprise_id,
        category_code=data.category_code,
        reason=data.reason,
        evidence=data.evidence,
        proposed_unit_ids=units,
        state=JointState.REQUESTED.value,
        version=1,
    )
    _set_decision_due(req, _decision_due(ctx))
    ctx.session.add(req)
    ctx.session.flush()
    ctx.audit(AuditAction.REQUEST, "joint_request", req.id, None, snapshot(req))
    return req


def do_decide_request(
    ctx: Ctx, request_id: int, approve: bool, note: str = "", *, version: int | None = None
) -> JointRequest:
    """组长审批: the leader approves (or refuses) the request; never the one who asked."""
    req = service.get_request(ctx.session, ctx.actor, request_id)
    rules.require_leader(
        ctx.actor,
        service.is_leader(ctx.session, ctx.actor.user_id, req.division_code),
        req.requested_by,
    )
    target = rules.next_state(req.state, "approve" if approve else "reject")
    before = snapshot(req)
    _bump(ctx, req, version, target)
    req.approved_by, req.approved_at, req.decision_note = ctx.actor.user_id, ctx.now, note
    _set_decision_due(req, None)
    action = AuditAction.APPROVE if approve else AuditAction.REJECT
    ctx.audit(action, "joint_request", req.id, before, {**snapshot(req), "note": note})
    return req


def do_plan(ctx: Ctx, request_id: int, data: PlanIn) -> list[JointUnit]:
    """制定方案: the office names the action date, the lead and partner units and their tasks;
    the plan then waits for the leader's approval."""
    req = service.get_request(ctx.session, ctx.actor, request_id)
    rules.require_office(ctx.actor, "制定联合执法方案")
    target = rules.next_state(req.state, "plan")
    planned = [
        rules.PlannedUnit(u.organization_id, u.is_lead, u.tasks, u.due_date) for u in data.units
    ]
    rules.check_plan(planned, data.action_date, ctx.today)
    projected = load_catalogue(ctx.settings.deadline_rules_file).due(
        rules.ACTION_RULE, ctx.today, ctx.calendar
    )
    rules.check_unit_dues(planned, projected.due, ctx.today)
    for unit in planned:
        org = registry.organization_in_scope(ctx.session, ctx.actor, unit.organization_id)
        if org.kind not in ASSIGNABLE_KINDS:
            raise InvalidInput(f"{org.name}不承办联合执法任务", field="units")
    before = snapshot(req)
    _bump(ctx, req, data.version, target)
    ctx.session.execute(delete(JointUnit).where(JointUnit.request_id == req.id))
    units = [
        JointUnit(
            request_id=req.id,
            organization_id=u.organization_id,
            is_lead=u.is_lead,
            tasks=u.tasks,
            due_date=u.due_date,
        )
        for u in planned
    ]
    ctx.session.add_all(units)
    req.action_date, req.plan_note = data.action_date, data.note
    req.planned_by, req.planned_at = ctx.actor.user_id, ctx.now
    _set_decision_due(req, _decision_due(ctx))
    ctx.session.flush()
    ctx.audit(
        AuditAction.PLAN,
        "joint_request",
        req.id,
        before,
        {
            **snapshot(req),
            "action_date": data.action_date.isoformat(),
            "units": [
                {"organization_id": u.organization_id, "is_lead": u.is_lead, "tasks": u.tasks}
                for u in units
            ],
        },
    )
    return units


def do_decide_plan(
    ctx: Ctx, request_id: int, approve: bool, note: str = "", *, version: int | None = None
) -> JointRequest:
    """组长批准方案: the plan's approval is the event every unit's 7 working days run from."""
    req = service.get_request(ctx.session, ctx.actor, request_id)
    rules.require_leader(
        ctx.actor,
        service.is_leader(ctx.session, ctx.actor.user_id, req.division_code),
        req.planned_by,
    )
    target = rules.next_state(req.state, "approve_plan" if approve else "return_plan")
    before = snapshot(req)
    _bump(ctx, req, version, target)
    req.decision_note = note
    if approve:
        due = load_catalogue(ctx.settings.deadline_rules_file).due(
            rules.ACTION_RULE, ctx.today, ctx.calendar
        )
        req.plan_approved_by, req.plan_approved_at = ctx.actor.user_id, ctx.now
        req.plan_due, req.plan_due_reason = due.due, due.reason
        _set_decision_due(req, None)
    else:
        _set_decision_due(req, _decision_due(ctx))
    action = AuditAction.APPROVE_PLAN if approve else AuditAction.RETURN_PLAN
    ctx.audit(action, "joint_request", req.id, before, {**snapshot(req), "note": note})
    return req


def do_issue(ctx: Ctx, request_id: int, *, version: int | None = None) -> JointRequest:
    """下达: the approved plan enters the ledger — one problem (source 联合执法), each unit's
    part an assignment due 7 working days from the plan's approval (or its own earlier date)."""
    req = service.get_request(ctx.session, ctx.actor, request_id)
    rules.require_office(ctx.actor, "下达联合执法任务")
    target = rules.next_state(req.state, "issue")
    assert req.plan_approved_at is not None  # noqa: S101 - PLAN_APPROVED implies it
    units = service.units_of(ctx.session, req.id)
    problem = ledger.do_register_problem(
        ctx,
        ProblemCreate(
            title=f"联合执法：{req.site_name}"[:200],
            description=req.reason,
            source=Source.JOINT_ENFORCEMENT.value,
            category_code=req.category_code,
            division_code=req.division_code,
            found_on=local_date(req.requested_at),
            anchored_on=local_date(req.plan_approved_at),
            enterprise_id=req.enterprise_id,
            location=req.site_address,
        ),
    )
    lead = next(u for u in units if u.is_lead)
    assignments = ledger.do_dispatch(
        ctx,
        problem.id,
        AssignmentSpec(organization_id=lead.organization_id, due_date=lead.due_date),
        [
            AssignmentSpec(organization_id=u.organization_id, due_date=u.due_date)
            for u in units
            if not u.is_lead
        ],
    )
    by_org = {a.organization_id: a.id for a in assignments}
    for unit in units:
        unit.assignment_id = by_org[unit.organization_id]
    before = snapshot(req)
    _bump(ctx, req, version, target)
    req.problem_id = problem.id
    ctx.audit(AuditAction.ISSUE, "joint_request", req.id, before, snapshot(req))
    return req
