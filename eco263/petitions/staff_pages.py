"""Staff pages of 信访 (Chinese, menu 信访): the list with filters, 来信/来访 registration, and
a petition's page with its timeline, its clock and the steps its reader may take now (受理 /
不予受理 / 转送, 延期申请与批准, 处理意见书, 复查/复核意见, 转入问题台账), its likely duplicates
with their score.

Reads through :mod:`.service`, writes through the same actions as the API; the complainant's
contact goes through :mod:`.presenters` (masked but for the handling officer, whose view is
audited).  A refused step shows the error page with its Chinese message.
Templates: ``web/templates/petitions/staff_*.html``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from eco263 import vocabulary
from eco263.audit.service import timeline_for
from eco263.context import Ctx
from eco263.deadlines import load_catalogue
from eco263.errors import InvalidInput
from eco263.petitions import actions, presenters, rules, service, visit_views
from eco263.petitions.enums import (
    INTAKE_LABELS,
    STATE_LABELS,
    Channel,
    Kind,
    Opinion,
    PetitionState,
)
from eco263.petitions.models import Petition
from eco263.petitions.schemas import AnswerIn, ContactIn, IntakeIn, OpenProblemIn, PetitionIn
from eco263.problems import service as problems
from eco263.problems.enums import STATE_LABELS as PROBLEM_STATES
from eco263.registry import service as registry
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.inputs import Id, Line, PageNumber
from eco263.web.routing import PageRoute
from eco263.web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)

CSRF = [Depends(require_csrf)]
PAGE_SIZE = 50
STATE_TEXT = {s.value: label for s, label in STATE_LABELS.items()}
#: Channels staff enter by hand (the hotlines come by import, 网上信访 by the public form).
STAFF_CHANNELS = (Channel.LETTER.value, Channel.VISIT.value)
TOPICS = ("噪声", "废气", "废水", "固体废物", "黑臭水体", "扬尘", "其他")
STEP_TITLES = {"answer": "信访处理意见书", "review": "复查意见", "recheck": "复核意见"}
STEP_STATES = {
    "answer": PetitionState.ACCEPTED.value,
    "review": PetitionState.REVIEW_REQUESTED.value,
    "recheck": PetitionState.RECHECK_REQUESTED.value,
}


def _parsed(model: type[Any], data: dict[str, Any]) -> Any:
    """The form as the API's schema, or a Chinese InvalidInput naming the first bad field."""
    try:
        return model(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        names = {
            "description": "来信来访内容（至少5个字）",
            "topic": "问题类别",
            "facts": "查明事实",
            "answer": "处理意见",
            "basis": "依据",
            "title": "问题标题",
            "contact.phone": "联系电话",
            "phone": "联系电话",
            "name": "信访人姓名",
            "address": "联系地址",
            "transferred_to": "转送机关",
            "category_code": "263分类",
            "reason": "理由",
            "place": "下访地点",
            "leader_name": "带队领导姓名",
            "findings": "现场情况",
            "visited_on": "下访日期",
            "measures": "主要措施",
            "owner_org_id": "责任单位",
            "due_date": "完成期限",
        }
        raise InvalidInput(f"填写有误：{names.get(where, where)}", field=where) from None


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise InvalidInput(f"日期格式应为 YYYY-MM-DD：{text}") from None


def _form_text(form: Any, name: str, limit: int = 5000) -> str:
    return str(form.get(name, "") or "")[:limit]


@router.get("/petitions")
def list_page(
    request: Request,
    state: Annotated[Line | None, Query(max_length=20)] = None,
    kind: Annotated[Line | None, Query(max_length=8)] = None,
    channel: Annotated[Line | None, Query(max_length=16)] = None,
    overdue: Annotated[Line | None, Query(max_length=2)] = None,
    q: Annotated[Line | None, Query(max_length=100)] = None,
    page: Annotated[PageNumber, Query()] = 1,
) -> Response:
    with user_ctx(request) as ctx:
        filters = service.PetitionFilters(
            state=state or None,
            kind=kind or None,
            channel=channel or None,
            overdue_on=ctx.today if overdue else None,
            text=q or None,
        )
        rows, total = service.list_petitions(
            ctx.session, ctx.actor, filters, page=page, page_size=PAGE_SIZE
        )
        divisions = registry.division_names(ctx.session, {p.division_code for p in rows})
        items = [
            {
                "id": p.id,
                "code": p.tracking_code,
                "topic": p.topic,
                "kind": p.kind,
                "channel": p.channel,
                "division": divisions.get(p.division_code, p.division_code),
                "state": STATE_TEXT[p.state],
                "received": p.received_on,
                "due": p.due_date,
                "overdue": _overdue(p, ctx.today),
                "repeat": p.repeat_of_id is not None,
            }
            for p in rows
        ]
        context = {
            "items": items,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "filters": {
                "state": state or "",
                "kind": kind or "",
                "channel": channel or "",
                "overdue": overdue or "",
                "q": q or "",
            },
            "states": list(STATE_TEXT.items()),
            "kinds": [k.value for k in Kind],
            "channels": [c.value for c in Channel],
            "may_register": ctx.actor.is_office or rules.may_handle(ctx.actor, Kind.ACCUSATION),
        }
        return render(
            request,
            "petitions/staff_list.html",
            context,
            actor=ctx.actor,
            today=ctx.today,
            active="petitions",
        )


def _overdue(p: Petition, today: date) -> bool:
    open_now = PetitionState(p.state) in rules.OPEN_STATES
    return open_now and p.due_date is not None and p.due_date < today


@router.get("/petitions/new")
def new_page(request: Request) -> Response:
    with user_ctx(request) as ctx:
        if not (ctx.actor.is_office or rules.may_handle(ctx.actor, Kind.ACCUSATION)):
            raise InvalidInput("只有263办或纪委监委可以登记信访件")
        divisions = [
            (d.code, d.name)
            for d in registry.list_divisions(ctx.session, "320500")
            if ctx.actor.covers(d.code)
        ]
        context = {
            "divisions": divisions,
            "enterprises": problems.enterprises_in_scope(ctx.session, ctx.actor),
            "channels": STAFF_CHANNELS,
            "kinds": [k.value for k in Kind],
            "topics": TOPICS,
        }
        return render(
            request,
            "petitions/staff_new.html",
            context,
            actor=ctx.actor,
            today=ctx.today,
            active="petitions",
        )


@router.post("/petitions/new", dependencies=CSRF)
async def new_submit(request: Request) -> Response:
    form = await request.form()
    channel = _form_text(form, "channel", 16)
    if channel not in STAFF_CHANNELS:
        raise InvalidInput("登记渠道只能是来信或来访", field="channel")
    enterprise = _form_text(form, "enterprise_id", 12)
    repeat = _form_text(form, "repeat_of_id", 12)
    contact = {k: _form_text(form, k, 200).strip() or None for k in ("name", "phone", "address")}
    body = _parsed(
        PetitionIn,
        {
            "channel": channel,
            "kind": _form_text(form, "kind", 8),
            "topic": _form_text(form, "topic", 32),
            "description": _form_text(form, "description"),
            "location": _form_text(form, "location", 200).strip() or None,
            "division_code": _form_text(form, "division_code", 12),
            "enterprise_id": int(enterprise) if enterprise.isdigit() else None,
            "received_on": _date(_form_text(form, "received_on", 10)),
            "repeat_of_id": int(repeat) if repeat.isdigit() else None,
            "contact": _parsed(ContactIn, contact),
        },
    )
    with user_ctx(request) as ctx:
        p = actions.do_register(ctx, body)
        return _redirect(p.id)


@router.get("/petitions/{petition_id}")
def detail_page(request: Request, petition_id: Id) -> Response:
    with user_ctx(request) as ctx:
        p = service.get_petition(ctx.session, ctx.actor, petition_id)
        if presenters.sees_personal_data(ctx.actor, p):
            actions.do_view_personal(ctx, p)
        out = presenters.petition_out(p, ctx.actor)
        return render(
            request,
            "petitions/staff_detail.html",
            _detail_context(ctx, p, out),
            actor=ctx.actor,
            today=ctx.today,
            active="petitions",
        )


def _detail_context(ctx: Ctx, p: Petition, out: Any) -> dict[str, Any]:
    may_handle = rules.may_handle(ctx.actor, Kind(p.kind)) and ctx.actor.covers(p.division_code)
    basis = None
    if p.due_rule:
        catalogue = load_catalogue(ctx.settings.deadline_rules_file)
        if p.due_rule in catalogue:
            limit = catalogue.get(p.due_rule)
            basis = f"{limit.title}：{limit.basis}"
    matches = service.duplicates_of(ctx.session, ctx.actor, p)
    found = service.petitions_by_id(ctx.session, [m.id for m in matches])
    linked = problems.titles_and_divisions(ctx.session, p.problem_ids)
    facts = problems.problem_facts_by_id(ctx.session, p.problem_ids)
    enterprise = registry.get_enterprise(ctx.session, p.enterprise_id) if p.enterprise_id else None
    pending = p.extension_requested_by is not None and p.extension_approved_by is None
    return {
        "p": out,
        "division": registry.division_name(ctx.session, p.division_code) or p.division_code,
        "enterprise": enterprise.name if enterprise else None,
        "overdue": _overdue(p, ctx.today),
        "basis": basis,
        "duplicates": [presenters.duplicate_out(found[m.id], m) for m in matches],
        "problems": [
            {
                "id": i,
                "title": linked.get(i, ("", ""))[0],
                "state": _problem_state(facts[i].state) if i in facts else "",
                "due": facts[i].due_date if i in facts else None,
            }
            for i in p.problem_ids
        ],
        "history": _history(ctx, p.id),
        "may_handle": may_handle,
        "intakes": [(d.value, label) for d, label in INTAKE_LABELS.items()],
        "opinions": [o.value for o in Opinion],
        "may_request_extension": p.extension_requested_by is None,
        "may_approve_extension": pending
        and rules.extension_refusal(ctx.actor, p.extension_requested_by, p.handler_id) is None,
        "extension_pending": pending,
        "step": next((k for k, s in STEP_STATES.items() if s == p.state), None),
        "step_titles": STEP_TITLES,
        "final": p.state == PetitionState.RECHECKED.value,
        "categories": sorted(registry.category_names().items()),
        "visits": [
            {
                "id": v.id,
                "on": v.visited_on,
                "place": v.place,
                "leader": v.leader_name,
                "post": v.leader_post,
                "finding": i.finding,
                "agreed": i.agreed,
            }
            for v, i in service.visits_of_petition(ctx.session, p.id)
        ],
        "plans": visit_views.plans_out(
            ctx.session, service.plans_of_petitions(ctx.session, [p.id])
        ),
        "units": [
            (o.id, o.name)
            for o in registry.list_organizations(ctx.session)
            if o.kind in {"department", "town"} and ctx.actor.covers(o.division_code)
        ],
    }


def _problem_state(state: str) -> str:
    return next((label for s, label in PROBLEM_STATES.items() if s.value == state), state)


def _history(ctx: Ctx, petition_id: int) -> list[dict[str, Any]]:
    events = timeline_for(ctx.session, ctx.actor, "petition", [str(petition_id)])
    return [{"at": e.at, "who": e.actor_name, "what": vocabulary.label(e.action)} for e in events]


def _redirect(petition_id: int) -> Response:
    return RedirectResponse(f"/petitions/{petition_id}", status_code=303)


@router.post("/petitions/{petition_id}/intake", dependencies=CSRF)
async def intake_submit(request: Request, petition_id: Id) -> Response:
    form = await request.form()
    body = _parsed(
        IntakeIn,
        {
            "decision": _form_text(form, "decision", 16),
            "reason": _form_text(form, "reason", 2000),
            "transferred_to": _form_text(form, "transferred_to", 100) or None,
        },
    )
    with user_ctx(request) as ctx:
        actions.do_intake(ctx, petition_id, body)
    return _redirect(petition_id)


@router.post("/petitions/{petition_id}/extension", dependencies=CSRF)
async def extension_submit(request: Request, petition_id: Id) -> Response:
    form = await request.form()
    reason = _form_text(form, "reason", 2000).strip()
    if len(reason) < 2:
        raise InvalidInput("请填写延期理由（将告知信访人）", field="reason")
    with user_ctx(request) as ctx:
        actions.do_request_extension(ctx, petition_id, reason)
    return _redirect(petition_id)


@router.post("/petitions/{petition_id}/extension/approve", dependencies=CSRF)
def approve_submit(request: Request, petition_id: Id) -> Response:
    with user_ctx(request) as ctx:
        actions.do_approve_extension(ctx, petition_id)
    return _redirect(petition_id)


@router.post("/petitions/{petition_id}/opinions/{step}", dependencies=CSRF)
async def opinion_submit(request: Request, petition_id: Id, step: str) -> Response:
    if step not in STEP_TITLES:
        raise InvalidInput("未知的意见书类型", field="step")
    form = await request.form()
    body = _parsed(
        AnswerIn, {k: _form_text(form, k) for k in ("facts", "answer", "basis", "opinion")}
    )
    with user_ctx(request) as ctx:
        actions.do_answer(ctx, petition_id, body, step=step)
    return _redirect(petition_id)


@router.post("/petitions/{petition_id}/problems", dependencies=CSRF)
async def problem_submit(request: Request, petition_id: Id) -> Response:
    form = await request.form()
    body = _parsed(
        OpenProblemIn,
        {
            "title": _form_text(form, "title", 200),
            "category_code": _form_text(form, "category_code", 32),
            "due_date": _date(_form_text(form, "due_date", 10)),
        },
    )
    with user_ctx(request) as ctx:
        actions.do_open_problem(
            ctx, petition_id, body.title, body.category_code, due_date=body.due_date
        )
    return _redirect(petition_id)
