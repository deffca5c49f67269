"""REST routes of the penalty cases: reads, and every lifecycle step as a POST calling its
``do_*`` action (thin: parse, act, answer the case).  Out of scope is a 404 like a missing case;
a refused step is a Chinese 409/422 and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import ValidationError

from eco263.context import Ctx
from eco263.enforcement import actions, documents, service
from eco263.enforcement.enums import STATE_LABELS, CaseState
from eco263.enforcement.models import PenaltyCase
from eco263.enforcement.schemas import (
    CaseDetail,
    CaseIn,
    CaseOut,
    ClosingIn,
    DecisionIn,
    DocumentOut,
    EvidenceIn,
    EvidenceOut,
    ExtensionDecisionIn,
    ExtensionIn,
    ExtensionOut,
    FileIn,
    HearingIn,
    HearingRequestIn,
    InvestigationIn,
    NoticeIn,
    OpinionIn,
    PauseIn,
    PauseOut,
    PaymentIn,
    ReasonIn,
    RecordIn,
    RecordOut,
    ResumeIn,
    ServiceIn,
)
from eco263.errors import InvalidInput, NotFound
from eco263.evidence.store import BlobStore
from eco263.web.deps import user_ctx
from eco263.web.inputs import Id, Line

router = APIRouter(tags=["enforcement 行政处罚"])


def _out(case: PenaltyCase) -> CaseOut:
    out = CaseOut.model_validate(case)
    out.state_label = STATE_LABELS[CaseState(case.state)]
    return out


def _detail(ctx: Ctx, case: PenaltyCase) -> CaseDetail:
    return CaseDetail(
        case=_out(case),
        pauses=[PauseOut.model_validate(p) for p in service.pauses_of(ctx.session, case.id)],
        extensions=[
            ExtensionOut.model_validate(e) for e in service.extensions_of(ctx.session, case.id)
        ],
        next_steps=service.next_moves(ctx.session, case),
    )


@router.get("/enforcement/cases", response_model=list[CaseOut])
def list_cases(
    request: Request,
    state: Annotated[Line | None, Query(max_length=16)] = None,
    division: Annotated[Line | None, Query(max_length=12)] = None,
    enterprise_id: Annotated[Id | None, Query()] = None,
    problem_id: Annotated[Id | None, Query()] = None,
    limit: int = Query(default=200, ge=1, le=500),
) -> list[CaseOut]:
    """The cases the caller may read (its unit's, or its division's), newest first."""
    with user_ctx(request) as ctx:
        filters = service.CaseFilters(
            state=state, division_code=division, enterprise_id=enterprise_id, problem_id=problem_id
        )
        return [_out(c) for c in service.list_cases(ctx.session, ctx.actor, filters, limit=limit)]


@router.get("/enforcement/cases/{case_id}", response_model=CaseDetail)
def get_case(request: Request, case_id: Id) -> CaseDetail:
    """One case with its excluded periods, extensions and next steps; 404 when out of scope
    (the enterprise included)."""
    with user_ctx(request) as ctx:
        return _detail(ctx, service.get_case(ctx.session, ctx.actor, case_id))


@router.post("/enforcement/cases", response_model=CaseDetail, status_code=201)
def open_case(request: Request, body: CaseIn) -> CaseDetail:
    """登记线索 (the enforcing department; the officer becomes the case's investigator)."""
    with user_ctx(request) as ctx:
        case = actions.do_open_case(
            ctx,
            source=body.source,
            title=body.title,
            party_name=body.party_name,
            found_on=body.found_on,
            facts=body.facts,
            enterprise_id=body.enterprise_id,
            problem_id=body.problem_id,
            alarm_id=body.alarm_id,
            source_ref=body.source_ref,
        )
        return _detail(ctx, case)


def _step(request: Request, act: Callable[[Ctx], PenaltyCase]) -> CaseDetail:
    with user_ctx(request) as ctx:
        return _detail(ctx, act(ctx))


@router.post("/enforcement/cases/{case_id}/filing", response_model=CaseDetail)
def file_case(request: Request, case_id: Id, body: FileIn) -> CaseDetail:
    """批准立案 (the head; the 90-day decision clock starts)."""
    return _step(request, lambda ctx: actions.do_file_case(ctx, case_id, filed_on=body.filed_on))


@router.post("/enforcement/cases/{case_id}/refusal", response_model=CaseDetail)
def refuse_filing(request: Request, case_id: Id, body: ReasonIn) -> CaseDetail:
    """不予立案 (the head, with the reason)."""
    return _step(request, lambda ctx: actions.do_refuse_filing(ctx, case_id, reason=body.reason))


@router.post("/enforcement/cases/{case_id}/investigation", response_model=CaseDetail)
def finish_investigation(request: Request, case_id: Id, body: InvestigationIn) -> CaseDetail:
    """调查终结: the cited article and the proposed fine (checked against its range)."""
    return _step(
        request,
        lambda ctx: actions.do_finish_investigation(
            ctx, case_id, article=body.article, proposed_fine=body.proposed_fine, facts=body.facts
        ),
    )


@router.post("/enforcement/cases/{case_id}/legal-review", response_model=CaseDetail)
def legal_review(request: Request, case_id: Id, body: OpinionIn) -> CaseDetail:
    """法制审核 (never the investigator)."""
    return _step(request, lambda ctx: actions.do_legal_review(ctx, case_id, opinion=body.opinion))


@router.post("/enforcement/cases/{case_id}/notice", response_model=CaseDetail)
def notify(request: Request, case_id: Id, body: NoticeIn) -> CaseDetail:
    """事先告知: the day the party received the notice (the 陈述申辩/听证 window runs)."""
    return _step(request, lambda ctx: actions.do_notify(ctx, case_id, received_on=body.received_on))


@router.post("/enforcement/cases/{case_id}/hearing-request", response_model=CaseDetail)
def request_hearing(request: Request, case_id: Id, body: HearingRequestIn) -> CaseDetail:
    """申请听证 within the window (the decision clock pauses)."""
    return _step(
        request,
        lambda ctx: actions.do_request_hearing(ctx, case_id, requested_on=body.requested_on),
    )


@router.post("/enforcement/cases/{case_id}/hearing", response_model=CaseDetail)
def hold_hearing(request: Request, case_id: Id, body: HearingIn) -> CaseDetail:
    """举行听证 (the pause ends)."""
    return _step(request, lambda ctx: actions.do_hold_hearing(ctx, case_id, held_on=body.held_on))


@router.post("/enforcement/cases/{case_id}/decision", response_model=CaseDetail)
def decide(request: Request, case_id: Id, body: DecisionIn) -> CaseDetail:
    """作出决定 (the head): a penalty, or an ending without one (不予处罚、移送、撤销)."""
    return _step(
        request,
        lambda ctx: actions.do_decide(
            ctx,
            case_id,
            outcome=body.outcome,
            decided_on=body.decided_on,
            fine=body.fine,
            collective=body.collective,
            reason=body.reason,
        ),
    )


@router.post("/enforcement/cases/{case_id}/service", response_model=CaseDetail)
def serve(request: Request, case_id: Id, body: ServiceIn) -> CaseDetail:
    """送达决定书 (the 15-day payment period runs from receipt)."""
    return _step(request, lambda ctx: actions.do_serve(ctx, case_id, served_on=body.served_on))


@router.post("/enforcement/cases/{case_id}/payment", response_model=CaseDetail)
def record_payment(request: Request, case_id: Id, body: PaymentIn) -> CaseDetail:
    """缴纳罚款 (with any 加处罚款)."""
    return _step(
        request,
        lambda ctx: actions.do_record_payment(
            ctx, case_id, paid_on=body.paid_on, amount=body.amount
        ),
    )


@router.post("/enforcement/cases/{case_id}/closing", response_model=CaseDetail)
def close_case(request: Request, case_id: Id, body: ClosingIn) -> CaseDetail:
    """结案 (the head, after execution)."""
    return _step(request, lambda ctx: actions.do_close_case(ctx, case_id, closed_on=body.closed_on))


@router.post("/enforcement/cases/{case_id}/pauses", response_model=CaseDetail)
def pause_clock(request: Request, case_id: Id, body: PauseIn) -> CaseDetail:
    """期限中止: a period excluded from the 90 days."""
    return _step(
        request,
        lambda ctx: actions.do_pause_clock(
            ctx, case_id, kind=body.kind, started_on=body.started_on, note=body.note
        ),
    )


@router.post("/enforcement/cases/{case_id}/resumption", response_model=CaseDetail)
def resume_clock(request: Request, case_id: Id, body: ResumeIn) -> CaseDetail:
    """期限恢复: the excluded period ends; the deadline moves by its days."""
    return _step(request, lambda ctx: actions.do_resume_clock(ctx, case_id, ended_on=body.ended_on))


@router.post(
    "/enforcement/cases/{case_id}/extensions", response_model=ExtensionOut, status_code=201
)
def request_extension(request: Request, case_id: Id, body: ExtensionIn) -> ExtensionOut:
    """申请延长办案期限 (nothing moves until the head approves)."""
    with user_ctx(request) as ctx:
        extension = actions.do_request_extension(ctx, case_id, reason=body.reason)
        return ExtensionOut.model_validate(extension)


@router.post("/enforcement/extensions/{extension_id}/decision", response_model=ExtensionOut)
def decide_extension(request: Request, extension_id: Id, body: ExtensionDecisionIn) -> ExtensionOut:
    """审批延期 (the head, never the one who asked; the second needs 集体讨论)."""
    with user_ctx(request) as ctx:
        extension = actions.do_decide_extension(
            ctx, extension_id, approve=body.approve, collective=body.collective
        )
        return ExtensionOut.model_validate(extension)


@router.get("/enforcement/cases/{case_id}/records", response_model=list[RecordOut])
def list_records(request: Request, case_id: Id) -> list[RecordOut]:
    """The case's whole-process records (全过程记录), in time order."""
    with user_ctx(request) as ctx:
        case = service.get_case(ctx.session, ctx.actor, case_id)
        return [RecordOut.model_validate(r) for r in service.records_of(ctx.session, case.id)]


@router.post("/enforcement/cases/{case_id}/records", response_model=RecordOut, status_code=201)
def add_record(request: Request, case_id: Id, body: RecordIn) -> RecordOut:
    """制作笔录: 现场检查（勘察）笔录 or 调查询问笔录, two officers at least with their 执法证
    numbers; a record missing any of it is a Chinese 422 and nothing is written."""
    with user_ctx(request) as ctx:
        return RecordOut.model_validate(actions.do_add_record(ctx, case_id, body))


# -- evidence list (证据清单) and documents ------------------------------------------------------


@router.get("/enforcement/cases/{case_id}/evidence", response_model=list[EvidenceOut])
def list_evidence(request: Request, case_id: Id) -> list[EvidenceOut]:
    """The case's evidence list (证据清单), in the order collected (internal: 404 for the party)."""
    with user_ctx(request) as ctx:
        case = service.get_case(ctx.session, ctx.actor, case_id)
        return [EvidenceOut.model_validate(e) for e in service.evidence_of(ctx.session, case.id)]


@router.post("/enforcement/cases/{case_id}/evidence", response_model=EvidenceOut, status_code=201)
async def add_evidence(
    request: Request,
    case_id: Id,
    kind: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    source: Annotated[str, Form()] = "",
    collected_by: Annotated[str, Form()] = "",
    collected_at: Annotated[str, Form()] = "",
    record_id: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> EvidenceOut:
    """登记证据 (multipart form): kind, title, source, collector and time, linked to a record of
    the case (``record_id``) and/or a file; an item without its source or time is a Chinese 422
    and nothing is written."""
    fields = {
        "kind": kind,
        "title": title,
        "source": source,
        "collected_by": collected_by,
        "collected_at": collected_at,
        "record_id": record_id,
    }
    body = evidence_body({k: v for k, v in fields.items() if v.strip()})
    data: bytes | None = None
    if file is not None and (file.filename or file.size):
        data = await file.read(request.app.state.runtime.settings.max_upload_bytes + 1)
    with user_ctx(request) as ctx:
        item = actions.do_add_evidence(
            ctx, case_id, body, filename=file.filename if file else None, data=data
        )
        return EvidenceOut.model_validate(item)


EVIDENCE_FIELDS = {
    "kind": "证据种类",
    "title": "证据名称",
    "source": "来源",
    "collected_by": "收集人",
    "collected_at": "收集时间",
    "record_id": "关联笔录",
}


def evidence_body(data: dict[str, str]) -> EvidenceIn:
    """The evidence form as its schema, or a Chinese 422 naming the first bad field."""
    try:
        return EvidenceIn.model_validate(data)
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0].get("loc", ()))
        what = EVIDENCE_FIELDS.get(where, where)
        missing = exc.errors()[0].get("type") == "missing"
        raise InvalidInput(
            f"请填写“{what}”" if missing else f"“{what}”填写有误", field=where
        ) from None


@router.get("/enforcement/cases/{case_id}/evidence/{evidence_id}/file")
def evidence_file(request: Request, case_id: Id, evidence_id: Id) -> Response:
    """The file of an evidence item (internal), with its SHA-256."""
    with user_ctx(request) as ctx:
        item = service.get_evidence(ctx.session, ctx.actor, case_id, evidence_id)
        if item.sha256 is None:
            raise NotFound("证据文件")
        data = BlobStore(ctx.settings.attachments_path).get(item.sha256)
        headers = {**documents.disposition(item.filename or "证据"), "X-Eco263-SHA256": item.sha256}
        return Response(data, media_type=item.content_type, headers=headers)


@router.get("/enforcement/cases/{case_id}/documents", response_model=list[DocumentOut])
def list_documents(request: Request, case_id: Id) -> list[DocumentOut]:
    """The case's documents, each available or with the step it waits for; the party concerned
    sees only those served on it (告知书、决定书、送达回证)."""
    with user_ctx(request) as ctx:
        party = service.is_party(ctx.actor)
        if party:
            served = {c.id: c for c, _ in service.served_on_party(ctx.session, ctx.actor)}
            if case_id not in served:
                raise NotFound("案件")
            case = served[case_id]
        else:
            case = service.get_case(ctx.session, ctx.actor, case_id)
        base = "/api/v1/enforcement/cases"
        listed = documents.listing(ctx.session, case, party=party, base=base)
        return [DocumentOut.model_validate(d) for d in listed]


@router.get("/enforcement/cases/{case_id}/documents/{name}")
def get_document(
    request: Request, case_id: Id, name: Annotated[str, Path(max_length=24)]
) -> Response:
    """A document as DOCX or PDF (``decision.pdf``): 404 out of scope (and for the party, any
    document not served on it), 409 with the missing step when the case has not reached it."""
    with user_ctx(request) as ctx:
        data, media, filename = documents.fetch(ctx.session, ctx.actor, case_id, name)
    return Response(data, media_type=media, headers=documents.disposition(filename))
