"""The decision clock: excluded periods (中止) and extensions (延长办案期限), each on the
record; and the note of a hand-over to the police, which the transfers domain calls."""

from __future__ import annotations

from datetime import date

from eco263.context import Ctx
from eco263.enforcement import rules, service
from eco263.enforcement.actions._common import (
    bump,
    check_move,
    not_future,
    recompute_decision_due,
    require_enforcer,
    require_head,
    snapshot,
)
from eco263.enforcement.actions.lifecycle import SUBJECT
from eco263.enforcement.enums import PAUSE_LABELS, AuditAction, ExtensionState, PauseKind
from eco263.enforcement.models import CaseExtension, CasePause, PenaltyCase
from eco263.errors import Conflict, Forbidden, InvalidInput


def do_pause_clock(
    ctx: Ctx, case_id: int, *, kind: PauseKind | str, started_on: date, note: str = ""
) -> PenaltyCase:
    """中止: a period the law excludes from the 90 days (监测、鉴定、听证、公告、送达、移送)."""
    case = service.get_case(ctx.session, ctx.actor, case_id)
    require_enforcer(ctx, case)
    return _pause(ctx, case, kind, started_on, note)


def _pause(
    ctx: Ctx, case: PenaltyCase, kind: PauseKind | str, started_on: date, note: str
) -> PenaltyCase:
    try:
        kind = PauseKind(kind)
    except ValueError:
        raise InvalidInput(f"不能扣除的期间类型 {kind}", field="kind") from None
    check_move(case, "pause")
    not_future(ctx, started_on, "started_on", "中止起始日期")
    if case.filed_on is not None and started_on < case.filed_on:
        raise InvalidInput("中止起始日期不能早于立案日期", field="started_on")
    if service.open_pause(ctx.session, case.id) is not None:
        raise Conflict("本案已有未结束的中止期间")
    ctx.session.add(
        CasePause(
            case_id=case.id,
            kind=kind.value,
            started_on=started_on,
            note=note.strip(),
            created_by=ctx.actor.user_id,
        )
    )
    ctx.session.flush()
    before = snapshot(case)
    bump(ctx, case, **recompute_decision_due(ctx, case))
    ctx.audit(
        AuditAction.PAUSE,
        SUBJECT,
        case.id,
        before,
        {**snapshot(case), "kind": PAUSE_LABELS[kind], "started_on": started_on},
    )
    return case


def do_resume_clock(ctx: Ctx, case_id: int, *, ended_on: date) -> PenaltyCase:
    """The excluded period ends: the clock runs again, the deadline moves by its days."""
    case = service.get_case(ctx.session, ctx.actor, case_id)
    require_enforcer(ctx, case)
    pause = service.open_pause(ctx.session, case.id)
    if pause is None:
        raise Conflict("本案没有正在中止的期间")
    not_future(ctx, ended_on, "ended_on", "中止结束日期")
    if ended_on < pause.started_on:
        raise InvalidInput("中止结束日期不能早于开始日期", field="ended_on")
    pause.ended_on = ended_on
    ctx.session.flush()
    before = snapshot(case)
    bump(ctx, case, **recompute_decision_due(ctx, case))
    ctx.audit(
        AuditAction.RESUME,
        SUBJECT,
        case.id,
        before,
        {**snapshot(case), "kind": PAUSE_LABELS[PauseKind(pause.kind)], "ended_on": ended_on},
    )
    return case


def do_request_extension(ctx: Ctx, case_id: int, *, reason: str) -> CaseExtension:
    """The investigator asks for 30 more days; nothing moves until the head approves."""
    case = service.get_case(ctx.session, ctx.actor, case_id)
    require_enforcer(ctx, case)
    check_move(case, "extend")
    if not reason.strip():
        raise InvalidInput("请填写延长办案期限的理由", field="reason")
    if case.extension_count >= rules.MAX_EXTENSIONS:
        raise Conflict(f"办案期限至多延长 {rules.MAX_EXTENSIONS} 次")
    if any(
        e.state == ExtensionState.PENDING.value for e in service.extensions_of(ctx.session, case.id)
    ):
        raise Conflict("已有待审批的延期申请")
    extension = CaseExtension(
        case_id=case.id,
        reason=reason.strip(),
        state=ExtensionState.PENDING.value,
        requested_by=ctx.actor.user_id,
        requested_at=ctx.now,
    )
    ctx.session.add(extension)
    ctx.session.flush()
    ctx.audit(
        AuditAction.EXTENSION_REQUEST,
        SUBJECT,
        case.id,
        None,
        {"extension_id": extension.id, "reason": extension.reason},
    )
    return extension


def do_decide_extension(
    ctx: Ctx, extension_id: int, *, approve: bool, collective: bool = False
) -> CaseExtension:
    """The head approves (the deadline moves 30 days) or rejects; never the one who asked.
    The second extension needs 集体讨论."""
    extension = ctx.session.get(CaseExtension, extension_id)
    if extension is None:
        raise InvalidInput("延期申请不存在", field="extension_id")
    case = service.get_case(ctx.session, ctx.actor, extension.case_id)
    require_head(ctx, case)
    if extension.requested_by == ctx.actor.user_id:
        raise Forbidden("申请人不得审批自己的延期申请")
    if extension.state != ExtensionState.PENDING.value:
        raise Conflict("该延期申请已处理")
    before = snapshot(case)
    if approve:
        if case.extension_count >= 1 and not collective:
            raise Conflict("再次延长办案期限须经集体讨论")
        count = case.extension_count + 1
        bump(ctx, case, extension_count=count, **recompute_decision_due(ctx, case, count))
        extension.state = ExtensionState.APPROVED.value
    else:
        extension.state = ExtensionState.REJECTED.value
    extension.decided_by = ctx.actor.user_id
    extension.decided_at = ctx.now
    extension.collective = collective
    ctx.session.flush()
    ctx.audit(
        AuditAction.EXTENSION_APPROVE if approve else AuditAction.EXTENSION_REJECT,
        SUBJECT,
        case.id,
        before,
        {**snapshot(case), "extension_id": extension.id, "collective": collective},
    )
    return extension


def do_note_transfer(
    ctx: Ctx, case_id: int, *, transferred_on: date, reference: str
) -> PenaltyCase:
    """移送: the case was handed to the police (called by the transfers domain once the head
    decided).  The decision clock pauses while the criminal side runs (PROCEDURES §衔接)."""
    case = service.get_case(ctx.session, ctx.actor, case_id)
    if not reference.strip():
        raise InvalidInput("请填写移送文书编号", field="reference")
    _pause(ctx, case, PauseKind.TRANSFER, transferred_on, f"移送：{reference.strip()}")
    ctx.audit(AuditAction.TRANSFER_NOTED, SUBJECT, case.id, None, {"reference": reference.strip()})
    return case
