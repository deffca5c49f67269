"""信访 writes: 登记 → 受理/不予受理/转送 → (延期) → 处理意见书 → 评价 → 复查 → 复核.

Each checks the rule, changes the petition and records the step in the audit chain in one
transaction.  The records never carry the complainant's personal data.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from eco263.context import Ctx
from eco263.deadlines import Due, load_catalogue
from eco263.errors import Conflict, Forbidden, InvalidInput, NotFound
from eco263.petitions import rules, service
from eco263.petitions.enums import (
    AuditAction,
    Channel,
    Intake,
    Kind,
    Opinion,
    PetitionState,
    Satisfaction,
)
from eco263.petitions.models import Petition
from eco263.petitions.schemas import AnswerIn, IntakeIn, PetitionIn
from eco263.problems import actions as problem_actions
from eco263.problems.enums import Source
from eco263.problems.schemas import ProblemCreate
from eco263.registry import service as registry

SUZHOU = "3205"
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def snapshot(p: Petition) -> dict[str, Any]:
    """What the audit chain keeps of a petition: never the complainant's identity."""
    return {
        "state": p.state,
        "kind": p.kind,
        "channel": p.channel,
        "division_code": p.division_code,
        "due_date": p.due_date.isoformat() if p.due_date else None,
        "due_rule": p.due_rule,
        "has_contact": bool(p.complainant_name or p.complainant_phone),
    }


def _due(ctx: Ctx, key: str, start: Any) -> Due:
    return load_catalogue(ctx.settings.deadline_rules_file).due(key, start, ctx.calendar)


def _set_due(p: Petition, due: Due | None) -> None:
    p.due_date = due.due if due else None
    p.due_rule = due.rule if due else None
    p.due_reason = due.reason if due else None


def _parse(enum: Any, text: str, field: str, what: str) -> Any:
    try:
        return enum(text)
    except ValueError:
        allowed = "、".join(m.value for m in enum)
        raise InvalidInput(f"未知{what}（可选：{allowed}）", field=field) from None


def _new_code() -> str:
    return "XF" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


def do_register(ctx: Ctx, data: PetitionIn, *, public: bool = False) -> Petition:
    """登记: a petition enters with its 15-day acceptance clock."""
    channel = Channel.ONLINE if public else _parse(Channel, data.channel, "channel", "渠道")
    kind = _parse(Kind, data.kind, "kind", "信访类别")
    try:
        division = registry.get_division(ctx.session, data.division_code)
    except NotFound:
        raise InvalidInput("请选择苏州市范围内的区县", field="division_code") from None
    if not division.code.startswith(SUZHOU):
        raise InvalidInput("只受理苏州市范围内的信访事项", field="division_code")
    if public:
        received = ctx.today
    else:
        if not (ctx.actor.is_office or rules.may_handle(ctx.actor, kind)):
            raise Forbidden("只有263办或纪委监委可以登记信访件")
        registry.require_in_jurisdiction(ctx.session, ctx.actor, division.code)
        received = data.received_on or ctx.today
        if received > ctx.today:
            raise InvalidInput("收到日期不能晚于今天", field="received_on")
    if data.enterprise_id is not None:
        enterprise = registry.get_enterprise(ctx.session, data.enterprise_id)
        if not enterprise.division_code.startswith(SUZHOU):
            raise InvalidInput("企业不在苏州市范围内", field="enterprise_id")
    if data.hotline_no and service.by_hotline_no(ctx.session, data.hotline_no):
        raise Conflict(f"热线工单 {data.hotline_no} 已登记")
    if data.repeat_of_id is not None:
        service.get_petition(ctx.session, ctx.actor, data.repeat_of_id)
    contact = data.contact
    petition = Petition(
        tracking_code=_new_code(),
        channel=channel.value,
        hotline_no=data.hotline_no,
        kind=kind.value,
        topic=data.topic.strip(),
        description=data.description.strip(),
        location=data.location,
        division_code=division.code,
        enterprise_id=data.enterprise_id,
        complainant_name=contact.name or None,
        complainant_phone=contact.phone or None,
        complainant_address=contact.address or None,
        repeat_of_id=data.repeat_of_id,
        state=PetitionState.REGISTERED.value,
        received_on=received,
        registered_at=ctx.now,
        registered_by=ctx.actor.user_id,
        handler_id=ctx.actor.user_id if rules.may_handle(ctx.actor, kind) else None,
        answers=[],
        problem_ids=[],
        version=1,
    )
    _set_due(petition, _due(ctx, rules.ACCEPTANCE, received))
    ctx.session.add(petition)
    ctx.session.flush()
    ctx.audit(AuditAction.REGISTER, "petition", petition.id, None, snapshot(petition))
    return petition


def _handled(ctx: Ctx, petition_id: int, step: str) -> Petition:
    p = service.get_petition(ctx.session, ctx.actor, petition_id)
    if not rules.may_handle(ctx.actor, Kind(p.kind)):
        raise Forbidden("无权办理该信访件")
    registry.require_in_jurisdiction(ctx.session, ctx.actor, p.division_code)
    refusal = rules.state_refusal(PetitionState(p.state), step)
    if refusal:
        raise Conflict(refusal)
    return p


def do_intake(ctx: Ctx, petition_id: int, data: IntakeIn) -> Petition:
    """受理 / 不予受理 / 转送 within 15 days; the reason is the notice to the complainant."""
    decision = _parse(Intake, data.decision, "decision", "受理决定")
    p = _handled(ctx, petition_id, "intake")
    before = snapshot(p)
    reason = data.reason.strip()
    if decision != Intake.ACCEPT and not reason:
        raise InvalidInput("不予受理或转送须写明理由（告知信访人）", field="reason")
    if decision == Intake.TRANSFER and not (data.transferred_to or "").strip():
        raise InvalidInput("转送须写明有权处理的机关", field="transferred_to")
    if decision == Intake.ACCEPT and p.repeat_of_id is not None:
        earlier = service.get_petition(ctx.session, ctx.actor, p.repeat_of_id)
        refusal = rules.reacceptance_refusal(PetitionState(earlier.state))
        if refusal:
            raise Conflict(refusal)
    p.state = rules.INTAKE_STATES[decision].value
    p.intake_reason = reason or None
    p.handler_id = ctx.actor.user_id
    if decision == Intake.ACCEPT:
        p.accepted_on = ctx.today
        _set_due(p, _due(ctx, rules.HANDLING, ctx.today))
    else:
        p.transferred_to = (data.transferred_to or "").strip() or None
        _set_due(p, None)
    p.version += 1
    action = {
        Intake.ACCEPT: AuditAction.ACCEPT,
        Intake.NOT_ACCEPT: AuditAction.NOT_ACCEPT,
        Intake.TRANSFER: AuditAction.TRANSFER,
    }[decision]
    ctx.audit(action, "petition", p.id, before, snapshot(p))
    return p


def do_request_extension(ctx: Ctx, petition_id: int, reason: str) -> Petition:
    """The handler asks for up to 30 more days; the reason is told to the complainant."""
    p = _handled(ctx, petition_id, "extend")
    if p.extension_requested_by is not None:
        raise Conflict("已申请过延长办理期限（只能延长一次）")
    p.extension_reason = reason.strip()
    p.extension_requested_by = ctx.actor.user_id
    p.version += 1
    ctx.audit(AuditAction.EXTENSION_REQUEST, "petition", p.id, None, {"reason": p.extension_reason})
    return p


def do_approve_extension(ctx: Ctx, petition_id: int) -> Petition:
    """Another officer approves: the handling deadline moves by petition.extension."""
    p = _handled(ctx, petition_id, "extend")
    if p.extension_requested_by is None or p.extension_approved_by is not None:
        raise Conflict("没有待批准的延期申请")
    refusal = rules.extension_refusal(ctx.actor, p.extension_requested_by, p.handler_id)
    if refusal:
        raise Forbidden(refusal)
    before = snapshot(p)
    _set_due(p, _due(ctx, rules.EXTENSION, p.due_date or ctx.today))
    p.extension_approved_by = ctx.actor.user_id
    p.version += 1
    ctx.audit(AuditAction.EXTENSION_APPROVE, "petition", p.id, before, snapshot(p))
    return p


_ANSWER_STEPS = {
    "answer": ("信访处理意见书", PetitionState.ANSWERED, rules.REVIEW_REQUEST, AuditAction.ANSWER),
    "review": ("复查意见书", PetitionState.REVIEWED, rules.RECHECK_REQUEST, AuditAction.REVIEW),
    "recheck": ("复核意见书", PetitionState.RECHECKED, None, AuditAction.RECHECK),
}


def do_answer(ctx: Ctx, petition_id: int, data: AnswerIn, *, step: str = "answer") -> Petition:
    """信访处理意见书 (or 复查/复核意见): facts, answer, basis, support/explain/not support."""
    opinion = _parse(Opinion, data.opinion, "opinion", "处理意见")
    title, state, window, action = _ANSWER_STEPS[step]
    p = _handled(ctx, petition_id, step)
    before = snapshot(p)
    entry = {
        "step": title,
        "facts": data.facts.strip(),
        "answer": data.answer.strip(),
        "basis": data.basis.strip(),
        "opinion": opinion.value,
        "on": ctx.today.isoformat(),
    }
    p.answers = [*p.answers, entry]
    p.answered_on = ctx.today
    p.satisfaction = None
    p.state = state.value
    _set_due(p, _due(ctx, window, ctx.today) if window else None)
    p.version += 1
    ctx.audit(action, "petition", p.id, before, {**snapshot(p), "opinion": opinion.value})
    return p


def do_rate(ctx: Ctx, tracking_code: str, satisfaction: str) -> Petition:
    """满意度评价 by the complainant (by the tracking code)."""
    value = _parse(Satisfaction, satisfaction, "satisfaction", "评价")
    p = service.by_tracking_code(ctx.session, tracking_code)
    refusal = rules.state_refusal(PetitionState(p.state), "rate")
    if refusal:
        raise Conflict(refusal)
    if p.satisfaction is not None:
        raise Conflict("已评价过本次答复")
    p.satisfaction = value.value
    p.version += 1
    ctx.audit(AuditAction.RATE, "petition", p.id, None, {"satisfaction": value.value})
    return p


def do_request_review(ctx: Ctx, tracking_code: str, reason: str) -> Petition:
    """复查 (after the answer) or 复核 (after the review), asked within 30 days."""
    p = service.by_tracking_code(ctx.session, tracking_code)
    state = PetitionState(p.state)
    if state == PetitionState.ANSWERED:
        step, new_state, key, action = (
            "review_request",
            PetitionState.REVIEW_REQUESTED,
            rules.REVIEW,
            AuditAction.REVIEW_REQUEST,
        )
    else:
        step, new_state, key, action = (
            "recheck_request",
            PetitionState.RECHECK_REQUESTED,
            rules.OBJECTION,
            AuditAction.RECHECK_REQUEST,
        )
    refusal = rules.state_refusal(state, step)
    if refusal:
        raise Conflict(
            "复核意见为终结意见，不能再申请" if state == PetitionState.RECHECKED else refusal
        )
    if p.due_date is not None and ctx.today > p.due_date:
        raise InvalidInput(f"已超过申请期限（{p.due_date.isoformat()}）", field="reason")
    before = snapshot(p)
    p.state = new_state.value
    _set_due(p, _due(ctx, key, ctx.today))
    p.version += 1
    after = {**snapshot(p), "reason": rules.screen_text(reason)}
    ctx.audit(action, "petition", p.id, before, after)
    return p


def do_open_problem(
    ctx: Ctx,
    petition_id: int,
    title: str,
    category_code: str,
    *,
    due_date: date | None = None,
) -> Petition:
    """转入问题台账: a ledger problem (source 信访举报) found on the day of acceptance, so its
    60-day deadline is the petition's own — or ``due_date``, a term set for the task (an
    一企一策 assessment due at the end of May).  (Opening an enforcement case: a later hook.)"""
    p = _handled(ctx, petition_id, "answer")
    problem = problem_actions.do_register_problem(
        ctx,
        ProblemCreate(
            title=title,
            description=rules.screen_text(p.description),
            source=Source.PETITION.value,
            category_code=category_code,
            division_code=p.division_code,
            found_on=p.accepted_on or p.received_on,
            enterprise_id=p.enterprise_id,
            location=p.location,
            due_date=due_date,
        ),
    )
    p.problem_ids = [*p.problem_ids, problem.id]
    p.version += 1
    ctx.audit(AuditAction.OPEN_PROBLEM, "petition", p.id, None, {"problem_id": problem.id})
    return p


def do_view_personal(ctx: Ctx, p: Petition) -> None:
    """Every view of unmasked personal data is written to the audit chain."""
    ctx.audit(AuditAction.PERSONAL_VIEW, "petition", p.id, None, {"viewer": ctx.actor.user_id})
