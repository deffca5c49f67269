"""巡察 writes (``do_*``): check the rule, change state, audit — one transaction.

The 纪委监委 (role ``supervisor``) runs the campaign: its targets, visits, findings, the
监督意见书 (reply due by ``opinion.reply``, report by ``inspection.report``) and the review
of the report, and decides dispositions within its 管理权限.  The inspected unit answers its
own opinion: the rectification plan with its long-term mechanisms, then the report.  The 263
office opens ledger problems from a finding (the ledger is the office's; the 纪委 never edits
a problem): source 监督意见书 from the opinion's date when an opinion cites the finding
(``ledger.source.监督意见书``), source 巡察 from the day it was found otherwise.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from eco263.context import Ctx
from eco263.db import unique_or_conflict
from eco263.deadlines import load_catalogue
from eco263.errors import Conflict, InvalidInput
from eco263.inspections import rules, service
from eco263.inspections.enums import AuditAction, OpinionState, TargetKind
from eco263.inspections.events import OpinionReplyOverdue
from eco263.inspections.models import (
    InspectionCampaign,
    InspectionDisposition,
    InspectionFinding,
    InspectionOpinion,
    InspectionTarget,
    InspectionVisit,
)
from eco263.inspections.schemas import (
    CampaignIn,
    DispositionIn,
    FindingIn,
    OpenProblemIn,
    OpinionIn,
    TargetIn,
    VisitIn,
)
from eco263.problems import actions as ledger
from eco263.problems.enums import Source
from eco263.problems.schemas import AssignmentSpec, ProblemCreate
from eco263.registry import service as registry
from eco263.registry.enums import ASSIGNABLE_KINDS
from eco263.supervision.actions import rules_checks as clue_rules
from eco263.workdays import CalendarRangeError

KINDS = ("专项巡察", "专项监督")


def _not_future(ctx: Ctx, day: Any, field: str) -> None:
    if day > ctx.today:
        raise InvalidInput("日期不能晚于今天", field=field)


def do_create_campaign(ctx: Ctx, data: CampaignIn) -> InspectionCampaign:
    """立项: a 纪委 user opens the year's campaign for its own area."""
    rules.require_jiwei(ctx.actor, "创建巡察项目")
    code = data.division_code or ctx.actor.division_code
    registry.require_in_jurisdiction(ctx.session, ctx.actor, code)
    if data.kind not in KINDS:
        raise InvalidInput("类型应为专项巡察或专项监督", field="kind")
    campaign = InspectionCampaign(
        year=data.year,
        theme=data.theme.strip(),
        kind=data.kind,
        division_code=code,
        planned_targets=data.planned_targets,
        note=data.note,
        created_by=ctx.actor.user_id,
        created_at=ctx.now,
    )
    duplicate = select(InspectionCampaign.id).where(
        InspectionCampaign.year == campaign.year,
        InspectionCampaign.theme == campaign.theme,
        InspectionCampaign.division_code == code,
    )
    taken = "同一年度、同一主题的巡察项目已存在"
    if ctx.session.scalar(duplicate) is not None:
        raise Conflict(taken)
    with unique_or_conflict(ctx.session, taken):
        ctx.session.add(campaign)
    ctx.audit(
        AuditAction.CREATE_CAMPAIGN,
        "inspection_campaign",
        campaign.id,
        None,
        {"year": campaign.year, "theme": campaign.theme, "division_code": code},
    )
    return campaign


def do_add_target(ctx: Ctx, campaign_id: int, data: TargetIn) -> InspectionTarget:
    """确定巡察对象: a village or unit in the campaign's area, with the unit that answers."""
    campaign = service.get_campaign(ctx.session, ctx.actor, campaign_id)
    rules.require_jiwei(ctx.actor, "确定巡察对象")
    if data.kind not in set(TargetKind):
        raise InvalidInput("巡察对象类型应为村（居）或单位", field="kind")
    registry.require_in_jurisdiction(ctx.session, ctx.actor, data.division_code)
    target_div = registry.get_division(ctx.session, data.division_code)
    campaign_div = registry.get_division(ctx.session, campaign.division_code)
    if not target_div.path.startswith(campaign_div.path):
        raise InvalidInput("巡察对象不在该巡察项目的区域内", field="division_code")
    if data.organization_id is not None:
        org = registry.organization_in_scope(ctx.session, ctx.actor, data.organization_id)
        if org.kind not in ASSIGNABLE_KINDS:
            raise InvalidInput(f"{org.name}不能作为被监督单位", field="organization_id")
        org_path = registry.get_division(ctx.session, org.division_code).path
        if not (target_div.path.startswith(org_path) or org_path.startswith(target_div.path)):
            raise InvalidInput(f"{org.name}不在巡察对象所在区划", field="organization_id")
    # the whole campaign, not only the actor's part of it: the name is unique per campaign
    taken = "该巡察对象已在本项目中"
    if service.target_name_taken(ctx.session, campaign.id, data.name.strip()):
        raise Conflict(taken)
    target = InspectionTarget(
        campaign_id=campaign.id,
        name=data.name.strip(),
        kind=data.kind,
        division_code=data.division_code,
        organization_id=data.organization_id,
        added_by=ctx.actor.user_id,
        added_at=ctx.now,
    )
    with unique_or_conflict(ctx.session, taken):
        ctx.session.add(target)
    ctx.audit(
        AuditAction.ADD_TARGET,
        "inspection_target",
        target.id,
        None,
        {"campaign_id": campaign.id, "name": target.name, "division_code": target.division_code},
    )
    return target


def _jiwei_target(ctx: Ctx, target_id: int, what: str) -> InspectionTarget:
    target = service.get_target(ctx.session, ctx.actor, target_id)
    rules.require_jiwei(ctx.actor, what)
    return target


def do_record_visit(ctx: Ctx, target_id: int, data: VisitIn) -> InspectionVisit:
    target = _jiwei_target(ctx, target_id, "记录巡察走访")
    _not_future(ctx, data.visited_on, "visited_on")
    visit = InspectionVisit(
        target_id=target.id,
        visited_on=data.visited_on,
        team=data.team,
        note=data.note,
        recorded_by=ctx.actor.user_id,
        recorded_at=ctx.now,
    )
    ctx.session.add(visit)
    ctx.session.flush()
    ctx.audit(
        AuditAction.VISIT,
        "inspection_target",
        target.id,
        None,
        {"visit_id": visit.id, "visited_on": data.visited_on.isoformat()},
    )
    return visit


def do_record_finding(ctx: Ctx, target_id: int, data: FindingIn) -> InspectionFinding:
    target = _jiwei_target(ctx, target_id, "记录巡察发现问题")
    _not_future(ctx, data.found_on, "found_on")
    finding = InspectionFinding(
        target_id=target.id,
        found_on=data.found_on,
        summary=data.summary.strip(),
        detail=data.detail,
        problem_ids=[],
        recorded_by=ctx.actor.user_id,
        recorded_at=ctx.now,
    )
    ctx.session.add(finding)
    ctx.session.flush()
    ctx.audit(
        AuditAction.FINDING,
        "inspection_target",
        target.id,
        None,
        {"finding_id": finding.id, "summary": finding.summary},
    )
    return finding


def do_finish_target(ctx: Ctx, target_id: int, done_on: Any) -> InspectionTarget:
    """巡察完成: the target counts as done in the campaign's progress."""
    target = _jiwei_target(ctx, target_id, "确认巡察完成")
    _not_future(ctx, done_on, "done_on")
    if target.done_on is not None:
        raise Conflict("该巡察对象已完成巡察")
    target.done_on = done_on
    ctx.audit(
        AuditAction.FINISH_TARGET,
        "inspection_target",
        target.id,
        None,
        {"done_on": done_on.isoformat()},
    )
    return target


def do_issue_opinion(ctx: Ctx, target_id: int, data: OpinionIn) -> InspectionOpinion:
    """下发监督意见书: a 纪委 user, to the unit answering for the target; the reply (the
    rectification plan) is due by ``opinion.reply``, the report by ``inspection.report``,
    both from the opinion's date (issued in eco263, it is served on that day)."""
    target = _jiwei_target(ctx, target_id, "下发监督意见书")
    if target.organization_id is None:
        raise InvalidInput("该巡察对象未指定被监督单位，不能下发监督意见书", field="target")
    _not_future(ctx, data.issued_on, "issued_on")
    number = data.number.strip()
    taken = f"文号 {number} 已被使用"
    if service.number_taken(ctx.session, number):
        raise Conflict(taken)
    findings = {f.id: f for f in service.findings_of(ctx.session, target.id)}
    ids = list(dict.fromkeys(data.finding_ids))
    unknown = [i for i in ids if i not in findings]
    if unknown:
        raise InvalidInput(f"未知的发现问题 {unknown[0]}", field="finding_ids")
    if any(findings[i].found_on > data.issued_on for i in ids):
        raise InvalidInput("意见书日期不能早于所列问题的发现日期", field="issued_on")
    catalogue = load_catalogue(ctx.settings.deadline_rules_file)
    try:
        reply = catalogue.due(rules.REPLY_RULE, data.issued_on, ctx.calendar)
        report = catalogue.due(rules.REPORT_RULE, data.issued_on, ctx.calendar)
    except CalendarRangeError as exc:
        raise InvalidInput(str(exc), field="issued_on") from exc
    text = data.findings.strip() or "\n".join(
        f"{n}. {findings[i].summary}" for n, i in enumerate(ids, 1)
    )
    opinion = InspectionOpinion(
        number=number,
        campaign_id=target.campaign_id,
        target_id=target.id,
        organization_id=target.organization_id,
        division_code=target.division_code,
        issued_on=data.issued_on,
        findings=text,
        finding_ids=ids,
        measures=data.measures,
        reply_due=reply.due,
        reply_due_reason=reply.reason,
        reply_due_rule=reply.rule,
        report_due=report.due,
        report_due_reason=report.reason,
        issued_by=ctx.actor.user_id,
        issued_at=ctx.now,
        state=OpinionState.ISSUED.value,
        version=1,
    )
    with unique_or_conflict(ctx.session, taken):  # a twin issued between check and insert
        ctx.session.add(opinion)
    ctx.audit(AuditAction.ISSUE_OPINION, "inspection_opinion", opinion.id, None, snapshot(opinion))
    return opinion


def do_flag_overdue_reply(ctx: Ctx, o: InspectionOpinion, target_name: str) -> bool:
    """监督意见书逾期未回复 (the ``opinion_overdue`` job, as the system): the first time an
    opinion is seen past its reply deadline without a plan, audit it and announce it (the
    unit and the issuing 纪委 user are told); every time, let supervision's rule decide on
    a clue (after its grace, once per opinion).  Returns whether this call flagged it."""
    overdue = ctx.calendar.workdays_between(o.reply_due, ctx.today)
    first = o.id not in service.flagged(
        ctx.session, "inspection_opinion", AuditAction.REPLY_OVERDUE.value, [o.id]
    )
    if first:
        ctx.audit(
            AuditAction.REPLY_OVERDUE,
            "inspection_opinion",
            o.id,
            None,
            {**snapshot(o), "overdue_workdays": overdue},
        )
        ctx.announce(
            OpinionReplyOverdue(
                o.id, o.number, o.organization_id, target_name, o.reply_due, overdue, o.issued_by
            )
        )
    clue_rules.do_check_opinion_overdue(
        ctx,
        clue_rules.OpinionOverdueFacts(
            opinion_id=o.id,
            number=o.number,
            organization_id=o.organization_id,
            division_code=o.division_code,
            target_name=target_name,
            issued_on=o.issued_on,
            reply_due=o.reply_due,
            overdue_workdays=overdue,
        ),
    )
    return first


def snapshot(o: InspectionOpinion) -> dict[str, Any]:
    return {
        "number": o.number,
        "state": o.state,
        "organization_id": o.organization_id,
        "reply_due": o.reply_due.isoformat(),
        "report_due": o.report_due.isoformat() if o.report_due else None,
    }


def _bump(ctx: Ctx, o: InspectionOpinion, version: int | None, state: OpinionState) -> None:
    expected = o.version if version is None else version
    result = ctx.session.execute(
        update(InspectionOpinion)
        .where(InspectionOpinion.id == o.id, InspectionOpinion.version == expected)
        .values(state=state.value, version=InspectionOpinion.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("该监督意见书已被他人更新，请刷新后重试", current_version=o.version)
    ctx.session.refresh(o)


def do_submit_plan(
    ctx: Ctx, opinion_id: int, plan: str, mechanisms: str, *, version: int | None = None
) -> InspectionOpinion:
    """回复: the inspected unit reports its rectification plan and long-term mechanisms."""
    o = service.get_opinion(ctx.session, ctx.actor, opinion_id)
    rules.require_addressee(ctx.actor, o.organization_id, "报送整改方案")
    target = rules.next_state(o.state, "plan")
    before = snapshot(o)
    _bump(ctx, o, version, target)
    o.plan, o.mechanisms = plan, mechanisms
    o.planned_by, o.planned_at = ctx.actor.user_id, ctx.now
    late = ctx.today > o.reply_due
    ctx.audit(AuditAction.PLAN, "inspection_opinion", o.id, before, {**snapshot(o), "late": late})
    return o


def do_submit_report(
    ctx: Ctx, opinion_id: int, report: str, *, version: int | None = None
) -> InspectionOpinion:
    """整改报告: the inspected unit reports what it has done."""
    o = service.get_opinion(ctx.session, ctx.actor, opinion_id)
    rules.require_addressee(ctx.actor, o.organization_id, "报送整改报告")
    target = rules.next_state(o.state, "report")
    before = snapshot(o)
    _bump(ctx, o, version, target)
    o.report, o.reported_by, o.reported_at = report, ctx.actor.user_id, ctx.now
    ctx.audit(AuditAction.REPORT, "inspection_opinion", o.id, before, snapshot(o))
    return o


def do_review_report(
    ctx: Ctx, opinion_id: int, accept: bool, note: str = "", *, version: int | None = None
) -> InspectionOpinion:
    """审核整改报告: the 纪委 accepts it (整改完成) or returns it (重报)."""
    o = service.get_opinion(ctx.session, ctx.actor, opinion_id)
    rules.require_jiwei(ctx.actor, "审核整改报告")
    target = rules.next_state(o.state, "accept" if accept else "return")
    before = snapshot(o)
    _bump(ctx, o, version, target)
    o.review_note, o.reviewed_by, o.reviewed_at = note, ctx.actor.user_id, ctx.now
    action = AuditAction.ACCEPT_REPORT if accept else AuditAction.RETURN_REPORT
    ctx.audit(action, "inspection_opinion", o.id, before, {**snapshot(o), "note": note})
    return o


def do_open_problem(ctx: Ctx, finding_id: int, data: OpenProblemIn) -> InspectionFinding:
    """转入问题台账: the office registers a ledger problem from a finding (and dispatches it to
    the target's unit).  Cited in an opinion, it runs by ``ledger.source.监督意见书`` from the
    opinion's date; otherwise by ``巡察``'s rule from the day it was found."""
    finding = service.get_finding(ctx.session, ctx.actor, finding_id)
    rules.require_office(ctx.actor, "将巡察发现问题转入台账")
    target = service.get_target(ctx.session, ctx.actor, finding.target_id)
    cited = [
        o
        for o in service.list_opinions(ctx.session, ctx.actor, target_id=target.id)
        if finding.id in (o.finding_ids or [])
    ]
    opinion = min(cited, key=lambda o: o.issued_on) if cited else None
    problem = ledger.do_register_problem(
        ctx,
        ProblemCreate(
            title=data.title,
            description=f"{target.name}：{finding.summary}\n{finding.detail}".strip()[:5000],
            source=(Source.SUPERVISION_OPINION if opinion else Source.PATROL).value,
            category_code=data.category_code,
            division_code=target.division_code,
            found_on=finding.found_on,
            anchored_on=opinion.issued_on if opinion else None,
            location=target.name,
        ),
    )
    if data.dispatch and target.organization_id is not None:
        ledger.do_dispatch(
            ctx, problem.id, AssignmentSpec(organization_id=target.organization_id), []
        )
    finding.problem_ids = [*(finding.problem_ids or []), problem.id]
    ctx.audit(
        AuditAction.OPEN_PROBLEM,
        "inspection_target",
        target.id,
        None,
        {"finding_id": finding.id, "problem_id": problem.id},
    )
    return finding


def do_dispose(ctx: Ctx, target_id: int, data: DispositionIn) -> InspectionDisposition:
    """处置: form × measure checked against the measure table, by a 纪委 user holding the
    subject's 管理权限 (``authority_code``, the target's division if not given)."""
    target = _jiwei_target(ctx, target_id, "作出处置")
    measures = rules.load_measures()
    kind = rules.check_disposition(measures, data.subject_kind, data.form, data.measure)
    _not_future(ctx, data.decided_on, "decided_on")
    authority = registry.get_division(ctx.session, data.authority_code or target.division_code)
    target_div = registry.get_division(ctx.session, target.division_code)
    rules.check_authority(authority.path, target_div.path, ctx.actor)
    if data.finding_id is not None and data.finding_id not in {
        f.id for f in service.findings_of(ctx.session, target.id)
    }:
        raise InvalidInput(f"未知的发现问题 {data.finding_id}", field="finding_id")
    disposition = InspectionDisposition(
        campaign_id=target.campaign_id,
        target_id=target.id,
        finding_id=data.finding_id,
        subject_kind=kind.value,
        subject_name=data.subject_name.strip(),
        subject_position=data.subject_position,
        form=data.form,
        measure=data.measure,
        authority_code=authority.code,
        decided_on=data.decided_on,
        reason=data.reason,
        decided_by=ctx.actor.user_id,
        recorded_at=ctx.now,
    )
    ctx.session.add(disposition)
    ctx.session.flush()
    ctx.audit(
        AuditAction.DISPOSE,
        "inspection_disposition",
        disposition.id,
        None,
        {
            "target_id": target.id,
            "subject_kind": kind.value,
            "form": data.form,
            "measure": data.measure,
            "authority_code": authority.code,
        },
    )
    return disposition
