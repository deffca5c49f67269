"""Pages of 联合执法 (Chinese): the list, a new request, and a request's page with the step its
reader may take now (组长审批, 制定方案, 批准方案, 下达, 报送结果, 核查).

Reads through :mod:`.service` (out of scope is a 404 like a missing request); writes through
the same actions as the API; a refused step shows the error page with its Chinese message.
Templates: ``web/templates/joint_enforcement/``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from eco263 import vocabulary
from eco263.audit.service import timeline_for
from eco263.errors import InvalidInput
from eco263.joint_enforcement import actions, results, rules, service
from eco263.joint_enforcement.enums import REMINDER_LABELS, STATE_LABELS, Check, Reminder, Route
from eco263.joint_enforcement.schemas import JointRequestIn, PlanIn, PlanUnitIn, ResultIn
from eco263.problems import service as problems
from eco263.registry import service as registry
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.inputs import Id
from eco263.web.routing import PageRoute
from eco263.web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)

STATE_TEXT = {s.value: label for s, label in STATE_LABELS.items()}
REMINDER_TEXT = {r.value: label for r, label in REMINDER_LABELS.items()}
PLAN_ROWS = 6
CSRF = [Depends(require_csrf)]


def _parsed(model: type[Any], data: dict[str, Any]) -> Any:
    """The form as the API's schema, or a Chinese InvalidInput naming the first bad field."""
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


@router.get("/joint-enforcement")
def list_page(request: Request) -> Response:
    with user_ctx(request) as ctx:
        rows = service.list_requests(ctx.session, ctx.actor, limit=200)
        divisions = registry.division_names(ctx.session, {r.division_code for r in rows})
        items = [
            {
                "id": r.id,
                "site": r.site_name,
                "division": divisions.get(r.division_code, r.division_code),
                "state": STATE_TEXT.get(r.state, r.state),
                "requested": r.requested_at,
                "decision_due": r.decision_due,
                "reminder": REMINDER_TEXT.get(r.reminder, ""),
                "plan_due": r.plan_due,
            }
            for r in rows
        ]
        return render(
            request,
            "joint_enforcement/list.html",
            {"items": items, "may_request": rules.may_request(ctx.actor)},
            actor=ctx.actor,
            today=ctx.today,
            active="joint",
        )


@router.get("/joint-enforcement/new")
def new_page(request: Request) -> Response:
    with user_ctx(request) as ctx:
        if not rules.may_request(ctx.actor):
            raise InvalidInput("当前角色不能申请联合执法")
        units = [
            o for o in registry.list_organizations(ctx.session) if ctx.actor.covers(o.division_code)
        ]
        return render(
            request,
            "joint_enforcement/new.html",
            {"units": units, "division": ctx.actor.division_code},
            actor=ctx.actor,
            today=ctx.today,
            active="joint",
        )


@router.post("/joint-enforcement/new", dependencies=CSRF)
async def new_submit(request: Request) -> Response:
    form = await request.form()
    data: dict[str, Any] = {
        k: str(form.get(k, "") or "")
        for k in ("division_code", "site_name", "site_address", "operator", "reason", "evidence")
    }
    for k in ("site_lon", "site_lat"):
        if form.get(k):
            data[k] = str(form.get(k))
    data["proposed_unit_ids"] = [int(str(v)) for v in form.getlist("units") if str(v).isdigit()]
    body = _parsed(JointRequestIn, data)
    with user_ctx(request) as ctx:
        req = actions.do_request(ctx, body)
        return RedirectResponse(f"/joint-enforcement/{req.id}", status_code=303)


@router.get("/joint-enforcement/{request_id}")
def detail_page(request: Request, request_id: Id) -> Response:
    with user_ctx(request) as ctx:
        req = service.get_request(ctx.session, ctx.actor, request_id)
        units = service.units_of(ctx.session, req.id)
        names = registry.organization_names(
            ctx.session, {u.organization_id for u in units} | set(req.proposed_unit_ids)
        )
        photos = []
        if req.problem_id is not None:
            photos = [
                a
                for a in problems.attachments_of(ctx.session, ctx.actor, req.problem_id)
                if a.content_type.startswith("image/")
            ]
        is_leader = service.is_leader(ctx.session, ctx.actor.user_id, req.division_code)
        choices = [
            o for o in registry.list_organizations(ctx.session) if ctx.actor.covers(o.division_code)
        ]
        context = {
            "req": req,
            "state": STATE_TEXT.get(req.state, req.state),
            "reminder": REMINDER_TEXT.get(req.reminder, ""),
            "overdue": req.reminder == Reminder.OVERDUE.value,
            "units": [(u, names.get(u.organization_id, "")) for u in units],
            "proposed": [names.get(i, str(i)) for i in req.proposed_unit_ids],
            "division": registry.division_name(ctx.session, req.division_code) or "",
            "is_leader": is_leader,
            "is_office": ctx.actor.is_office,
            "photos": photos,
            "routes": [r.value for r in Route],
            "checks": [c.value for c in Check],
            "choices": choices,
            "plan_rows": range(PLAN_ROWS),
            "history": _history(ctx, req.id),
        }
        return render(
            request,
            "joint_enforcement/detail.html",
            context,
            actor=ctx.actor,
            today=ctx.today,
            active="joint",
        )


def _history(ctx: Any, request_id: int) -> list[dict[str, Any]]:
    events = timeline_for(ctx.session, ctx.actor, "joint_request", [str(request_id)])
    return [{"at": e.at, "who": e.actor_name, "what": vocabulary.label(e.action)} for e in events]


def _redirect(request_id: int) -> Response:
    return RedirectResponse(f"/joint-enforcement/{request_id}", status_code=303)


@router.post("/joint-enforcement/{request_id}/decision", dependencies=CSRF)
async def decision_submit(request: Request, request_id: Id) -> Response:
    form = await request.form()
    approve = str(form.get("decision", "")) == "approve"
    note = str(form.get("note", "") or "")[:1000]
    with user_ctx(request) as ctx:
        if str(form.get("stage", "")) == "plan":
            actions.do_decide_plan(ctx, request_id, approve, note)
        else:
            actions.do_decide_request(ctx, request_id, approve, note)
    return _redirect(request_id)


@router.post("/joint-enforcement/{request_id}/plan", dependencies=CSRF)
async def plan_submit(request: Request, request_id: Id) -> Response:
    form = await request.form()
    lead = str(form.get("lead", ""))
    units = []
    for i in range(PLAN_ROWS):
        org = str(form.get(f"unit_{i}", "") or "")
        if not org.isdigit():
            continue
        units.append(
            _parsed(
                PlanUnitIn,
                {
                    "organization_id": int(org),
                    "is_lead": lead == str(i),
                    "tasks": str(form.get(f"tasks_{i}", "") or ""),
                    "due_date": _date(str(form.get(f"due_{i}", "") or "")),
                },
            )
        )
    body = _parsed(
        PlanIn,
        {
            "action_date": _date(str(form.get("action_date", "") or "")),
            "note": str(form.get("note", "") or ""),
            "units": units,
        },
    )
    with user_ctx(request) as ctx:
        actions.do_plan(ctx, request_id, body)
    return _redirect(request_id)


@router.post("/joint-enforcement/{request_id}/issue", dependencies=CSRF)
def issue_submit(request: Request, request_id: Id) -> Response:
    with user_ctx(request) as ctx:
        actions.do_issue(ctx, request_id)
    return _redirect(request_id)


@router.post("/joint-enforcement/{request_id}/result", dependencies=CSRF)
async def result_submit(request: Request, request_id: Id) -> Response:
    form = await request.form()
    checklist = {
        c.value: int(str(form.get(f"check_{c.name.lower()}")))
        for c in Check
        if str(form.get(f"check_{c.name.lower()}", "") or "").isdigit()
    }
    body = _parsed(
        ResultIn,
        {
            "route": str(form.get("route", "") or ""),
            "checklist": checklist,
            "note": str(form.get("note", "") or ""),
        },
    )
    with user_ctx(request) as ctx:
        results.do_report_result(ctx, request_id, body)
    return _redirect(request_id)


@router.post("/joint-enforcement/{request_id}/verification", dependencies=CSRF)
async def verify_submit(request: Request, request_id: Id) -> Response:
    form = await request.form()
    accept = str(form.get("decision", "")) == "accept"
    with user_ctx(request) as ctx:
        results.do_verify_result(ctx, request_id, accept, str(form.get("note", "") or "")[:1000])
    return _redirect(request_id)
