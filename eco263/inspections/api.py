"""REST routes of 巡察 (under /api/v1/inspections): thin, every write an action."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session

from eco263.actor import Actor
from eco263.inspections import actions, service
from eco263.inspections.models import InspectionCampaign, InspectionTarget
from eco263.inspections.schemas import (
    CampaignDetailOut,
    CampaignIn,
    CampaignOut,
    DispositionIn,
    DispositionOut,
    DoneIn,
    FindingIn,
    FindingOut,
    OpenProblemIn,
    OpinionIn,
    OpinionOut,
    PlanIn,
    ProgressOut,
    ReportIn,
    ReviewIn,
    TargetDetailOut,
    TargetIn,
    TargetOut,
    VisitIn,
    VisitOut,
)
from eco263.web.deps import user_ctx
from eco263.web.inputs import Id, PageNumber

router = APIRouter(prefix="/inspections", tags=["inspections 巡察"])


def _campaign_out(
    session: Session, actor: Actor, campaign: InspectionCampaign, today: object
) -> CampaignDetailOut:
    out = CampaignDetailOut.model_validate(
        {
            **CampaignOut.model_validate(campaign).model_dump(),
            "progress": ProgressOut.model_validate(
                service.progress(session, actor, campaign, today),  # type: ignore[arg-type]
                from_attributes=True,
            ),
        }
    )
    out.targets = [
        TargetOut.model_validate(t) for t in service.targets_of(session, actor, campaign.id)
    ]
    return out


def _target_out(session: Session, actor: Actor, target: InspectionTarget) -> TargetDetailOut:
    out = TargetDetailOut.model_validate(target)
    out.visits = [VisitOut.model_validate(v) for v in service.visits_of(session, target.id)]
    out.findings = [FindingOut.model_validate(f) for f in service.findings_of(session, target.id)]
    out.opinions = [
        OpinionOut.model_validate(o)
        for o in service.list_opinions(session, actor, target_id=target.id)
    ]
    return out


@router.get("/campaigns", response_model=list[CampaignOut])
def list_campaigns(request: Request, page: Annotated[PageNumber, Query()] = 1) -> list[CampaignOut]:
    """Campaigns the caller may read (the 纪委 and the offices; a district: with a target in
    its area)."""
    with user_ctx(request) as ctx:
        rows = service.list_campaigns(ctx.session, ctx.actor, offset=(page - 1) * 50)
        return [CampaignOut.model_validate(c) for c in rows]


@router.post("/campaigns", response_model=CampaignOut, status_code=201)
def create_campaign(request: Request, body: CampaignIn) -> CampaignOut:
    """创建巡察项目 (纪委监委)."""
    with user_ctx(request) as ctx:
        return CampaignOut.model_validate(actions.do_create_campaign(ctx, body))


@router.get("/campaigns/{campaign_id}", response_model=CampaignDetailOut)
def get_campaign(request: Request, campaign_id: Id) -> CampaignDetailOut:
    """The campaign with its progress and the targets the caller may read."""
    with user_ctx(request) as ctx:
        campaign = service.get_campaign(ctx.session, ctx.actor, campaign_id)
        return _campaign_out(ctx.session, ctx.actor, campaign, ctx.today)


@router.post("/campaigns/{campaign_id}/targets", response_model=TargetOut, status_code=201)
def add_target(request: Request, campaign_id: Id, body: TargetIn) -> TargetOut:
    """确定巡察对象 (纪委监委)."""
    with user_ctx(request) as ctx:
        return TargetOut.model_validate(actions.do_add_target(ctx, campaign_id, body))


@router.get("/targets/{target_id}", response_model=TargetDetailOut)
def get_target(request: Request, target_id: Id) -> TargetDetailOut:
    with user_ctx(request) as ctx:
        target = service.get_target(ctx.session, ctx.actor, target_id)
        return _target_out(ctx.session, ctx.actor, target)


@router.post("/targets/{target_id}/visits", response_model=VisitOut, status_code=201)
def record_visit(request: Request, target_id: Id, body: VisitIn) -> VisitOut:
    with user_ctx(request) as ctx:
        return VisitOut.model_validate(actions.do_record_visit(ctx, target_id, body))


@router.post("/targets/{target_id}/findings", response_model=FindingOut, status_code=201)
def record_finding(request: Request, target_id: Id, body: FindingIn) -> FindingOut:
    with user_ctx(request) as ctx:
        return FindingOut.model_validate(actions.do_record_finding(ctx, target_id, body))


@router.post("/targets/{target_id}/done", response_model=TargetOut)
def finish_target(request: Request, target_id: Id, body: DoneIn) -> TargetOut:
    """巡察完成 (counts in the campaign's progress)."""
    with user_ctx(request) as ctx:
        return TargetOut.model_validate(actions.do_finish_target(ctx, target_id, body.done_on))


@router.post("/targets/{target_id}/opinions", response_model=OpinionOut, status_code=201)
def issue_opinion(request: Request, target_id: Id, body: OpinionIn) -> OpinionOut:
    """下发监督意见书 (纪委监委); the reply is due by the catalogue's ``opinion.reply``."""
    with user_ctx(request) as ctx:
        return OpinionOut.model_validate(actions.do_issue_opinion(ctx, target_id, body))


@router.get("/opinions", response_model=list[OpinionOut])
def list_opinions(request: Request) -> list[OpinionOut]:
    """Opinions the caller may read (an inspected unit: its own)."""
    with user_ctx(request) as ctx:
        return [OpinionOut.model_validate(o) for o in service.list_opinions(ctx.session, ctx.actor)]


@router.get("/opinions/{opinion_id}", response_model=OpinionOut)
def get_opinion(request: Request, opinion_id: Id) -> OpinionOut:
    with user_ctx(request) as ctx:
        return OpinionOut.model_validate(service.get_opinion(ctx.session, ctx.actor, opinion_id))


@router.post("/opinions/{opinion_id}/plan", response_model=OpinionOut)
def submit_plan(request: Request, opinion_id: Id, body: PlanIn) -> OpinionOut:
    """回复：整改方案与长效机制 (the inspected unit)."""
    with user_ctx(request) as ctx:
        o = actions.do_submit_plan(
            ctx, opinion_id, body.plan, body.mechanisms, version=body.version
        )
        return OpinionOut.model_validate(o)


@router.post("/opinions/{opinion_id}/report", response_model=OpinionOut)
def submit_report(request: Request, opinion_id: Id, body: ReportIn) -> OpinionOut:
    """整改报告 (the inspected unit)."""
    with user_ctx(request) as ctx:
        o = actions.do_submit_report(ctx, opinion_id, body.report, version=body.version)
        return OpinionOut.model_validate(o)


@router.post("/opinions/{opinion_id}/review", response_model=OpinionOut)
def review_report(request: Request, opinion_id: Id, body: ReviewIn) -> OpinionOut:
    """审核整改报告 (纪委监委): accept or return."""
    with user_ctx(request) as ctx:
        o = actions.do_review_report(ctx, opinion_id, body.accept, body.note, version=body.version)
        return OpinionOut.model_validate(o)


@router.post("/findings/{finding_id}/problems", response_model=FindingOut, status_code=201)
def open_problem(request: Request, finding_id: Id, body: OpenProblemIn) -> FindingOut:
    """转入问题台账 (263办): a ledger problem from a finding, dispatched to the target's unit."""
    with user_ctx(request) as ctx:
        return FindingOut.model_validate(actions.do_open_problem(ctx, finding_id, body))


@router.post("/targets/{target_id}/dispositions", response_model=DispositionOut, status_code=201)
def dispose(request: Request, target_id: Id, body: DispositionIn) -> DispositionOut:
    """处置 (纪委监委, within its 管理权限): form × measure checked."""
    with user_ctx(request) as ctx:
        return DispositionOut.model_validate(actions.do_dispose(ctx, target_id, body))


@router.get("/campaigns/{campaign_id}/dispositions", response_model=list[DispositionOut])
def list_dispositions(request: Request, campaign_id: Id) -> list[DispositionOut]:
    """Dispositions of the campaign: the 纪委监委 only (others get an empty list)."""
    with user_ctx(request) as ctx:
        service.get_campaign(ctx.session, ctx.actor, campaign_id)
        rows = service.list_dispositions(ctx.session, ctx.actor, campaign_id=campaign_id)
        return [DispositionOut.model_validate(d) for d in rows]
