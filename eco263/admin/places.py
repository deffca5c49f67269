"""系统管理 pages for 单位 (市263办: add, rename, set the leader, deactivate without open work)
and 监测点位 (the 263 offices, in their jurisdiction: register, change the logger's password,
check mode, always-answer, stop or resume — the monitoring package's own actions)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from eco263.admin import actions
from eco263.admin._common import CRC_LABELS, MEDIUM_LABELS, optional_id, page, text
from eco263.context import Ctx
from eco263.errors import DomainError, Forbidden
from eco263.monitoring import actions as monitoring
from eco263.monitoring import service as points
from eco263.problems import service as problems
from eco263.registry import actions as registry_actions
from eco263.registry import service as registry
from eco263.registry.enums import ORG_KIND_LABELS
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.inputs import Id
from eco263.web.routing import PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)
CSRF = [Depends(require_csrf)]


# -- 单位 -------------------------------------------------------------------------------------


def _orgs_page(request: Request, ctx: Ctx, *, status: int = 200, **extra: Any) -> Response:
    registry_actions.check_may_manage_units(ctx)
    orgs = registry.list_organizations(ctx.session, inactive=True)
    divisions = registry.division_names(ctx.session, {o.division_code for o in orgs})
    rows = [
        {
            "id": o.id,
            "name": o.name,
            "kind": ORG_KIND_LABELS.get(o.kind, o.kind),  # type: ignore[call-overload]
            "division": divisions.get(o.division_code, o.division_code),
            "leader": o.leader_name or "",
            "active": o.active,
        }
        for o in orgs
    ]
    context = {
        "rows": rows,
        "kinds": [(k.value, label) for k, label in ORG_KIND_LABELS.items()],
        "divisions": registry.list_divisions(ctx.session),
        "values": {},
        **extra,
    }
    return page(request, ctx, "organizations.html", "orgs", context, status)


def _refused(request: Request, ctx: Ctx, exc: DomainError, again: Any) -> Response:
    """A refusal beside the form; a role that may not be here, or a row out of reach, gets
    the error page instead."""
    if isinstance(exc, Forbidden) or exc.status_code == 404:
        raise exc
    result: Response = again(request, ctx, status=exc.status_code, error=exc.message)
    return result


@router.get("/admin/organizations")
def organizations_page(request: Request) -> Response:
    with user_ctx(request) as ctx:
        return _orgs_page(request, ctx)


@router.post("/admin/organizations", dependencies=CSRF)
async def create_organization(request: Request) -> Response:
    form = await request.form()
    with user_ctx(request) as ctx:
        registry_actions.check_may_manage_units(ctx)
        try:
            registry_actions.do_create_organization(
                ctx,
                name=text(form, "name"),
                kind=text(form, "kind", 24),
                division_code=text(form, "division_code", 12),
                leader_name=text(form, "leader_name", 64) or None,
            )
        except DomainError as exc:
            return _refused(request, ctx, exc, _orgs_page)
    return RedirectResponse("/admin/organizations?done=org_created", status_code=303)


@router.post("/admin/organizations/{org_id}", dependencies=CSRF)
async def save_organization(request: Request, org_id: Id) -> Response:
    form = await request.form()
    with user_ctx(request) as ctx:
        registry_actions.check_may_manage_units(ctx)
        try:
            name, leader = text(form, "name"), text(form, "leader_name", 64)
            registry_actions.do_rename_organization(ctx, org_id, name)
            registry_actions.do_set_leader(ctx, org_id, leader)
        except DomainError as exc:
            return _refused(request, ctx, exc, _orgs_page)
    return RedirectResponse("/admin/organizations?done=org_saved", status_code=303)


@router.post("/admin/organizations/{org_id}/deactivate", dependencies=CSRF)
def deactivate_organization(request: Request, org_id: Id) -> Response:
    with user_ctx(request) as ctx:
        try:
            actions.do_deactivate_organization(ctx, org_id)
        except DomainError as exc:
            return _refused(request, ctx, exc, _orgs_page)
    return RedirectResponse("/admin/organizations?done=org_disabled", status_code=303)


# -- 监测点位 -----------------------------------------------------------------------------------


def _points_page(request: Request, ctx: Ctx, *, status: int = 200, **extra: Any) -> Response:
    if not ctx.actor.is_office:
        raise Forbidden("只有263办可以管理监测点位")
    rows = [
        {
            "id": r.point.id,
            "mn": r.point.mn,
            "name": r.point.name,
            "medium": MEDIUM_LABELS.get(r.point.medium, r.point.medium),
            "enterprise": r.enterprise_name or "",
            "division": r.division_name,
            "crc": CRC_LABELS.get(r.point.crc_mode, r.point.crc_mode),
            "always_ack": r.point.always_ack,
            "active": r.point.active,
        }
        for r in points.list_point_rows(ctx.session, ctx.actor)
    ]
    context = {
        "rows": rows,
        "media": list(MEDIUM_LABELS.items()),
        "crc_modes": list(CRC_LABELS.items()),
        "divisions": [d for d in registry.list_divisions(ctx.session) if ctx.actor.covers(d.code)],
        "enterprises": problems.enterprises_in_scope(ctx.session, ctx.actor),
        "values": {"division_code": ctx.actor.division_code},
        **extra,
    }
    return page(request, ctx, "points.html", "points", context, status)


@router.get("/admin/points")
def points_page(request: Request) -> Response:
    with user_ctx(request) as ctx:
        return _points_page(request, ctx)


@router.post("/admin/points", dependencies=CSRF)
async def register_point(request: Request) -> Response:
    form = await request.form()
    with user_ctx(request) as ctx:
        try:
            monitoring.do_register_point(
                ctx,
                mn=text(form, "mn", 32),
                password=text(form, "password", 32),
                name=text(form, "name"),
                medium=text(form, "medium", 8),
                division_code=text(form, "division_code", 12),
                enterprise_id=optional_id(form, "enterprise_id"),
                crc_mode=text(form, "crc_mode", 32) or "hj212",
                always_ack=form.get("always_ack") == "1",
            )
        except DomainError as exc:
            return _refused(request, ctx, exc, _points_page)
    return RedirectResponse("/admin/points?done=point_created", status_code=303)


@router.post("/admin/points/{point_id}", dependencies=CSRF)
async def save_point(request: Request, point_id: Id) -> Response:
    """One point's device settings; an empty password leaves the password unchanged."""
    form = await request.form()
    with user_ctx(request) as ctx:
        try:
            monitoring.do_update_point(
                ctx,
                point_id,
                password=text(form, "password", 32) or None,
                crc_mode=text(form, "crc_mode", 32) or None,
                always_ack=form.get("always_ack") == "1",
                active=form.get("active") == "1",
            )
        except DomainError as exc:
            return _refused(request, ctx, exc, _points_page)
    return RedirectResponse("/admin/points?done=point_saved", status_code=303)
