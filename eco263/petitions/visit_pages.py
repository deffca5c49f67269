"""Staff pages of 带案下访 and 一企一策 (menu 信访 → 带案下访): the list of visits, the form that
records one (the open petitions of the reader's area to tick, each with its finding), a visit's
page with its petitions and their 一企一策, and the 一企一策 form (also on a petition's page).

Reads through :mod:`.service`, writes through :mod:`.visit_actions` (the same as the API).
Mounted before the staff pages' ``/petitions/{petition_id}``.
Templates: ``web/templates/petitions/visit_*.html``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from eco263.context import Ctx
from eco263.errors import InvalidInput
from eco263.petitions import rules, service, visit_actions, visit_views
from eco263.petitions.enums import Kind
from eco263.petitions.schemas import PlanIn, VisitIn, VisitItemIn
from eco263.petitions.staff_pages import _date, _form_text, _parsed
from eco263.registry import service as registry
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.inputs import Id
from eco263.web.routing import PageRoute
from eco263.web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)

CSRF = [Depends(require_csrf)]
#: Plan owners: units that take ledger tasks (not the offices themselves).
OWNER_KINDS = frozenset({"department", "town"})


def may_record(ctx: Ctx) -> bool:
    return ctx.actor.is_office or rules.may_handle(ctx.actor, Kind.ACCUSATION)


def owners_in_scope(ctx: Ctx) -> list[tuple[int, str]]:
    return [
        (o.id, o.name)
        for o in registry.list_organizations(ctx.session)
        if o.kind in OWNER_KINDS and ctx.actor.covers(o.division_code)
    ]


def _page(request: Request, ctx: Ctx, template: str, context: dict[str, Any]) -> Response:
    return render(
        request,
        f"petitions/{template}",
        context,
        actor=ctx.actor,
        today=ctx.today,
        active="petitions",
    )


@router.get("/petitions/visits")
def list_page(request: Request) -> Response:
    with user_ctx(request) as ctx:
        visits = service.list_visits(ctx.session, ctx.actor)
        names = registry.division_names(ctx.session, {v.division_code for v in visits})
        items = [
            {
                "id": v.id,
                "on": v.visited_on,
                "division": names.get(v.division_code, v.division_code),
                "place": v.place,
                "leader": f"{v.leader_post or ''}{v.leader_name}",
                "count": len(service.visit_petition_ids(ctx.session, v.id)),
            }
            for v in visits
        ]
        return _page(
            request, ctx, "visit_list.html", {"items": items, "may_record": may_record(ctx)}
        )


@router.get("/petitions/visits/new")
def new_page(request: Request) -> Response:
    with user_ctx(request) as ctx:
        if not may_record(ctx):
            raise InvalidInput("只有263办或纪委监委可以记录带案下访")
        divisions = [
            (d.code, d.name)
            for d in registry.list_divisions(ctx.session, "320500")
            if ctx.actor.covers(d.code)
        ]
        petitions = service.open_petitions(ctx.session, ctx.actor)
        names = registry.division_names(ctx.session, {p.division_code for p in petitions})
        context = {
            "divisions": divisions,
            "units": owners_in_scope(ctx),
            "petitions": [
                {
                    "id": p.id,
                    "code": p.tracking_code,
                    "topic": p.topic,
                    "division": names.get(p.division_code, p.division_code),
                    "description": rules.screen_text(p.description)[:80],
                }
                for p in petitions
            ],
        }
        return _page(request, ctx, "visit_new.html", context)


@router.post("/petitions/visits/new", dependencies=CSRF)
async def new_submit(request: Request) -> Response:
    form = await request.form()
    chosen = [str(v) for v in form.getlist("petition_id")]
    items = [
        VisitItemIn(
            petition_id=int(v),
            finding=_form_text(form, f"finding_{v}", 2000).strip(),
            agreed=_form_text(form, f"agreed_{v}", 2000).strip(),
        )
        for v in chosen
        if v.isdigit()
    ]
    leader_org = _form_text(form, "leader_org_id", 12)
    body = _parsed(
        VisitIn,
        {
            "division_code": _form_text(form, "division_code", 12),
            "visited_on": _date(_form_text(form, "visited_on", 10)),
            "place": _form_text(form, "place", 200).strip(),
            "leader_name": _form_text(form, "leader_name", 64).strip(),
            "leader_post": _form_text(form, "leader_post", 100).strip() or None,
            "leader_org_id": int(leader_org) if leader_org.isdigit() else None,
            "team": _form_text(form, "team", 300).strip() or None,
            "findings": _form_text(form, "findings").strip(),
            "agreed": _form_text(form, "agreed").strip(),
            "items": items,
        },
    )
    with user_ctx(request) as ctx:
        visit = visit_actions.do_record_visit(ctx, body)
        return RedirectResponse(f"/petitions/visits/{visit.id}", status_code=303)


@router.get("/petitions/visits/{visit_id}")
def detail_page(request: Request, visit_id: Id) -> Response:
    with user_ctx(request) as ctx:
        visit = service.get_visit(ctx.session, ctx.actor, visit_id)
        out = visit_views.visit_out(ctx.session, ctx.actor, visit)
        pairs = service.visit_items(ctx.session, ctx.actor, visit.id)
        plannable = [
            {
                "id": p.id,
                "code": p.tracking_code,
                "enterprise": registry.get_enterprise(ctx.session, p.enterprise_id).name,
            }
            for _, p in pairs
            if p.enterprise_id is not None
            and p.state == "accepted"
            and rules.may_handle(ctx.actor, Kind(p.kind))
            and ctx.actor.covers(p.division_code)
        ]
        leader_org = (
            registry.get_organization(ctx.session, visit.leader_org_id).name
            if visit.leader_org_id
            else None
        )
        context = {
            "v": out,
            "division": registry.division_name(ctx.session, visit.division_code),
            "leader_org": leader_org,
            "plannable": plannable,
            "units": owners_in_scope(ctx),
            "categories": sorted(registry.category_names().items()),
        }
        return _page(request, ctx, "visit_detail.html", context)


@router.post("/petitions/{petition_id}/plans", dependencies=CSRF)
async def plan_submit(request: Request, petition_id: Id) -> Response:
    form = await request.form()
    owner = _form_text(form, "owner_org_id", 12)
    visit = _form_text(form, "visit_id", 12)
    due = _date(_form_text(form, "due_date", 10))
    if due is None:
        raise InvalidInput("请填写完成期限", field="due_date")
    body = _parsed(
        PlanIn,
        {
            "title": _form_text(form, "title", 200).strip(),
            "measures": _form_text(form, "measures").strip(),
            "owner_org_id": int(owner) if owner.isdigit() else 0,
            "due_date": due,
            "category_code": _form_text(form, "category_code", 32) or "6T.vocs",
            "visit_id": int(visit) if visit.isdigit() else None,
        },
    )
    with user_ctx(request) as ctx:
        visit_actions.do_open_plan(ctx, petition_id, body)
    back = f"/petitions/visits/{body.visit_id}" if body.visit_id else f"/petitions/{petition_id}"
    return RedirectResponse(back, status_code=303)
