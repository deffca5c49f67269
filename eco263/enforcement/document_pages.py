"""Pages of a case's evidence list and documents (Chinese): the evidence form of the case page
(with its file), an evidence file's download, the documents as DOCX/PDF downloads, and the
enterprise's page of the documents served on it (告知书、决定书; never an internal approval).

The same services and actions as the API: out of scope is a 404, a step not reached a 409 with
its Chinese message, a refused evidence item a 422 that changes nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from eco263.enforcement import actions, documents, service
from eco263.enforcement.api import evidence_body
from eco263.enforcement.enums import DOC_LABELS
from eco263.errors import NotFound
from eco263.evidence.store import BlobStore
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.inputs import Id
from eco263.web.routing import PageRoute
from eco263.web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)
CSRF = [Depends(require_csrf)]


@router.post("/enforcement/cases/{case_id}/evidence", dependencies=CSRF)
async def evidence_submit(
    request: Request,
    case_id: Id,
    kind: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    source: Annotated[str, Form()] = "",
    collected_by: Annotated[str, Form()] = "",
    collected_at: Annotated[str, Form()] = "",
    record_id: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """登记证据 from the case page (the same action as the API's route)."""
    fields = {
        "kind": kind,
        "title": title,
        "source": source,
        "collected_by": collected_by,
        "collected_at": collected_at,
        "record_id": record_id,
    }
    body = evidence_body({k: v.strip() for k, v in fields.items() if v.strip()})
    data: bytes | None = None
    name: str | None = None
    if file is not None and file.filename:
        name = file.filename
        data = await file.read(request.app.state.runtime.settings.max_upload_bytes + 1)
    with user_ctx(request) as ctx:
        if service.is_party(ctx.actor):
            raise NotFound("页面")
        actions.do_add_evidence(ctx, case_id, body, filename=name, data=data)
    return RedirectResponse(f"/enforcement/cases/{case_id}#evidence", status_code=303)


@router.get("/enforcement/cases/{case_id}/evidence/{evidence_id}/file")
def evidence_file(request: Request, case_id: Id, evidence_id: Id) -> Response:
    with user_ctx(request) as ctx:
        item = service.get_evidence(ctx.session, ctx.actor, case_id, evidence_id)
        if item.sha256 is None:
            raise NotFound("证据文件")
        data = BlobStore(ctx.settings.attachments_path).get(item.sha256)
        headers = {**documents.disposition(item.filename or "证据"), "X-Eco263-SHA256": item.sha256}
        return Response(data, media_type=item.content_type, headers=headers)


@router.get("/enforcement/cases/{case_id}/documents/{name}")
def document(request: Request, case_id: Id, name: Annotated[str, Path(max_length=24)]) -> Response:
    """A document of the case as DOCX or PDF (``notice.pdf``), for whoever may read it."""
    with user_ctx(request) as ctx:
        data, media, filename = documents.fetch(ctx.session, ctx.actor, case_id, name)
    return Response(data, media_type=media, headers=documents.disposition(filename))


@router.get("/enforcement/served")
def served_page(request: Request) -> Response:
    """执法文书: the documents served on the reader's enterprise (the party concerned only)."""
    with user_ctx(request) as ctx:
        if not service.is_party(ctx.actor):
            return RedirectResponse("/enforcement", status_code=303)
        items = [
            {
                "case": case,
                "docs": [(k.value, DOC_LABELS[k]) for k in kinds],
            }
            for case, kinds in service.served_on_party(ctx.session, ctx.actor)
        ]
        return render(
            request,
            "enforcement/served.html",
            {"items": items},
            actor=ctx.actor,
            today=ctx.today,
            active="served",
        )
