"""The work on a problem from its page: moves, extensions, evidence upload and preview."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from eco263.context import Ctx
from eco263.errors import InvalidInput, NotFound
from eco263.evidence.store import BlobStore
from eco263.problems import actions, service
from eco263.problems.enums import Move
from eco263.problems.pages._common import (
    FORM_ERRORS,
    attach_all,
    done,
    parse_int,
    read_upload,
    read_uploads,
)
from eco263.problems.pages.detail import detail_page
from eco263.problems.schemas import OnBehalfIn
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.forms import FieldErrors, domain_errors, parse_date
from eco263.web.inputs import Id, Text
from eco263.web.routing import PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.post(
    "/problems/{problem_id}/assignments/{assignment_id}/move", dependencies=[Depends(require_csrf)]
)
async def move(
    request: Request,
    problem_id: Id,
    assignment_id: Id,
    move: Annotated[str, Form()] = "",
    note: Annotated[Text, Form()] = "",
    version: Annotated[str, Form()] = "",
    on_behalf_reason: Annotated[Text, Form()] = "",
    on_behalf_file: Annotated[UploadFile | None, File()] = None,
    photos: Annotated[list[UploadFile | str] | None, File()] = None,
) -> Response:
    """签收 / 提交整改 / 核查通过 / 退回 — the buttons the detail page showed this user.

    An office acting for a unit without an account (代办) gives the reason and a file of
    evidence in the same form; the file is attached in the same transaction as the move.
    Photos given with the 整改情况 (or the 核查意见) are attached in that transaction too:
    a refused file refuses the move, and a refused move keeps no file.
    """
    key = f"move-{assignment_id}"
    evidence = await read_upload(request, on_behalf_file)
    try:
        chosen = Move(move)
        if chosen in (Move.DISPATCH, Move.MERGE):
            raise ValueError(move)
    except ValueError:
        return detail_page(request, problem_id, errors={key: {"note": "未知操作"}}, status=422)
    try:
        pictures = await read_uploads(request, photos)
        with user_ctx(request) as ctx:
            service.get_problem(ctx.session, ctx.actor, problem_id)
            attach_all(ctx, problem_id, assignment_id, pictures)
            actions.do_move(
                ctx,
                assignment_id,
                chosen,
                note=note[:2000],
                version=parse_int(version, 0) or None,
                on_behalf=_on_behalf(ctx, problem_id, assignment_id, on_behalf_reason, evidence),
            )
    except FORM_ERRORS as exc:
        named = str(exc.details.get("field", ""))
        field = "on_behalf" if named.startswith("on_behalf") or named == "file" else "note"
        if named == "photos":
            field = "photos"
        return detail_page(
            request,
            problem_id,
            errors={key: {field: exc.message}},
            values={key: {"note": note, "on_behalf_reason": on_behalf_reason}},
            status=exc.status_code,
        )
    return done(problem_id, chosen.value, f"a{assignment_id}")


def _on_behalf(
    ctx: Ctx,
    problem_id: int,
    assignment_id: int,
    reason: str,
    evidence: tuple[str, bytes] | None,
) -> OnBehalfIn | None:
    """The 代办 details of a form, the evidence file attached first (same transaction).

    No reason and no file: not 代办 (the action refuses it where 代办 is needed).
    """
    if evidence is None and not reason.strip():
        return None
    if evidence is None:
        raise InvalidInput("代办须附证明材料（书面材料、照片等）", field="on_behalf")
    if len(reason.strip()) < 4:
        raise InvalidInput("请填写代办理由（至少 4 个字）", field="on_behalf")
    filename, data = evidence
    attachment = actions.do_attach_evidence(
        ctx, problem_id, filename=filename, data=data, assignment_id=assignment_id
    )
    return OnBehalfIn(reason=reason.strip()[:500], attachment_id=attachment.id)


@router.post(
    "/problems/{problem_id}/assignments/{assignment_id}/extension",
    dependencies=[Depends(require_csrf)],
)
async def request_extension(
    request: Request,
    problem_id: Id,
    assignment_id: Id,
    requested_due: Annotated[str, Form()] = "",
    reason: Annotated[Text, Form()] = "",
    on_behalf_reason: Annotated[Text, Form()] = "",
    on_behalf_file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    key = f"ext-{assignment_id}"
    evidence = await read_upload(request, on_behalf_file)
    values = {
        key: {
            "requested_due": requested_due,
            "reason": reason,
            "on_behalf_reason": on_behalf_reason,
        }
    }
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
            proxy = _on_behalf(ctx, problem_id, assignment_id, on_behalf_reason, evidence)
            actions.do_request_extension(ctx, assignment_id, due, reason[:500], on_behalf=proxy)
    except FORM_ERRORS as exc:
        fields = {
            "requested_due": "requested_due",
            "on_behalf": "on_behalf",
            "on_behalf.attachment_id": "on_behalf",
            "file": "on_behalf",
        }
        found = domain_errors(exc, fields, "reason")
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
    problem_id: Id,
    extension_id: Id,
    decision: Annotated[str, Form()] = "",
    note: Annotated[Text, Form()] = "",
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


@router.post(
    "/problems/{problem_id}/assignments/{assignment_id}/urge",
    dependencies=[Depends(require_csrf)],
)
def urge(
    request: Request,
    problem_id: Id,
    assignment_id: Id,
    note: Annotated[Text, Form(max_length=2000)] = "",
) -> Response:
    """催办 from the problem's page (a 263 office; the note is required)."""
    key = f"urge-{assignment_id}"
    try:
        with user_ctx(request) as ctx:
            service.get_problem(ctx.session, ctx.actor, problem_id)
            ids = {a.id for a in service.assignments_of(ctx.session, problem_id)}
            if assignment_id not in ids:
                raise NotFound("交办事项")
            actions.do_urge(ctx, assignment_id, note)
    except FORM_ERRORS as exc:
        return detail_page(
            request,
            problem_id,
            errors={key: {"note": exc.message}},
            values={key: {"note": note}},
            status=exc.status_code,
        )
    return done(problem_id, "urge", f"a{assignment_id}")


@router.post("/problems/{problem_id}/attachments", dependencies=[Depends(require_csrf)])
async def upload(
    request: Request,
    problem_id: Id,
    file: Annotated[list[UploadFile | str] | None, File()] = None,
    assignment_id: Annotated[str, Form()] = "",
) -> Response:
    """证据材料: photos or documents, several at once, each content-addressed and on the
    audit chain; one refused file refuses them all (nothing is kept)."""
    try:
        files = await read_uploads(request, file)
        if not files:
            raise InvalidInput("请选择要上传的文件", field="file")
        with user_ctx(request) as ctx:
            attach_all(ctx, problem_id, parse_int(assignment_id, 0) or None, files)
    except FORM_ERRORS as exc:
        return detail_page(
            request, problem_id, errors={"upload": {"file": exc.message}}, status=exc.status_code
        )
    return done(problem_id, "upload", "evidence")


PREVIEWABLE = frozenset({"image/jpeg", "image/png"})


@router.get("/attachments/{attachment_id}/view")
def view_attachment(request: Request, attachment_id: Id) -> Response:
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
