"""Pages of 执法办案 (Chinese): the case list with its filters, and a case's page with its steps,
its deadlines and their basis, the excluded periods, the extensions and the next allowed steps
as forms — an approval (立案、法制审核、决定、结案、延期审批) only for the unit's head, never for
the case's investigator.

Reads through :mod:`.service` (out of scope is a 404 like a missing case; the enterprise and the
police never read a case); writes through the same actions as the API, one POST per step; a
refused step shows the error page with its Chinese message and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from eco263 import vocabulary
from eco263.actor import Role
from eco263.audit.service import timeline_for
from eco263.context import Ctx
from eco263.deadlines import load_catalogue
from eco263.enforcement import actions, documents, rules, service
from eco263.enforcement.enums import (
    EVIDENCE_LABELS,
    OUTCOME_LABELS,
    PAUSE_LABELS,
    RECORD_LABELS,
    SOURCE_LABELS,
    STATE_LABELS,
    CaseState,
    EvidenceKind,
    ExtensionState,
    Outcome,
    PauseKind,
)
from eco263.enforcement.models import PenaltyCase
from eco263.enforcement.schemas import (
    CaseIn,
    ClosingIn,
    DecisionIn,
    ExtensionIn,
    FileIn,
    HearingIn,
    HearingRequestIn,
    InvestigationIn,
    NoticeIn,
    OpinionIn,
    PauseIn,
    PaymentIn,
    ReasonIn,
    RecordIn,
    ResumeIn,
    ServiceIn,
)
from eco263.errors import InvalidInput, NotFound
from eco263.registry import service as registry
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.inputs import Id, Line
from eco263.web.routing import PageRoute
from eco263.web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)
CSRF = [Depends(require_csrf)]

STATE_TEXT = {s.value: label for s, label in STATE_LABELS.items()}
SOURCE_TEXT = {s.value: label for s, label in SOURCE_LABELS.items()}
OUTCOME_TEXT = {o.value: label for o, label in OUTCOME_LABELS.items()}
PAUSE_TEXT = {p.value: label for p, label in PAUSE_LABELS.items()}
RECORD_TEXT = {k.value: label for k, label in RECORD_LABELS.items()}
OFFICER_ROWS = 3
EXTENSION_TEXT = {
    ExtensionState.PENDING.value: "待审批",
    ExtensionState.APPROVED.value: "已批准",
    ExtensionState.REJECTED.value: "未批准",
}

#: Each step a case page posts: the form's schema and the action it calls.
STEPS: dict[str, tuple[type[BaseModel], Callable[[Ctx, int, Any], object]]] = {
    "file": (FileIn, lambda ctx, i, b: actions.do_file_case(ctx, i, filed_on=b.filed_on)),
    "not_file": (ReasonIn, lambda ctx, i, b: actions.do_refuse_filing(ctx, i, reason=b.reason)),
    "investigated": (
        InvestigationIn,
        lambda ctx, i, b: actions.do_finish_investigation(
            ctx, i, article=b.article, proposed_fine=b.proposed_fine, facts=b.facts
        ),
    ),
    "legal_review": (
        OpinionIn,
        lambda ctx, i, b: actions.do_legal_review(ctx, i, opinion=b.opinion),
    ),
    "notify": (NoticeIn, lambda ctx, i, b: actions.do_notify(ctx, i, received_on=b.received_on)),
    "hearing_request": (
        HearingRequestIn,
        lambda ctx, i, b: actions.do_request_hearing(ctx, i, requested_on=b.requested_on),
    ),
    "hearing_held": (
        HearingIn,
        lambda ctx, i, b: actions.do_hold_hearing(ctx, i, held_on=b.held_on),
    ),
    "decide": (
        DecisionIn,
        lambda ctx, i, b: actions.do_decide(
            ctx,
            i,
            outcome=b.outcome,
            decided_on=b.decided_on,
            fine=b.fine,
            collective=b.collective,
            reason=b.reason,
        ),
    ),
    "serve": (ServiceIn, lambda ctx, i, b: actions.do_serve(ctx, i, served_on=b.served_on)),
    "pay": (
        PaymentIn,
        lambda ctx, i, b: actions.do_record_payment(ctx, i, paid_on=b.paid_on, amount=b.amount),
    ),
    "close": (ClosingIn, lambda ctx, i, b: actions.do_close_case(ctx, i, closed_on=b.closed_on)),
    "pause": (
        PauseIn,
        lambda ctx, i, b: actions.do_pause_clock(
            ctx, i, kind=b.kind, started_on=b.started_on, note=b.note
        ),
    ),
    "resume": (ResumeIn, lambda ctx, i, b: actions.do_resume_clock(ctx, i, ended_on=b.ended_on)),
    "extend": (
        ExtensionIn,
        lambda ctx, i, b: actions.do_request_extension(ctx, i, reason=b.reason),
    ),
}

#: Chinese names of the form fields, for the error message of a bad form.
FIELD_TEXT = {
    "filed_on": "立案日期",
    "reason": "理由",
    "article": "处罚依据",
    "proposed_fine": "拟罚款数额",
    "facts": "违法事实",
    "opinion": "审核意见",
    "received_on": "收到告知书日期",
    "requested_on": "申请日期",
    "held_on": "听证日期",
    "outcome": "处理结果",
    "decided_on": "决定日期",
    "fine": "罚款数额",
    "served_on": "送达日期",
    "paid_on": "缴纳日期",
    "amount": "缴纳金额",
    "closed_on": "结案日期",
    "kind": "中止事由",
    "started_on": "中止起始日期",
    "ended_on": "中止结束日期",
    "note": "说明",
    "started_at": "开始时间",
    "ended_at": "结束时间",
    "place": "地点",
    "lon": "经度",
    "lat": "纬度",
    "party_present": "在场当事人",
    "party_role": "在场身份",
    "officers": "执法人员",
    "findings": "检查情况",
    "qa": "问答",
}


def _parsed(model: type[BaseModel], data: dict[str, Any]) -> Any:
    """The form as the API's schema, or a Chinese InvalidInput naming the first bad field."""
    try:
        return model(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise InvalidInput(f"“{FIELD_TEXT.get(where, where)}”填写有误", field=where) from None


def _readers_only(ctx: Ctx) -> None:
    """The enterprise and the police have no case pages (a 404, like a missing page)."""
    if ctx.actor.role in (Role.ENTERPRISE, Role.POLICE) or ctx.actor.enterprise_id is not None:
        raise NotFound("页面")


@router.get("/enforcement")
def list_page(
    request: Request,
    state: Annotated[Line | None, Query(max_length=16)] = None,
    division: Annotated[Line | None, Query(max_length=12)] = None,
    source: Annotated[Line | None, Query(max_length=16)] = None,
) -> Response:
    with user_ctx(request) as ctx:
        if ctx.actor.role == Role.POLICE:
            return RedirectResponse("/transfers", status_code=303)
        _readers_only(ctx)
        filters = service.CaseFilters(state=state or None, division_code=division or None)
        rows = [
            c
            for c in service.list_cases(ctx.session, ctx.actor, filters, limit=200)
            if not source or c.source == source
        ]
        divisions = registry.division_names(ctx.session, {c.division_code for c in rows})
        units = registry.organization_names(ctx.session, {c.organization_id for c in rows})
        items = [
            {
                "id": c.id,
                "title": c.title,
                "party": c.party_name,
                "source": SOURCE_TEXT.get(c.source, ""),
                "division": divisions.get(c.division_code, c.division_code),
                "unit": units.get(c.organization_id, ""),
                "state": STATE_TEXT.get(c.state, ""),
                "due": c.decision_due if c.filed_on else c.filing_due,
                "due_what": "办案期限" if c.filed_on else "立案期限",
                "open": c.state not in (CaseState.CLOSED.value, CaseState.NOT_FILED.value),
            }
            for c in rows
        ]
        context = {
            "items": items,
            "states": STATE_TEXT,
            "sources": SOURCE_TEXT,
            "divisions": [
                d
                for d in registry.list_divisions(ctx.session)
                if ctx.actor.is_system or ctx.actor.covers(d.code)
            ],
            "chosen": {"state": state or "", "division": division or "", "source": source or ""},
            "may_open": ctx.actor.role in rules.ENFORCERS,
        }
        return render(
            request,
            "enforcement/list.html",
            context,
            actor=ctx.actor,
            today=ctx.today,
            active="enforcement",
        )


def _case_view(ctx: Ctx, case: PenaltyCase) -> dict[str, Any]:
    history = [
        {"at": e.at, "who": e.actor_name, "what": vocabulary.label(e.action)}
        for e in timeline_for(ctx.session, ctx.actor, "penalty_case", [str(case.id)])
    ]
    in_unit = (
        ctx.actor.role in rules.ENFORCERS and ctx.actor.organization_id == case.organization_id
    )
    investigator = ctx.actor.user_id in (case.investigator_id, case.opened_by)
    is_head = in_unit and not investigator
    moves = service.next_moves(ctx.session, case)
    offered = [m for m in moves if in_unit and (m not in rules.HEAD_MOVES or is_head)]
    extensions = service.extensions_of(ctx.session, case.id)
    articles = rules.load_articles()
    catalogue = load_catalogue(ctx.settings.deadline_rules_file)
    basis = {
        key.split(".")[1]: catalogue.get(key).basis
        for key in (
            "penalty.filing",
            "penalty.decision",
            "penalty.statement",
            "penalty.hearing_request",
            "penalty.service",
            "penalty.payment",
        )
        if key in catalogue
    }
    records = service.records_of(ctx.session, case.id)
    return {
        "evidence": [
            {"e": e, "kind": EVIDENCE_LABELS[EvidenceKind(e.kind)]}
            for e in service.evidence_of(ctx.session, case.id)
        ],
        "evidence_kinds": {k.value: label for k, label in EVIDENCE_LABELS.items()},
        "documents": documents.listing(ctx.session, case, party=False, base="/enforcement/cases"),
        "records": [
            {
                "r": r,
                "kind": RECORD_TEXT.get(r.kind, ""),
                "officers": "、".join(f"{o['name']}（执法证 {o['badge']}）" for o in r.officers),
            }
            for r in records
        ],
        "may_record": in_unit and CaseState(case.state) in rules.RECORDABLE,
        "record_kinds": RECORD_TEXT,
        "basis": basis,
        "case": case,
        "state": STATE_TEXT.get(case.state, ""),
        "source": SOURCE_TEXT.get(case.source, ""),
        "outcome": OUTCOME_TEXT.get(case.outcome or "", ""),
        "division": registry.division_name(ctx.session, case.division_code) or "",
        "unit": registry.organization_names(ctx.session, {case.organization_id}).get(
            case.organization_id, ""
        ),
        "article": articles[case.article].title if case.article in articles else "",
        "investigator": history[0]["who"] if history else "",
        "pauses": [
            {
                "kind": PAUSE_TEXT.get(p.kind, ""),
                "from": p.started_on,
                "to": p.ended_on,
                "note": p.note,
            }
            for p in service.pauses_of(ctx.session, case.id)
        ],
        "extensions": [
            {
                "id": e.id,
                "reason": e.reason,
                "state": EXTENSION_TEXT.get(e.state, ""),
                "pending": e.state == ExtensionState.PENDING.value,
                "collective": e.collective,
            }
            for e in extensions
        ],
        "may_decide_extension": is_head and case.state not in (CaseState.CLOSED.value,),
        "moves": moves,
        "move_labels": rules.MOVE_LABELS,
        "offered": offered,
        "waiting_head": [m for m in moves if m in rules.HEAD_MOVES and in_unit and not is_head],
        "is_head": is_head,
        "articles": list(articles.values()),
        "outcomes": OUTCOME_TEXT,
        "pause_kinds": {k.value: PAUSE_LABELS[k] for k in PauseKind if k != PauseKind.TRANSFER},
        "history": history,
        "penalty": Outcome.PENALTY.value,
    }


@router.get("/enforcement/cases/{case_id}")
def case_page(request: Request, case_id: Id) -> Response:
    with user_ctx(request) as ctx:
        _readers_only(ctx)
        case = service.get_case(ctx.session, ctx.actor, case_id)
        return render(
            request,
            "enforcement/case.html",
            _case_view(ctx, case),
            actor=ctx.actor,
            today=ctx.today,
            active="enforcement",
        )


def _form(form: Any, model: type[BaseModel]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if field.annotation is bool or name == "collective":
            data[name] = str(form.get(name, "")) in ("1", "on", "true")
            continue
        value = str(form.get(name, "") or "").strip()
        if value != "":
            data[name] = value
    return data


@router.post("/enforcement/cases/{case_id}/steps/{move}", dependencies=CSRF)
async def step_submit(
    request: Request, case_id: Id, move: Annotated[Line, Path(max_length=24)]
) -> Response:
    """One step of the case, posted by its form (the same action as the API's route)."""
    if move not in STEPS:
        raise NotFound("操作")
    model, act = STEPS[move]
    body = _parsed(model, _form(await request.form(), model))
    with user_ctx(request) as ctx:
        _readers_only(ctx)
        act(ctx, case_id, body)
    return RedirectResponse(f"/enforcement/cases/{case_id}", status_code=303)


@router.post("/enforcement/cases/{case_id}/extensions/{extension_id}", dependencies=CSRF)
async def extension_submit(request: Request, case_id: Id, extension_id: Id) -> Response:
    """The head approves or rejects a pending extension (never the one who asked)."""
    form = await request.form()
    approve = str(form.get("decision", "")) == "approve"
    collective = str(form.get("collective", "")) in ("1", "on", "true")
    with user_ctx(request) as ctx:
        _readers_only(ctx)
        case = service.get_case(ctx.session, ctx.actor, case_id)
        if not any(e.id == extension_id for e in service.extensions_of(ctx.session, case.id)):
            raise NotFound("延期申请")
        actions.do_decide_extension(ctx, extension_id, approve=approve, collective=collective)
    return RedirectResponse(f"/enforcement/cases/{case_id}", status_code=303)


@router.get("/enforcement/new")
def new_page(request: Request) -> Response:
    with user_ctx(request) as ctx:
        if ctx.actor.role not in rules.ENFORCERS:
            raise InvalidInput("只有执法部门可以登记案件线索")
        return render(
            request,
            "enforcement/new.html",
            {"sources": SOURCE_TEXT},
            actor=ctx.actor,
            today=ctx.today,
            active="enforcement",
        )


@router.post("/enforcement/new", dependencies=CSRF)
async def new_submit(request: Request) -> Response:
    form = await request.form()
    body = _parsed(CaseIn, _form(form, CaseIn))
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
        return RedirectResponse(f"/enforcement/cases/{case.id}", status_code=303)


def _qa(text: str) -> list[dict[str, str]]:
    """问答 from the form: lines starting 问： and 答：, each answer after its question."""
    pairs: list[dict[str, str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith(("问：", "问:")):
            pairs.append({"q": line[2:].strip(), "a": ""})
        elif line.startswith(("答：", "答:")) and pairs:
            pairs[-1]["a"] = (pairs[-1]["a"] + "\n" + line[2:].strip()).strip()
        elif line and pairs:
            key = "a" if pairs[-1]["a"] else "q"
            pairs[-1][key] = (pairs[-1][key] + "\n" + line).strip()
        elif line:
            raise InvalidInput("问答应以“问：”开头，每问之后写“答：”", field="qa")
    return pairs


@router.post("/enforcement/cases/{case_id}/records", dependencies=CSRF)
async def record_submit(request: Request, case_id: Id) -> Response:
    """制作笔录 from the case page (the same action as the API's route)."""
    form = await request.form()
    text = {k: str(v).strip() for k, v in form.items()}
    data: dict[str, Any] = {
        k: text[k]
        for k in (
            "kind",
            "started_at",
            "ended_at",
            "place",
            "lon",
            "lat",
            "party_present",
            "party_role",
            "findings",
            "measures",
        )
        if text.get(k)
    }
    data["officers"] = [
        {"name": text.get(f"officer_{i}", ""), "badge": text.get(f"badge_{i}", "")}
        for i in range(OFFICER_ROWS)
        if text.get(f"officer_{i}") or text.get(f"badge_{i}")
    ]
    data["qa"] = _qa(text.get("qa", ""))
    body = _parsed(RecordIn, data)
    with user_ctx(request) as ctx:
        _readers_only(ctx)
        actions.do_add_record(ctx, case_id, body)
    return RedirectResponse(f"/enforcement/cases/{case_id}#records", status_code=303)
