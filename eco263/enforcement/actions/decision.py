"""听证, 决定, 送达, 缴纳 and 结案."""

from __future__ import annotations

from datetime import date

from eco263.context import Ctx
from eco263.deadlines import load_catalogue
from eco263.enforcement import rules, service
from eco263.enforcement.actions._common import (
    bump,
    check_move,
    not_before,
    not_future,
    recompute_decision_due,
    require_enforcer,
    require_head,
    snapshot,
)
from eco263.enforcement.actions.lifecycle import SUBJECT, _article
from eco263.enforcement.enums import AuditAction, CaseState, Outcome, PauseKind
from eco263.enforcement.models import CasePause, PenaltyCase
from eco263.errors import Conflict, InvalidInput


def do_request_hearing(ctx: Ctx, case_id: int, *, requested_on: date) -> PenaltyCase:
    """The party asks for a hearing within its window; the decision clock pauses (听证)."""
    case = service.get_case(ctx.session, ctx.actor, case_id)
    require_enforcer(ctx, case)
    check_move(case, "hearing_request")
    if not case.hearing_right:
        raise Conflict("本案拟处罚未达到听证标准，当事人无听证权利")
    not_future(ctx, requested_on, "requested_on", "申请听证日期")
    not_before(requested_on, case.notified_on, "requested_on", "申请听证日期", "告知日期")
    if case.notified_on is None:
        raise Conflict("本案尚未事先告知")
    window = load_catalogue(ctx.settings.deadline_rules_file).due(
        "penalty.hearing_request", case.notified_on, ctx.calendar
    )
    if requested_on > window.due:
        raise InvalidInput(f"听证申请已超过期限（{window.due.isoformat()}）", field="requested_on")
    ctx.session.add(
        CasePause(
            case_id=case.id,
            kind=PauseKind.HEARING.value,
            started_on=requested_on,
            note="当事人申请听证",
            created_by=ctx.actor.user_id,
        )
    )
    ctx.session.flush()
    before = snapshot(case)
    bump(
        ctx,
        case,
        state=CaseState.HEARING.value,
        hearing_requested_on=requested_on,
        **recompute_decision_due(ctx, case),
    )
    ctx.audit(AuditAction.HEARING_REQUEST, SUBJECT, case.id, before, snapshot(case))
    return case


def do_hold_hearing(ctx: Ctx, case_id: int, *, held_on: date) -> PenaltyCase:
    """听证 held: the pause ends, the case returns to the decision stage."""
    case = service.get_case(ctx.session, ctx.actor, case_id)
    require_enforcer(ctx, case)
    check_move(case, "hearing_held")
    not_future(ctx, held_on, "held_on", "听证日期")
    not_before(held_on, case.hearing_requested_on, "held_on", "听证日期", "申请听证日期")
    pause = service.open_pause(ctx.session, case.id)
    if pause is not None and pause.kind == PauseKind.HEARING.value:
        pause.ended_on = held_on
        ctx.session.flush()
    before = snapshot(case)
    bump(
        ctx,
        case,
        state=CaseState.NOTIFIED.value,
        hearing_held_on=held_on,
        **recompute_decision_due(ctx, case),
    )
    ctx.audit(AuditAction.HEARING_HELD, SUBJECT, case.id, before, snapshot(case))
    return case


def do_decide(
    ctx: Ctx,
    case_id: int,
    *,
    outcome: Outcome | str,
    decided_on: date,
    fine: int | None = None,
    collective: bool = False,
    reason: str = "",
) -> PenaltyCase:
    """决定 by the head: a penalty only after 事先告知 and once the 陈述申辩/听证 window has
    closed (and a requested hearing was held), with a fine inside the cited article's range and
    集体讨论 where the fine requires it; or an ending without a penalty."""
    case = service.get_case(ctx.session, ctx.actor, case_id)
    require_head(ctx, case)
    try:
        outcome = Outcome(outcome)
    except ValueError:
        raise InvalidInput(f"未知的处理结果 {outcome}", field="outcome") from None
    check_move(case, "decide")
    not_future(ctx, decided_on, "decided_on", "决定日期")
    not_before(decided_on, case.filed_on, "decided_on", "决定日期", "立案日期")
    values: dict[str, object] = {}
    if outcome == Outcome.PENALTY:
        if case.state != CaseState.NOTIFIED.value or case.notified_on is None:
            raise Conflict("未经事先告知（陈述申辩、听证告知），不得作出处罚决定")
        if case.statement_until is None or case.article is None:
            raise Conflict("本案缺少事先告知或处罚依据，不能作出处罚决定")
        if decided_on <= case.statement_until:
            raise Conflict(
                f"陈述申辩（听证申请）期限至 {case.statement_until.isoformat()} 届满，"
                "届满前不得作出处罚决定"
            )
        if case.hearing_requested_on is not None and case.hearing_held_on is None:
            raise Conflict("当事人已申请听证，听证结束前不得作出处罚决定")
        if fine is None:
            raise InvalidInput("请填写罚款数额", field="fine")
        cited = _article(case.article)
        refusal = rules.fine_refusal(cited, fine)
        if refusal:
            raise InvalidInput(refusal, field="fine")
        if rules.needs_collective(cited, fine) and not collective:
            raise Conflict("罚款数额达到重大处罚标准，须经负责人集体讨论决定")
        service_due = load_catalogue(ctx.settings.deadline_rules_file).due(
            "penalty.service", decided_on, ctx.calendar
        )
        values = {
            "state": CaseState.DECIDED.value,
            "fine": fine,
            "collective": collective,
            "service_due": service_due.due,
        }
    else:
        if not reason.strip():
            raise InvalidInput("请填写不予处罚、移送或撤销的理由", field="reason")
        values = {
            "state": CaseState.CLOSED.value,
            "closed_on": decided_on,
            "closed_by": ctx.actor.user_id,
        }
    before = snapshot(case)
    bump(
        ctx,
        case,
        outcome=outcome.value,
        decided_on=decided_on,
        decided_by=ctx.actor.user_id,
        **values,
    )
    ctx.audit(
        AuditAction.DECIDE,
        SUBJECT,
        case.id,
        before,
        {**snapshot(case), **({"reason": reason.strip()} if reason.strip() else {})},
    )
    return case


def do_serve(ctx: Ctx, case_id: int, *, served_on: date) -> PenaltyCase:
    """送达 the 决定书: the 15-day payment period runs from receipt."""
    case = service.get_case(ctx.session, ctx.actor, case_id)
    require_enforcer(ctx, case)
    check_move(case, "serve")
    not_future(ctx, served_on, "served_on", "送达日期")
    not_before(served_on, case.decided_on, "served_on", "送达日期", "决定日期")
    payment = load_catalogue(ctx.settings.deadline_rules_file).due(
        "penalty.payment", served_on, ctx.calendar
    )
    before = snapshot(case)
    bump(ctx, case, state=CaseState.SERVED.value, served_on=served_on, payment_due=payment.due)
    ctx.audit(
        AuditAction.SERVE,
        SUBJECT,
        case.id,
        before,
        {**snapshot(case), "served_on": served_on, "payment_due": payment.due},
    )
    return case


def do_record_payment(ctx: Ctx, case_id: int, *, paid_on: date, amount: int) -> PenaltyCase:
    """缴纳: the fine plus any 加处罚款 (3 % a day after the deadline, capped at the fine)."""
    case = service.get_case(ctx.session, ctx.actor, case_id)
    require_enforcer(ctx, case)
    check_move(case, "pay")
    not_future(ctx, paid_on, "paid_on", "缴纳日期")
    not_before(paid_on, case.served_on, "paid_on", "缴纳日期", "送达日期")
    if case.fine is None or case.payment_due is None:
        raise Conflict("本案没有待缴纳的罚款")
    extra = rules.surcharge(case.fine, case.payment_due, paid_on)
    owed = case.fine + extra
    if amount != owed:
        raise InvalidInput(
            f"应缴 {owed} 元（罚款 {case.fine} 元，加处罚款 {extra} 元），实缴 {amount} 元不符",
            field="amount",
        )
    before = snapshot(case)
    bump(
        ctx,
        case,
        state=CaseState.EXECUTED.value,
        paid_on=paid_on,
        paid_amount=amount,
        surcharge=extra,
    )
    ctx.audit(
        AuditAction.PAY,
        SUBJECT,
        case.id,
        before,
        {**snapshot(case), "paid_on": paid_on, "amount": amount, "surcharge": extra},
    )
    return case


def do_close_case(ctx: Ctx, case_id: int, *, closed_on: date) -> PenaltyCase:
    """结案 (the head): after execution."""
    case = service.get_case(ctx.session, ctx.actor, case_id)
    require_head(ctx, case)
    check_move(case, "close")
    not_future(ctx, closed_on, "closed_on", "结案日期")
    not_before(closed_on, case.paid_on, "closed_on", "结案日期", "执行日期")
    before = snapshot(case)
    bump(ctx, case, state=CaseState.CLOSED.value, closed_on=closed_on, closed_by=ctx.actor.user_id)
    ctx.audit(AuditAction.CLOSE, SUBJECT, case.id, before, snapshot(case))
    return case
