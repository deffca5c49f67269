"""The work on a problem from its page: moves, extensions, evidence upload and preview."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from eco263.errors import NotFound
from eco263.evidence.store import BlobStore
from eco263.problems import actions, service
from eco263.problems.enums import Move
from eco263.problems.pages._common import FORM_ERRORS, done, parse_int
from eco263.problems.pages.detail import detail_page
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.forms import FieldErrors, domain_errors, parse_date
from eco263.web.routing import PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.post(
    "/problems/{problem_id}/assignments/{assignment_id}/move", dependencies=[Depends(require_csrf)]
)
def move(
    request: Request,
    problem_id: int,
    assignment_id: int,
    move: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
) -> Response:
    """签收 / 提交整改 / 核查通过 / 退回 — the buttons the detail page showed this user."""
    key = f"move-{assignment_id}"
    try:
        chosen = Move(move)
        if chosen in (Move.DISPATCH, Move.MERGE):
            raise ValueError(move)
    except ValueError:
        return detail_page(request, problem_id, errors={key: {"note": "未知操作"}}, status=422)
    try:
        with user_ctx(request) as ctx:
            service.get_problem(ctx.session, ctx.actor, problem_id)
            actions.do_move(
                ctx, assignment_id, chosen, note=note[:2000], version=parse_int(version, 0) or None
            )
    except FORM_ERRORS as exc:
        return detail_page(
            request,
            problem_id,
            errors={key: {"note": exc.message}},
            values={key: {"note": note}},
            status=exc.status_code,
        )
    return done(problem_id, chosen.value, f"a{assignment_id}")


@router.post(
    "/problems/{problem_id}/assignments/{assignment_id}/extension",
    dependencies=[Depends(require_csrf)],
)
def request_extension(
    request: Request,
    problem_id: int,
    assignment_id: int,
    requested_due: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    key = f"ext-{assignment_id}"
    values = {key: {"requested_due": requested_due, "reason": reason}}
    errors: FieldErrors = {}
    due: date | None = None
    try:
        due = parse_date(requested_due)
    except ValueError as exc:
        errors["requested_due"] = str(exc)
    if due is None:
        errors.setdefault("requested_due", "请填写申请的新期限")
    if len(reason.strip()) < 2:
        errors["reason"] = "请填写延期理由（至少 2 个字）"
    if errors or due is None:
        return detail_page(request, problem_id, errors={key: errors}, values=values, status=422)
    try:
        with user_ctx(request) as ctx:
            service.get_problem(ctx.session, ctx.actor, problem_id)
            actions.do_request_extension(ctx, assignment_id, due, reason[:500])
    except FORM_ERRORS as exc:
        found = domain_errors(exc, {"requested_due": "requested_due"}, "reason")
        return detail_page(
            request, problem_id, errors={key: found}, values=values, status=exc.status_code
        )
    return done(problem_id, "extension", f"a{assignment_id}")


@router.post(
    "/problems/{problem_id}/extensions/{extension_id}/decision",
    dependencies=[Depends(require_csrf)],
)
def decide_extension(
    request: Request,
    problem_id: int,
    extension_id: int,
    decision: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    key = f"decide-{extension_id}"
    if decision not in ("approve", "reject"):
        return detail_page(
            request, problem_id, errors={key: {"note": "请选择批准或驳回"}}, status=422
        )
    try:
        with user_ctx(request) as ctx:
            service.get_problem(ctx.session, ctx.actor, problem_id)
            if extension_id not in {e.id for e in service.extensions_of(ctx.session, problem_id)}:
                raise NotFound("延期申请")
            actions.do_decide_extension(
                ctx, extension_id, approve=decision == "approve", note=note[:500]
            )
    except FORM_ERRORS as exc:
        return detail_page(
            request,
            problem_id,
            errors={key: {"note": exc.message}},
            values={key: {"note": note}},
            status=exc.status_code,
        )
    return done(problem_id, decision, "extensions")


@router.post("/problems/{problem_id}/attachments", dependencies=[Depends(require_csrf)])
async def upload(
    request: Request,
    problem_id: int,
    file: Annotated[UploadFile | None, File()] = None,
    assignment_id: Annotated[str, Form()] = "",
) -> Response:
    """证据材料: a photo or document, kept content-addressed and on the audit chain."""
    limit = request.app.state.runtime.settings.max_upload_bytes
    data = await file.read(limit + 1) if file is not None else b""
    filename = (file.filename or "") if file is not None else ""
    try:
        with user_ctx(request) as ctx:
            actions.do_attach_evidence(
                ctx,
                problem_id,
                filename=filename,
                data=data,
                assignment_id=parse_int(assignment_id, 0) or None,
            )
    except FORM_ERRORS as exc:
        message = exc.message if filename else "请选择要上传的文件"
        return detail_page(
            request, problem_id, errors={"upload": {"file": message}}, status=exc.status_code
        )
    return done(problem_id, "upload", "evidence")


PREVIEWABLE = frozenset({"image/jpeg", "image/png"})


@router.get("/attachments/{attachment_id}/view")
def view_attachment(request: Request, attachment_id: int) -> Response:
    """A photo shown inline (preview); any other kind is downloaded.  Scoped like the problem."""
    with user_ctx(request) as ctx:
        a = service.get_attachment(ctx.session, ctx.actor, attachment_id)
        data = BlobStore(ctx.settings.attachments_path).get(a.sha256)
    inline = a.content_type in PREVIEWABLE
    disposition = "inline" if inline else "attachment"
    return Response(
        content=data,
        media_type=a.content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(a.filename, safe='')}",
            "Content-Security-Policy": "default-src 'none'; img-src 'self'",
            "Cache-Control": "private, max-age=3600",
            "X-Eco263-SHA256": a.sha256,
        },
    )
