"""Transfer writes (``do_*``): each checks its rule, changes the row, computes the next step's
deadline from the catalogue and audits — in one transaction.  People decide every step; the
alarm pipeline only proposes (:mod:`eco263.transfers.subscribers`).
"""

from __future__ import annotations

from typing import Any

from eco263.alarms.events import TamperingSealed
from eco263.context import Ctx
from eco263.deadlines import load_catalogue
from eco263.enforcement import actions as cases
from eco263.enforcement import service as case_service
from eco263.errors import Conflict, Forbidden, InvalidInput
from eco263.problems import service as problems
from eco263.registry import service as registry
from eco263.registry.enums import OrgKind
from eco263.transfers import rules, service
from eco263.transfers.enums import (
    TransferAction,
    TransferKind,
    TransferSource,
    TransferState,
)
from eco263.transfers.models import Transfer
from eco263.transfers.schemas import (
    DecisionIn,
    HandOverIn,
    NoteIn,
    OutcomeIn,
    PoliceDecisionIn,
    ProposalIn,
    ReceiveIn,
)

S = TransferState


def _set_due(ctx: Ctx, t: Transfer, key: str | None) -> None:
    if key is None:
        t.due_at = t.due_rule = t.due_reason = None
        return
    catalogue = load_catalogue(ctx.settings.deadline_rules_file)
    step = rules.due(catalogue, ctx.calendar, key, ctx.now)
    t.due_at, t.due_rule, t.due_reason = step.at, step.rule, step.reason[:200]


def _move(
    ctx: Ctx,
    t: Transfer,
    action: TransferAction,
    state: TransferState,
    due_key: str | None,
    extra: dict[str, Any] | None = None,
) -> Transfer:
    before = {"state": t.state}
    t.state = state
    _set_due(ctx, t, due_key)
    ctx.session.flush()
    after = {"state": state.value, "due_at": t.due_at, "due_rule": t.due_rule} | (extra or {})
    ctx.audit(action, "transfer", t.id, before, after)
    return t


def _check(ctx: Ctx, t: Transfer, step: str) -> None:
    why = rules.step_refusal(step, ctx.actor, t)
    if why is None:
        return
    if why.startswith("当前状态"):
        raise Conflict(why)
    raise Forbidden(why)


def _get(ctx: Ctx, transfer_id: int) -> Transfer:
    return service.get_transfer(ctx.session, ctx.actor, transfer_id)


def _new(
    ctx: Ctx,
    *,
    kind: str,
    source: TransferSource,
    division_code: str,
    agency_org_id: int,
    summary: str,
    enterprise_id: int | None = None,
    alarm_id: int | None = None,
    problem_id: int | None = None,
    case_id: int | None = None,
    pack: tuple[str, int] | None = None,
) -> Transfer:
    t = Transfer(
        kind=kind,
        source=source.value,
        state=S.PROPOSED.value,
        alarm_id=alarm_id,
        problem_id=problem_id,
        case_id=case_id,
        enterprise_id=enterprise_id,
        division_code=division_code,
        agency_org_id=agency_org_id,
        summary=summary,
        pack_sha256=pack[0] if pack else None,
        pack_size=pack[1] if pack else None,
        proposed_by_id=ctx.actor.user_id,
        proposed_by=ctx.actor.name,
        proposed_at=ctx.now,
    )
    _set_due(ctx, t, "transfer.decision")
    ctx.session.add(t)
    ctx.session.flush()
    ctx.audit(
        TransferAction.PROPOSE,
        "transfer",
        t.id,
        None,
        {
            "state": t.state,
            "kind": kind,
            "source": source.value,
            "alarm_id": alarm_id,
            "problem_id": problem_id,
            "case_id": case_id,
            "agency_org_id": agency_org_id,
            "sha256": t.pack_sha256,
            "due_at": t.due_at,
        },
    )
    return t


def do_propose_from_alarm(ctx: Ctx, event: TamperingSealed) -> Transfer | None:
    """The alarm pipeline's proposal: a tampering alarm with its sealed pack, to the agency
    answerable for the point, which decides (once per alarm; none without an agency)."""
    if event.agency_org_id is None or service.transfer_of_alarm(ctx.session, event.alarm_id):
        return None
    return _new(
        ctx,
        kind=TransferKind.CRIMINAL,
        source=TransferSource.ALARM,
        division_code=event.division_code,
        agency_org_id=event.agency_org_id,
        enterprise_id=event.enterprise_id,
        alarm_id=event.alarm_id,
        problem_id=event.problem_id,
        summary=(
            f"监测点 {event.point_mn}（{event.point_name}）"
            f"{event.rule_label}（{event.pollutant_label or event.pollutant}），"
            f"报警编号 {event.alarm_id}："
            "疑似篡改、伪造自动监测数据或干扰自动监测设施，提请负责人决定是否移送公安机关。"
        ),
        pack=(event.pack_sha256, event.pack_size),
    )


def do_propose(ctx: Ctx, body: ProposalIn) -> Transfer:
    """提议移送 by hand, from a ledger problem or an enforcement case."""
    if (body.problem_id is None) == (body.case_id is None):
        raise InvalidInput("请指定一个问题或一个执法案件", field="problem_id")
    agency_id = body.agency_org_id or ctx.actor.organization_id
    if agency_id is None:
        raise InvalidInput("请指定办案的环保部门", field="agency_org_id")
    agency = registry.get_organization(ctx.session, agency_id)
    enterprise_id = None
    if body.problem_id is not None:
        problem = problems.get_problem(ctx.session, ctx.actor, body.problem_id)
        division, enterprise_id = problem.division_code, problem.enterprise_id
        source = TransferSource.PROBLEM
    else:
        assert body.case_id is not None  # noqa: S101 - one of the two, checked above
        case = case_service.get_case(ctx.session, ctx.actor, body.case_id)
        division, enterprise_id = case.division_code, case.enterprise_id
        source = TransferSource.CASE
    if agency.kind not in (OrgKind.DEPARTMENT, OrgKind.OFFICE):
        raise InvalidInput(f"{agency.name}不是行政执法部门", field="agency_org_id")
    why = rules.may_propose(ctx.actor, division, agency.id)
    if why:
        raise Forbidden(why)
    return _new(
        ctx,
        kind=body.kind,
        source=source,
        division_code=division,
        agency_org_id=agency.id,
        enterprise_id=enterprise_id,
        problem_id=body.problem_id,
        case_id=body.case_id,
        summary=body.summary,
    )


def do_decide(ctx: Ctx, transfer_id: int, body: DecisionIn) -> Transfer:
    """负责人决定 (transfer.decision): to transfer, to which police unit, copied to which
    procuratorate — or not, with the reasons.  The proposer does not decide."""
    t = _get(ctx, transfer_id)
    _check(ctx, t, "decide")
    t.decided_by_id, t.decided_by, t.decided_at = ctx.actor.user_id, ctx.actor.name, ctx.now
    t.decision_reason = body.reason
    if not body.transfer:
        return _move(ctx, t, TransferAction.DECLINE, S.DECLINED, None, {"reason": body.reason})
    if body.police_org_id is None:
        raise InvalidInput("决定移送的，须指定接收的公安机关", field="police_org_id")
    police = registry.get_organization(ctx.session, body.police_org_id)
    if police.kind != OrgKind.POLICE:
        raise InvalidInput(f"{police.name}不是公安机关，不能接收移送", field="police_org_id")
    copy_id = body.procuratorate_org_id or service.default_procuratorate(
        ctx.session, police.division_code
    )
    if copy_id is not None:
        copy = registry.get_organization(ctx.session, copy_id)
        if copy.kind != OrgKind.PROCURATORATE:
            raise InvalidInput(f"{copy.name}不是人民检察院", field="procuratorate_org_id")
    t.police_org_id, t.procuratorate_org_id = police.id, copy_id
    return _move(
        ctx,
        t,
        TransferAction.DECIDE,
        S.APPROVED,
        rules.handover_rule(t.kind),
        {"reason": body.reason, "police_org_id": police.id, "procuratorate_org_id": copy_id},
    )


def do_hand_over(ctx: Ctx, transfer_id: int, body: HandOverIn) -> Transfer:
    """移交 (transfer.handover): the materials to the police unit, copied to the procuratorate."""
    t = _get(ctx, transfer_id)
    _check(ctx, t, "hand_over")
    t.handed_over_by, t.handed_over_at, t.materials = ctx.actor.name, ctx.now, body.materials
    late = t.due_at is not None and ctx.now > t.due_at
    if t.case_id is not None:
        _pause_case(ctx, t)
    return _move(
        ctx,
        t,
        TransferAction.HAND_OVER,
        S.HANDED_OVER,
        None,
        {
            "materials": body.materials,
            "police_org_id": t.police_org_id,
            "procuratorate_org_id": t.procuratorate_org_id,
            "sha256": t.pack_sha256,
            "late": late,
        },
    )


def _pause_case(ctx: Ctx, t: Transfer) -> None:
    """The penalty case handed over stops its decision clock while the criminal side runs
    (XJ 16): the case notes the transfer, if its state lets its clock pause now."""
    assert t.case_id is not None  # noqa: S101 - the caller checks
    case = case_service.get_case(ctx.session, ctx.actor, t.case_id)
    if "pause" in case_service.next_moves(ctx.session, case):
        reference = f"移送第{t.id}号"
        cases.do_note_transfer(ctx, case.id, transferred_on=ctx.today, reference=reference)


def do_receive(ctx: Ctx, transfer_id: int, body: ReceiveIn) -> Transfer:
    """公安签收: the police may not refuse a transfer for missing material (XJ 8); the 立案
    limit (police.filing_decision: 3, 7 or 30 days) runs from here."""
    t = _get(ctx, transfer_id)
    _check(ctx, t, "receive")
    t.received_at, t.complexity = ctx.now, body.complexity.value
    rule = rules.filing_rule(t.kind, t.complexity)
    return _move(ctx, t, TransferAction.RECEIVE, S.RECEIVED, rule, {"complexity": t.complexity})


def do_request_material(ctx: Ctx, transfer_id: int, body: NoteIn) -> Transfer:
    """公安要求补充材料, in writing, within 24 hours of receipt (police.material_notice)."""
    t = _get(ctx, transfer_id)
    _check(ctx, t, "request_material")
    catalogue = load_catalogue(ctx.settings.deadline_rules_file)
    received = t.received_at or ctx.now
    if ctx.now > catalogue.due_at("police.material_notice", received):
        raise Conflict("签收已超过24小时，不能再要求补充材料，应依法作出立案决定")
    t.material_request, t.material_requested_at = body.note, ctx.now
    return _move(
        ctx,
        t,
        TransferAction.REQUEST_MATERIAL,
        S.MATERIAL_REQUESTED,
        "transfer.material_supply",
        {"request": body.note},
    )


def do_supply_material(ctx: Ctx, transfer_id: int, body: NoteIn) -> Transfer:
    """补充材料 (transfer.material_supply, 3 days); the 立案 limit runs again from receipt."""
    t = _get(ctx, transfer_id)
    _check(ctx, t, "supply_material")
    t.material_supplied_at = ctx.now
    rule = rules.filing_rule(t.kind, t.complexity)
    return _move(ctx, t, TransferAction.SUPPLY_MATERIAL, S.RECEIVED, rule, {"note": body.note})


def do_police_decide(ctx: Ctx, transfer_id: int, body: PoliceDecisionIn) -> Transfer:
    """立案 or 不予立案 (police.filing_decision); a refusal opens the agency's review window."""
    t = _get(ctx, transfer_id)
    _check(ctx, t, "police_decide")
    t.police_decided_at, t.police_reason = ctx.now, body.reason
    if body.file:
        return _move(ctx, t, TransferAction.FILE, S.FILED, None, {"reason": body.reason})
    return _move(
        ctx, t, TransferAction.REFUSE, S.REFUSED, "transfer.review_request", {"reason": body.reason}
    )


def do_request_review(ctx: Ctx, transfer_id: int, body: NoteIn) -> Transfer:
    """提请复议 a refusal (transfer.review_request, 3 working days)."""
    t = _get(ctx, transfer_id)
    _check(ctx, t, "request_review")
    t.review_requested_at, t.review_reason = ctx.now, body.note
    return _move(
        ctx,
        t,
        TransferAction.REQUEST_REVIEW,
        S.REVIEW_REQUESTED,
        "police.review_answer",
        {"reason": body.note},
    )


def do_answer_review(ctx: Ctx, transfer_id: int, body: PoliceDecisionIn) -> Transfer:
    """公安复议决定 (police.review_answer): 立案 after all, or the refusal upheld."""
    t = _get(ctx, transfer_id)
    _check(ctx, t, "answer_review")
    t.review_answered_at, t.police_reason = ctx.now, body.reason
    state = S.FILED if body.file else S.REFUSAL_UPHELD
    extra = {"reason": body.reason, "file": body.file}
    return _move(ctx, t, TransferAction.ANSWER_REVIEW, state, None, extra)


def do_record_outcome(ctx: Ctx, transfer_id: int, body: OutcomeIn) -> Transfer:
    """处理结果: the measures taken against named persons (e.g. 刑事拘留)."""
    t = _get(ctx, transfer_id)
    _check(ctx, t, "record_outcome")
    persons = [p.model_dump(mode="json") for p in body.persons]
    t.outcome, t.outcome_at = persons, ctx.now
    return _move(
        ctx,
        t,
        TransferAction.RECORD_OUTCOME,
        S.CONCLUDED,
        None,
        {"persons": persons, "note": body.note},
    )
