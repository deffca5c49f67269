"""REST routes of the ledger: parse, call the service or action, shape the answer."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import Field

from eco263.audit.service import timeline_for
from eco263.evidence.schemas import AttachmentOut
from eco263.evidence.store import BlobStore
from eco263.problems import actions, presenters, service
from eco263.problems.enums import Move
from eco263.problems.schemas import (
    AssignmentOut,
    BatchDispatchIn,
    BatchOut,
    BatchUrgeIn,
    DecisionIn,
    DispatchIn,
    ExtensionIn,
    ExtensionOut,
    MergeIn,
    MoveIn,
    ProblemCreate,
    ProblemDetail,
    ProblemOut,
    ProblemPage,
    TimelineEntry,
    UrgeIn,
    UrgeOut,
)
from eco263.web.deps import user_ctx
from eco263.web.inputs import Id, Line, PageNumber

router = APIRouter(tags=["problems 问题台账"])


@router.get("/problems", response_model=ProblemPage)
def list_problems(
    request: Request,
    division: Annotated[Line | None, Query(max_length=12)] = None,
    state: Annotated[list[Annotated[Line, Field(max_length=16)]] | None, Query()] = None,
    source: Annotated[Line | None, Query(max_length=16)] = None,
    category: Annotated[Line | None, Query(max_length=32)] = None,
    overdue: bool = False,
    due_within_workdays: int | None = Query(default=None, ge=0, le=60),
    q: Annotated[Line | None, Query(max_length=100)] = None,
    page: Annotated[PageNumber, Query()] = 1,
    page_size: int = Query(default=50, ge=1, le=200),
) -> ProblemPage:
    """The ledger, scoped to the caller, with filters and pagination."""
    with user_ctx(request) as ctx:
        due_soon = (
            ctx.calendar.add_workdays(ctx.today, due_within_workdays)
            if due_within_workdays is not None
            else None
        )
        filters = service.ProblemFilters(
            division=division,
            states=state or [],
            source=source,
            category=category,
            overdue=overdue,
            due_soon_until=due_soon,
            text=q,
        )
        items, total = service.list_problems(
            ctx.session, ctx.actor, filters, today=ctx.today, page=page, page_size=page_size
        )
        return ProblemPage(
            items=[presenters.problem_out(p) for p in items],
            total=total,
            page=page,
            page_size=page_size,
        )


@router.post("/problems", response_model=ProblemOut, status_code=201)
def register_problem(request: Request, body: ProblemCreate) -> ProblemOut:
    with user_ctx(request) as ctx:
        return presenters.problem_out(actions.do_register_problem(ctx, body))


# Before /problems/{problem_id}/...: "batch" is not a problem id.
@router.post("/problems/batch/dispatch", response_model=BatchOut)
def batch_dispatch(request: Request, body: BatchDispatchIn) -> BatchOut:
    """批量交办: all or nothing; the first refused row (its 编号 in the message) changes nothing."""
    with user_ctx(request) as ctx:
        created = actions.do_batch_dispatch(
            ctx, body.ids, body.lead.organization_id, body.lead.due_date
        )
        return BatchOut(
            problem_ids=list(dict.fromkeys(body.ids)), assignment_ids=[a.id for a in created]
        )


@router.post("/problems/batch/urges", response_model=BatchOut, status_code=201)
def batch_urge(request: Request, body: BatchUrgeIn) -> BatchOut:
    """批量催办 every open unit of the selected problems: all or nothing, like 批量交办."""
    with user_ctx(request) as ctx:
        urges = actions.do_batch_urge(ctx, body.ids, body.note)
        return BatchOut(problem_ids=list(dict.fromkeys(body.ids)), urge_ids=[u.id for u in urges])


@router.get("/problems/{problem_id}", response_model=ProblemDetail)
def get_problem(request: Request, problem_id: Id) -> ProblemDetail:
    with user_ctx(request) as ctx:
        return presenters.problem_detail(
            ctx, service.get_problem(ctx.session, ctx.actor, problem_id)
        )


@router.post("/problems/{problem_id}/dispatch", response_model=ProblemDetail)
def dispatch(request: Request, problem_id: Id, body: DispatchIn) -> ProblemDetail:
    with user_ctx(request) as ctx:
        actions.do_dispatch(ctx, problem_id, body.lead, body.co, version=body.version)
        return presenters.problem_detail(
            ctx, service.get_problem(ctx.session, ctx.actor, problem_id)
        )


@router.post("/problems/{problem_id}/merge", response_model=ProblemOut)
def merge(request: Request, problem_id: Id, body: MergeIn) -> ProblemOut:
    with user_ctx(request) as ctx:
        problem = actions.do_merge(ctx, problem_id, body.into_problem_id, version=body.version)
        return presenters.problem_out(problem)


@router.post(
    "/assignments/{assignment_id}/extensions", response_model=ExtensionOut, status_code=201
)
def request_extension(request: Request, assignment_id: Id, body: ExtensionIn) -> ExtensionOut:
    with user_ctx(request) as ctx:
        ext = actions.do_request_extension(
            ctx, assignment_id, body.requested_due, body.reason, on_behalf=body.on_behalf
        )
        return ExtensionOut.model_validate(ext)


@router.post("/assignments/{assignment_id}/urges", response_model=UrgeOut, status_code=201)
def urge_assignment(request: Request, assignment_id: Id, body: UrgeIn) -> UrgeOut:
    """催办: a 263 office presses the unit of an open assignment in its area (note required)."""
    with user_ctx(request) as ctx:
        urge = actions.do_urge(ctx, assignment_id, body.note)
        out = UrgeOut.model_validate(urge)
        out.urge_count = service.get_assignment(ctx.session, ctx.actor, assignment_id).urge_count
        return out


# After /assignments/{id}/extensions and /urges, which it would otherwise capture (#10).
@router.post("/assignments/{assignment_id}/{move}", response_model=AssignmentOut)
def move_assignment(request: Request, assignment_id: Id, move: Move, body: MoveIn) -> AssignmentOut:
    """签收 accept · 提交整改 submit · 核查通过 verify · 退回 return."""
    with user_ctx(request) as ctx:
        a = actions.do_move(
            ctx,
            assignment_id,
            move,
            note=body.note,
            version=body.version,
            on_behalf=body.on_behalf,
        )
        return presenters.assignment_out(ctx, a, "")


@router.post("/extensions/{extension_id}/decision", response_model=ExtensionOut)
def decide_extension(request: Request, extension_id: Id, body: DecisionIn) -> ExtensionOut:
    with user_ctx(request) as ctx:
        ext = actions.do_decide_extension(ctx, extension_id, approve=body.approve, note=body.note)
        return ExtensionOut.model_validate(ext)


@router.get("/problems/{problem_id}/extensions", response_model=list[ExtensionOut])
def list_extensions(request: Request, problem_id: Id) -> list[ExtensionOut]:
    with user_ctx(request) as ctx:
        service.get_problem(ctx.session, ctx.actor, problem_id)
        return [
            ExtensionOut.model_validate(e) for e in service.extensions_of(ctx.session, problem_id)
        ]


@router.get("/problems/{problem_id}/timeline", response_model=list[TimelineEntry])
def problem_timeline(request: Request, problem_id: Id) -> list[TimelineEntry]:
    """The problem's history from the audit chain, oldest first, with each event's hash."""
    with user_ctx(request) as ctx:
        service.get_problem(ctx.session, ctx.actor, problem_id)
        events = timeline_for(ctx.session, ctx.actor, "problem", [str(problem_id)])
        return [TimelineEntry.model_validate(e) for e in events]


@router.post("/problems/{problem_id}/attachments", status_code=201)
async def upload_attachment(
    request: Request,
    problem_id: Id,
    file: Annotated[UploadFile, File()],
    assignment_id: Annotated[Id | None, Form()] = None,
) -> dict[str, object]:
    limit = request.app.state.runtime.settings.max_upload_bytes
    data = await file.read(limit + 1)
    with user_ctx(request) as ctx:
        a = actions.do_attach_evidence(
            ctx, problem_id, filename=file.filename or "", data=data, assignment_id=assignment_id
        )
        return _attachment_json(a)


@router.get("/problems/{problem_id}/attachments")
def list_attachments(request: Request, problem_id: Id) -> list[dict[str, object]]:
    with user_ctx(request) as ctx:
        return [
            _attachment_json(a) for a in service.attachments_of(ctx.session, ctx.actor, problem_id)
        ]


@router.get("/attachments/{attachment_id}")
def download_attachment(request: Request, attachment_id: Id) -> Response:
    with user_ctx(request) as ctx:
        a = service.get_attachment(ctx.session, ctx.actor, attachment_id)
        data = BlobStore(ctx.settings.attachments_path).get(a.sha256)
    return Response(
        content=data,
        media_type=a.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(a.filename)}",
            "X-Content-Type-Options": "nosniff",
            "X-Eco263-SHA256": a.sha256,
        },
    )


def _quote(name: str) -> str:
    return quote(name, safe="")


def _attachment_json(a: AttachmentOut) -> dict[str, object]:
    return {
        "id": a.id,
        "problem_id": a.problem_id,
        "assignment_id": a.assignment_id,
        "sha256": a.sha256,
        "filename": a.filename,
        "content_type": a.content_type,
        "size": a.size,
        "uploaded_at": a.uploaded_at.isoformat(),
    }
