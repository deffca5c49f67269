"""REST routes of 专题询问 (under /api/v1/inquiries): thin, every write an action."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from eco263.actor import Actor
from eco263.inquiries import actions, docx_export, report, service
from eco263.inquiries.models import InquirySitting
from eco263.inquiries.schemas import (
    AnswerIn,
    DraftIn,
    OpinionIn,
    QuestionIn,
    QuestionOut,
    RatingsIn,
    ReviewIn,
    SittingIn,
    SittingOut,
    SubmitIn,
    TaskIn,
    TaskOut,
    TrackingIn,
    TrackingOut,
)
from eco263.web.deps import user_ctx
from eco263.web.inputs import Id, PageNumber

router = APIRouter(prefix="/inquiries", tags=["NPC inquiries 专题询问"])

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _out(session: Session, actor: Actor, sitting: InquirySitting) -> SittingOut:
    out = SittingOut.model_validate(sitting)
    out.questions = [
        QuestionOut.model_validate(q) for q in service.questions_of(session, sitting.id)
    ]
    out.tasks = [
        TaskOut(
            id=v.task.id,
            organization_id=v.task.organization_id,
            title=v.task.title,
            content=v.task.content,
            problem_id=v.task.problem_id,
            assignment_id=v.task.assignment_id,
            due_date=v.due_date,
            state=v.state,
            state_label=v.state_label,
        )
        for v in service.task_views(session, actor, sitting.id)
    ]
    out.ratings = service.rating_counts(session, sitting.id)
    out.tracking = [TrackingOut.model_validate(t) for t in service.tracking_of(session, sitting.id)]
    return out


@router.get("", response_model=list[SittingOut])
def list_sittings(request: Request, page: Annotated[PageNumber, Query()] = 1) -> list[SittingOut]:
    """Sittings the caller may read, newest first."""
    with user_ctx(request) as ctx:
        rows = service.list_sittings(ctx.session, ctx.actor, offset=(page - 1) * 50)
        return [_out(ctx.session, ctx.actor, s) for s in rows]


@router.get("/{sitting_id}", response_model=SittingOut)
def get_sitting(request: Request, sitting_id: Id) -> SittingOut:
    with user_ctx(request) as ctx:
        sitting = service.get_sitting(ctx.session, ctx.actor, sitting_id)
        return _out(ctx.session, ctx.actor, sitting)


@router.get("/{sitting_id}/report.docx", response_class=Response)
def report_docx(request: Request, sitting_id: Id) -> Response:
    """The handling report (its draft, or assembled now from the tasks' outcomes) as DOCX."""
    with user_ctx(request) as ctx:
        sitting = service.get_sitting(ctx.session, ctx.actor, sitting_id)
        body = docx_export.report_docx(ctx, sitting)
    return Response(
        body,
        media_type=DOCX,
        headers={"Content-Disposition": f'attachment; filename="inquiry-{sitting_id}-report.docx"'},
    )


@router.post("", response_model=SittingOut, status_code=201)
def record_sitting(request: Request, body: SittingIn) -> SittingOut:
    """登记专题询问会议 (市263办)."""
    with user_ctx(request) as ctx:
        return _out(ctx.session, ctx.actor, actions.do_record_sitting(ctx, body))


@router.post("/{sitting_id}/questions", response_model=QuestionOut, status_code=201)
def add_question(request: Request, sitting_id: Id, body: QuestionIn) -> QuestionOut:
    """登记询问问题: asker, question, answering department (市263办)."""
    with user_ctx(request) as ctx:
        return QuestionOut.model_validate(actions.do_add_question(ctx, sitting_id, body))


@router.post("/questions/{question_id}/answer", response_model=QuestionOut)
def answer(request: Request, question_id: Id, body: AnswerIn) -> QuestionOut:
    """应询答复: only the answering department, for its own question."""
    with user_ctx(request) as ctx:
        return QuestionOut.model_validate(actions.do_answer(ctx, question_id, body))


@router.post("/{sitting_id}/opinion", response_model=SittingOut)
def receive_opinion(request: Request, sitting_id: Id, body: OpinionIn) -> SittingOut:
    """收到审议意见: the receipt date anchors the report's deadline (npc.report)."""
    with user_ctx(request) as ctx:
        sitting = actions.do_receive_opinion(ctx, sitting_id, body)
        return _out(ctx.session, ctx.actor, sitting)


@router.post("/{sitting_id}/tasks", response_model=SittingOut, status_code=201)
def add_task(request: Request, sitting_id: Id, body: TaskIn) -> SittingOut:
    """分解任务: a ledger problem for one department, never due after the report."""
    with user_ctx(request) as ctx:
        actions.do_add_task(ctx, sitting_id, body)
        return _out(ctx.session, ctx.actor, service.get_sitting(ctx.session, ctx.actor, sitting_id))


@router.post("/{sitting_id}/report/draft", response_model=SittingOut)
def draft_report(request: Request, sitting_id: Id, body: DraftIn) -> SittingOut:
    """起草落实情况报告 (empty text: assembled from the tasks' outcomes)."""
    with user_ctx(request) as ctx:
        return _out(ctx.session, ctx.actor, report.do_draft_report(ctx, sitting_id, body))


@router.post("/{sitting_id}/report/review", response_model=SittingOut)
def review_report(request: Request, sitting_id: Id, body: ReviewIn) -> SittingOut:
    """审核报告: not by its drafter."""
    with user_ctx(request) as ctx:
        sitting = report.do_review_report(ctx, sitting_id, body.approve, version=body.version)
        return _out(ctx.session, ctx.actor, sitting)


@router.post("/{sitting_id}/report/submission", response_model=SittingOut)
def submit_report(request: Request, sitting_id: Id, body: SubmitIn) -> SittingOut:
    """报送人大常委会."""
    with user_ctx(request) as ctx:
        return _out(ctx.session, ctx.actor, report.do_submit_report(ctx, sitting_id, body))


@router.post("/{sitting_id}/ratings")
def record_ratings(request: Request, sitting_id: Id, body: RatingsIn) -> dict[str, int]:
    """满意度测评: the counts after recording the votes."""
    with user_ctx(request) as ctx:
        return report.do_record_ratings(ctx, sitting_id, body)


@router.post("/{sitting_id}/tracking", response_model=TrackingOut, status_code=201)
def record_tracking(request: Request, sitting_id: Id, body: TrackingIn) -> TrackingOut:
    """跟踪监督: one round."""
    with user_ctx(request) as ctx:
        return TrackingOut.model_validate(report.do_record_tracking(ctx, sitting_id, body))
