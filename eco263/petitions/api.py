"""REST routes of 信访: the staff path under /petitions, the public face under /public."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import Field

from eco263.errors import InvalidInput
from eco263.petitions import actions, presenters, service, visit_actions, visit_views
from eco263.petitions.schemas import (
    AnswerIn,
    DuplicateOut,
    IntakeIn,
    OpenProblemIn,
    PetitionIn,
    PetitionOut,
    PetitionPage,
    PlanIn,
    PlanOut,
    PublicPetitionIn,
    PublicProgress,
    RatingIn,
    ReasonIn,
    Receipt,
    VisitIn,
    VisitOut,
)
from eco263.petitions.throttle import LIMITER, MAX_REQUESTS, MAX_SUBMISSIONS
from eco263.web.deps import client_address, runtime, user_ctx
from eco263.web.inputs import Id, Line, PageNumber

router = APIRouter(tags=["petitions 信访"])

STEPS = {"answer", "review", "recheck"}


def _out(request: Request, petition_id: int) -> PetitionOut:
    with user_ctx(request) as ctx:
        p = service.get_petition(ctx.session, ctx.actor, petition_id)
        if presenters.sees_personal_data(ctx.actor, p):
            actions.do_view_personal(ctx, p)
        return presenters.petition_out(p, ctx.actor)


@router.get("/petitions", response_model=PetitionPage)
def list_petitions(
    request: Request,
    state: Annotated[Line | None, Query(max_length=20)] = None,
    kind: Annotated[Line | None, Query(max_length=8)] = None,
    channel: Annotated[Line | None, Query(max_length=16)] = None,
    overdue: bool = False,
    q: Annotated[Line | None, Query(max_length=100)] = None,
    page: Annotated[PageNumber, Query()] = 1,
    page_size: int = Query(default=50, ge=1, le=200),
) -> PetitionPage:
    with user_ctx(request) as ctx:
        filters = service.PetitionFilters(
            state=state,
            kind=kind,
            channel=channel,
            overdue_on=ctx.today if overdue else None,
            text=q,
        )
        items, total = service.list_petitions(
            ctx.session, ctx.actor, filters, page=page, page_size=page_size
        )
        return PetitionPage(
            items=[presenters.petition_out(p, ctx.actor) for p in items],
            total=total,
            page=page,
            page_size=page_size,
        )


@router.post("/petitions", response_model=PetitionOut, status_code=201)
def register_petition(request: Request, body: PetitionIn) -> PetitionOut:
    with user_ctx(request) as ctx:
        return presenters.petition_out(actions.do_register(ctx, body), ctx.actor)


@router.get("/petitions/{petition_id}", response_model=PetitionOut)
def get_petition(request: Request, petition_id: Id) -> PetitionOut:
    """The petition; the handler's view of the complainant's data is audited."""
    return _out(request, petition_id)


@router.get("/petitions/{petition_id}/duplicates", response_model=list[DuplicateOut])
def duplicates(request: Request, petition_id: Id) -> list[DuplicateOut]:
    """Likely repeats (same enterprise, phone, place or a similar text), best first."""
    with user_ctx(request) as ctx:
        p = service.get_petition(ctx.session, ctx.actor, petition_id)
        matches = service.duplicates_of(ctx.session, ctx.actor, p)
        found = service.petitions_by_id(ctx.session, [m.id for m in matches])
        return [presenters.duplicate_out(found[m.id], m) for m in matches]


@router.post("/petitions/{petition_id}/intake", response_model=PetitionOut)
def intake(request: Request, petition_id: Id, body: IntakeIn) -> PetitionOut:
    with user_ctx(request) as ctx:
        return presenters.petition_out(actions.do_intake(ctx, petition_id, body), ctx.actor)


@router.post("/petitions/{petition_id}/extension", response_model=PetitionOut)
def request_extension(request: Request, petition_id: Id, body: ReasonIn) -> PetitionOut:
    with user_ctx(request) as ctx:
        p = actions.do_request_extension(ctx, petition_id, body.reason)
        return presenters.petition_out(p, ctx.actor)


@router.post("/petitions/{petition_id}/extension/approve", response_model=PetitionOut)
def approve_extension(request: Request, petition_id: Id) -> PetitionOut:
    with user_ctx(request) as ctx:
        p = actions.do_approve_extension(ctx, petition_id)
        return presenters.petition_out(p, ctx.actor)


@router.post("/petitions/{petition_id}/opinions/{step}", response_model=PetitionOut)
def answer(request: Request, petition_id: Id, step: str, body: AnswerIn) -> PetitionOut:
    """信访处理意见书 (step ``answer``), 复查意见 (``review``), 复核意见 (``recheck``)."""
    if step not in STEPS:
        raise InvalidInput("未知的意见书类型（answer、review、recheck）", field="step")
    with user_ctx(request) as ctx:
        p = actions.do_answer(ctx, petition_id, body, step=step)
        return presenters.petition_out(p, ctx.actor)


@router.post("/petitions/{petition_id}/problems", response_model=PetitionOut)
def open_problem(request: Request, petition_id: Id, body: OpenProblemIn) -> PetitionOut:
    with user_ctx(request) as ctx:
        p = actions.do_open_problem(
            ctx, petition_id, body.title, body.category_code, due_date=body.due_date
        )
        return presenters.petition_out(p, ctx.actor)


# -- 带案下访 and 一企一策 ----------------------------------------------------------------------


@router.get("/petition-visits", response_model=list[VisitOut])
def list_visits(request: Request) -> list[VisitOut]:
    """带案下访 of the reader's area, latest first."""
    with user_ctx(request) as ctx:
        return [
            visit_views.visit_out(ctx.session, ctx.actor, v)
            for v in service.list_visits(ctx.session, ctx.actor)
        ]


@router.post("/petition-visits", response_model=VisitOut, status_code=201)
def record_visit(request: Request, body: VisitIn) -> VisitOut:
    """Record a 带案下访: date, place, leader, team, the petitions taken and the findings."""
    with user_ctx(request) as ctx:
        visit = visit_actions.do_record_visit(ctx, body)
        return visit_views.visit_out(ctx.session, ctx.actor, visit)


@router.get("/petition-visits/{visit_id}", response_model=VisitOut)
def get_visit(request: Request, visit_id: Id) -> VisitOut:
    with user_ctx(request) as ctx:
        visit = service.get_visit(ctx.session, ctx.actor, visit_id)
        return visit_views.visit_out(ctx.session, ctx.actor, visit)


@router.get("/petitions/{petition_id}/plans", response_model=list[PlanOut])
def list_plans(request: Request, petition_id: Id) -> list[PlanOut]:
    """The petition's 一企一策 with their state on the ledger."""
    with user_ctx(request) as ctx:
        p = service.get_petition(ctx.session, ctx.actor, petition_id)
        return visit_views.plans_out(ctx.session, service.plans_of_petitions(ctx.session, [p.id]))


@router.post("/petitions/{petition_id}/plans", response_model=PlanOut, status_code=201)
def open_plan(request: Request, petition_id: Id, body: PlanIn) -> PlanOut:
    """一企一策: a ledger problem dispatched to the owner unit with the plan's due date."""
    with user_ctx(request) as ctx:
        plan = visit_actions.do_open_plan(ctx, petition_id, body)
        (out,) = visit_views.plans_out(ctx.session, [plan])
        return out


# -- the public face: no login, limited per address ---------------------------------------------


@router.post("/public/petitions", response_model=Receipt, status_code=201)
def submit(request: Request, body: PublicPetitionIn) -> Receipt:
    address = client_address(request)
    LIMITER.hit("any", address, MAX_REQUESTS)
    LIMITER.hit("submit", address, MAX_SUBMISSIONS)
    if body.website:
        raise InvalidInput("提交无效", field="website")
    with runtime(request).unit_of_work() as ctx:
        p = actions.do_register(ctx, body, public=True)
        return Receipt(tracking_code=p.tracking_code, message="已收到您的信访事项，请保存查询码")


@router.get("/public/petitions/{code}", response_model=PublicProgress)
def progress(request: Request, code: Annotated[str, Field(max_length=16)]) -> PublicProgress:
    LIMITER.hit("any", client_address(request), MAX_REQUESTS)
    with runtime(request).sessions() as session:
        return presenters.public_progress(service.by_tracking_code(session, code))


@router.post("/public/petitions/{code}/rating", response_model=PublicProgress)
def rate(request: Request, code: str, body: RatingIn) -> PublicProgress:
    LIMITER.hit("any", client_address(request), MAX_REQUESTS)
    with runtime(request).unit_of_work() as ctx:
        return presenters.public_progress(actions.do_rate(ctx, code, body.satisfaction))


@router.post("/public/petitions/{code}/review", response_model=PublicProgress)
def request_review(request: Request, code: str, body: ReasonIn) -> PublicProgress:
    """复查 after the answer, 复核 after the review."""
    LIMITER.hit("any", client_address(request), MAX_REQUESTS)
    with runtime(request).unit_of_work() as ctx:
        return presenters.public_progress(actions.do_request_review(ctx, code, body.reason))
