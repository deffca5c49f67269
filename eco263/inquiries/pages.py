"""Pages of 专题询问 (Chinese): the list (with a new sitting for the city office) and a
sitting's page with the step its reader may take now (登记询问, 答复, 收到审议意见, 分解任务,
起草/审核/报送报告, 满意度测评, 跟踪监督) and the report as DOCX.

Reads through :mod:`.service` (out of scope is a 404 like a missing sitting); writes through
the same actions as the API.  Templates: ``web/templates/inquiries/``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from eco263 import vocabulary
from eco263.actor import Role
from eco263.audit.service import timeline_for
from eco263.errors import InvalidInput
from eco263.inquiries import actions, docx_export, report, rules, service
from eco263.inquiries.enums import REPORT_STATE_LABELS, Rating, ReportState
from eco263.inquiries.schemas import (
    AnswerIn,
    DraftIn,
    OpinionIn,
    QuestionIn,
    RatingsIn,
    SittingIn,
    SubmitIn,
    TaskIn,
    TrackingIn,
)
from eco263.registry import service as registry
from eco263.registry.enums import OrgKind
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.inputs import Id
from eco263.web.routing import PageRoute
from eco263.web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)

CSRF = [Depends(require_csrf)]
REPORT_TEXT = {s.value: label for s, label in REPORT_STATE_LABELS.items()}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _parsed(model: type[Any], data: dict[str, Any]) -> Any:
    try:
        return model(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise InvalidInput(f"填写有误（{where}）：{first.get('msg', '')}") from None


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise InvalidInput(f"日期格式应为 YYYY-MM-DD：{text}") from None


def _form(form: Any, *names: str) -> dict[str, Any]:
    return {k: str(form.get(k, "") or "") for k in names}


def _redirect(sitting_id: int) -> Response:
    return RedirectResponse(f"/inquiries/{sitting_id}", status_code=303)


@router.get("/inquiries")
def list_page(request: Request) -> Response:
    with user_ctx(request) as ctx:
        rows = service.list_sittings(ctx.session, ctx.actor, limit=200)
        items = [
            {
                "id": s.id,
                "name": s.session_name,
                "theme": s.theme,
                "held_on": s.held_on,
                "received": s.opinion_received_on,
                "due": s.report_due,
                "report": REPORT_TEXT.get(s.report_state, s.report_state),
            }
            for s in rows
        ]
        is_city = ctx.actor.role == Role.CITY_OFFICE
        committees = [
            o
            for o in registry.list_organizations(ctx.session)
            if o.kind == OrgKind.CONGRESS and ctx.actor.covers(o.division_code)
        ]
        return render(
            request,
            "inquiries/list.html",
            {"items": items, "is_city": is_city, "committees": committees},
            actor=ctx.actor,
            today=ctx.today,
            active="inquiries",
        )


@router.post("/inquiries/new", dependencies=CSRF)
async def new_submit(request: Request) -> Response:
    form = await request.form()
    data = _form(form, "session_name", "theme")
    committee = str(form.get("committee_org_id", "") or "")
    data["committee_org_id"] = int(committee) if committee.isdigit() else 0
    data["held_on"] = _date(str(form.get("held_on", "") or ""))
    body = _parsed(SittingIn, data)
    with user_ctx(request) as ctx:
        sitting = actions.do_record_sitting(ctx, body)
        return _redirect(sitting.id)


@router.get("/inquiries/{sitting_id}")
def detail_page(request: Request, sitting_id: Id) -> Response:
    with user_ctx(request) as ctx:
        sitting = service.get_sitting(ctx.session, ctx.actor, sitting_id)
        questions = service.questions_of(ctx.session, sitting.id)
        views = service.task_views(ctx.session, ctx.actor, sitting.id)
        ids = {q.organization_id for q in questions} | {v.task.organization_id for v in views}
        names = registry.organization_names(ctx.session, ids | {sitting.committee_org_id})
        units = [
            o
            for o in registry.list_organizations(ctx.session)
            if o.kind in (OrgKind.DEPARTMENT, OrgKind.POLICE, OrgKind.TOWN)
            and ctx.actor.covers(o.division_code)
        ]
        events = timeline_for(ctx.session, ctx.actor, "inquiry_sitting", [str(sitting.id)])
        context = {
            "s": sitting,
            "committee": names.get(sitting.committee_org_id, ""),
            "questions": [(q, names.get(q.organization_id, "")) for q in questions],
            "tasks": [(v, names.get(v.task.organization_id, "")) for v in views],
            "report_state": REPORT_TEXT.get(sitting.report_state, sitting.report_state),
            "is_city": ctx.actor.role == Role.CITY_OFFICE,
            "my_org": ctx.actor.organization_id,
            "may_answer": ctx.actor.role in rules.ANSWERING_ROLES,
            "units": units,
            "counts": service.rating_counts(ctx.session, sitting.id),
            "ratings": service.ratings_of(ctx.session, sitting.id),
            "options": [r.value for r in Rating],
            "tracking": service.tracking_of(ctx.session, sitting.id),
            "submitted": sitting.report_state == ReportState.SUBMITTED.value,
            "late": sitting.report_submitted_on is not None
            and sitting.report_due is not None
            and sitting.report_submitted_on > sitting.report_due,
            "history": [
                {"at": e.at, "who": e.actor_name, "what": vocabulary.label(e.action)}
                for e in events
            ],
        }
        return render(
            request,
            "inquiries/detail.html",
            context,
            actor=ctx.actor,
            today=ctx.today,
            active="inquiries",
        )


@router.get("/inquiries/{sitting_id}/report.docx")
def report_download(request: Request, sitting_id: Id) -> Response:
    with user_ctx(request) as ctx:
        sitting = service.get_sitting(ctx.session, ctx.actor, sitting_id)
        body = docx_export.report_docx(ctx, sitting)
    return Response(
        body,
        media_type=DOCX,
        headers={"Content-Disposition": f'attachment; filename="inquiry-{sitting_id}-report.docx"'},
    )


@router.post("/inquiries/{sitting_id}/questions", dependencies=CSRF)
async def question_submit(request: Request, sitting_id: Id) -> Response:
    form = await request.form()
    data: dict[str, Any] = _form(form, "asker", "asker_title", "topic", "question")
    if not data["asker_title"]:
        del data["asker_title"]  # the schema's default: 市人大常委会委员
    unit = str(form.get("organization_id", "") or "")
    data["organization_id"] = int(unit) if unit.isdigit() else 0
    body = _parsed(QuestionIn, data)
    with user_ctx(request) as ctx:
        actions.do_add_question(ctx, sitting_id, body)
    return _redirect(sitting_id)


@router.post("/inquiries/questions/{question_id}/answer", dependencies=CSRF)
async def answer_submit(request: Request, question_id: Id) -> Response:
    form = await request.form()
    body = _parsed(AnswerIn, _form(form, "answerer", "answer"))
    with user_ctx(request) as ctx:
        question = actions.do_answer(ctx, question_id, body)
        sitting_id = question.sitting_id
    return _redirect(sitting_id)


@router.post("/inquiries/{sitting_id}/opinion", dependencies=CSRF)
async def opinion_submit(request: Request, sitting_id: Id) -> Response:
    form = await request.form()
    data: dict[str, Any] = _form(form, "text")
    data["received_on"] = _date(str(form.get("received_on", "") or ""))
    body = _parsed(OpinionIn, data)
    with user_ctx(request) as ctx:
        actions.do_receive_opinion(ctx, sitting_id, body)
    return _redirect(sitting_id)


@router.post("/inquiries/{sitting_id}/tasks", dependencies=CSRF)
async def task_submit(request: Request, sitting_id: Id) -> Response:
    form = await request.form()
    data: dict[str, Any] = _form(form, "title", "content")
    unit = str(form.get("organization_id", "") or "")
    data["organization_id"] = int(unit) if unit.isdigit() else 0
    data["due_date"] = _date(str(form.get("due_date", "") or ""))
    body = _parsed(TaskIn, data)
    with user_ctx(request) as ctx:
        actions.do_add_task(ctx, sitting_id, body)
    return _redirect(sitting_id)


@router.post("/inquiries/{sitting_id}/report/draft", dependencies=CSRF)
async def draft_submit(request: Request, sitting_id: Id) -> Response:
    form = await request.form()
    body = _parsed(DraftIn, _form(form, "text"))
    with user_ctx(request) as ctx:
        report.do_draft_report(ctx, sitting_id, body)
    return _redirect(sitting_id)


@router.post("/inquiries/{sitting_id}/report/review", dependencies=CSRF)
async def review_submit(request: Request, sitting_id: Id) -> Response:
    form = await request.form()
    approve = str(form.get("decision", "")) == "approve"
    with user_ctx(request) as ctx:
        report.do_review_report(ctx, sitting_id, approve)
    return _redirect(sitting_id)


@router.post("/inquiries/{sitting_id}/report/submission", dependencies=CSRF)
async def submission_submit(request: Request, sitting_id: Id) -> Response:
    form = await request.form()
    body = _parsed(SubmitIn, {"submitted_on": _date(str(form.get("submitted_on", "") or ""))})
    with user_ctx(request) as ctx:
        report.do_submit_report(ctx, sitting_id, body)
    return _redirect(sitting_id)


@router.post("/inquiries/{sitting_id}/ratings", dependencies=CSRF)
async def rating_submit(request: Request, sitting_id: Id) -> Response:
    form = await request.form()
    body = _parsed(RatingsIn, {"votes": [_form(form, "member", "rating")]})
    with user_ctx(request) as ctx:
        report.do_record_ratings(ctx, sitting_id, body)
    return _redirect(sitting_id)


@router.post("/inquiries/{sitting_id}/tracking", dependencies=CSRF)
async def tracking_submit(request: Request, sitting_id: Id) -> Response:
    form = await request.form()
    data: dict[str, Any] = _form(form, "note", "outcome")
    data["held_on"] = _date(str(form.get("held_on", "") or ""))
    body = _parsed(TrackingIn, data)
    with user_ctx(request) as ctx:
        report.do_record_tracking(ctx, sitting_id, body)
    return _redirect(sitting_id)
