"""系统管理 pages: 用户 (both 263 offices, a district office within its own reach), 单位 (市263办)
and 监测点位 (through the monitoring actions).  Every form posts with the session's CSRF token;
a refused write shows the same page with the Chinese message and the refusal's status, and
changes nothing (every action checks everything before it writes).  An account or unit out of
the actor's reach is the 404 page, as elsewhere.  Templates: ``web/templates/admin/``.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from eco263.actor import ROLE_LABELS, Role
from eco263.admin._common import optional_id, page, text
from eco263.auth import admin as accounts
from eco263.auth import rules
from eco263.context import Ctx
from eco263.errors import DomainError, Forbidden
from eco263.problems import service as problems
from eco263.registry import service as registry
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.inputs import Id
from eco263.web.routing import PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)
CSRF = [Depends(require_csrf)]

# -- 用户 -------------------------------------------------------------------------------------


def _users_page(request: Request, ctx: Ctx, *, status: int = 200, **extra: Any) -> Response:
    users = accounts.list_users(ctx)
    orgs = [
        o for o in registry.list_organizations(ctx.session) if ctx.actor.covers(o.division_code)
    ]
    names = {o.id: o.name for o in registry.list_organizations(ctx.session, inactive=True)}
    divisions = registry.division_names(ctx.session, {u.division_code for u in users})
    rows = [
        {
            "id": u.id,
            "username": u.username,
            "name": u.display_name,
            "role": ROLE_LABELS.get(Role(u.role), u.role),
            "division": divisions.get(u.division_code, u.division_code),
            "org": names.get(u.organization_id or 0, ""),
            "active": u.active,
            "must_change": u.must_change_password,
            "is_self": u.id == ctx.actor.user_id,
        }
        for u in users
    ]
    enterprises = (
        problems.enterprises_in_scope(ctx.session, ctx.actor)
        if Role.ENTERPRISE in rules.grantable_roles(ctx.actor)
        else []
    )
    context = {
        "rows": rows,
        "roles": [(r.value, ROLE_LABELS[r]) for r in rules.grantable_roles(ctx.actor)],
        "divisions": [d for d in registry.list_divisions(ctx.session) if ctx.actor.covers(d.code)],
        "orgs": orgs,
        "enterprises": enterprises,
        "min_password": rules.MIN_PASSWORD_LENGTH,
        "values": {"division_code": ctx.actor.division_code},
        **extra,
    }
    return page(request, ctx, "users.html", "users", context, status)


@router.get("/admin")
def admin_home(request: Request) -> Response:
    with user_ctx(request) as ctx:
        if not rules.may_administer(ctx.actor):
            raise Forbidden("只有263办可以进入系统管理")
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/users")
def users_page(request: Request) -> Response:
    with user_ctx(request) as ctx:
        return _users_page(request, ctx)


@router.post("/admin/users", dependencies=CSRF)
async def create_user(request: Request) -> Response:
    form = await request.form()
    values = {
        k: str(form.get(k, "") or "")
        for k in ("username", "display_name", "role", "division_code", "organization_id")
    }
    with user_ctx(request) as ctx:
        try:
            password = str(form.get("password", "") or "")
            generated = not password
            if generated:
                password = secrets.token_urlsafe(9)
            user = accounts.do_add_user(
                ctx,
                username=text(form, "username", 64),
                password=password,
                display_name=text(form, "display_name", 64),
                role=text(form, "role", 24),
                division_code=text(form, "division_code", 12),
                organization_id=optional_id(form, "organization_id"),
                enterprise_id=optional_id(form, "enterprise_id"),
            )
        except DomainError as exc:
            return _users_page(
                request, ctx, status=exc.status_code, error=exc.message, values=values
            )
        if generated:
            temporary = f"已创建用户 {user.username}，临时密码：{password}（只显示这一次）"
            return _users_page(request, ctx, temporary=temporary)
    return RedirectResponse("/admin/users?done=created", status_code=303)


def _user_write(request: Request, write: Any, done: str) -> Response:
    with user_ctx(request) as ctx:
        try:
            write(ctx)
        except DomainError as exc:
            if exc.status_code == 404 or not rules.may_administer(ctx.actor):
                raise
            return _users_page(request, ctx, status=exc.status_code, error=exc.message)
    return RedirectResponse(f"/admin/users?done={done}", status_code=303)


@router.post("/admin/users/{user_id}/disable", dependencies=CSRF)
def disable_user(request: Request, user_id: Id) -> Response:
    return _user_write(request, lambda ctx: accounts.do_disable_user(ctx, user_id), "disabled")


@router.post("/admin/users/{user_id}/enable", dependencies=CSRF)
def enable_user(request: Request, user_id: Id) -> Response:
    return _user_write(request, lambda ctx: accounts.do_enable_user(ctx, user_id), "enabled")


@router.post("/admin/users/{user_id}/reset-password", dependencies=CSRF)
async def reset_password(request: Request, user_id: Id) -> Response:
    form = await request.form()
    password = str(form.get("password", "") or "") or secrets.token_urlsafe(9)
    with user_ctx(request) as ctx:
        try:
            user = accounts.do_reset_password(ctx, user_id, password)
        except DomainError as exc:
            if exc.status_code == 404 or not rules.may_administer(ctx.actor):
                raise
            return _users_page(request, ctx, status=exc.status_code, error=exc.message)
        temporary = (
            f"已重置 {user.username} 的密码，临时密码：{password}（只显示这一次，"
            "该用户下次登录须修改密码）"
        )
        return _users_page(request, ctx, temporary=temporary)
