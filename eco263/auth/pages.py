"""登录 / 退出 / 修改密码: the login form (double-submit CSRF), the session cookie, logout, and the
password change (where a user whose password an administrator reset is sent until done)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from eco263.auth import service as auth
from eco263.auth import throttle
from eco263.auth.admin import do_change_password
from eco263.auth.rules import MIN_PASSWORD_LENGTH
from eco263.context import Ctx
from eco263.errors import DomainError
from eco263.web.deps import (
    LOGIN_CSRF_COOKIE,
    PASSWORD_PAGE,
    SESSION_COOKIE,
    client_address,
    login_csrf_ok,
    new_login_csrf,
    require_csrf,
    runtime,
    user_ctx,
)
from eco263.web.inputs import control_character
from eco263.web.routing import PageRoute, secure_headers
from eco263.web.templating import render, templates

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never ``//host`` or ``https://…`` (no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/workbench"  # 待办: the first page for every role


def _login_page(
    request: Request, *, username: str = "", error: str | None = None, status: int = 200
) -> Response:
    token = new_login_csrf()
    context = {
        "error": error,
        "username": username,
        "login_csrf": token,
        "next": _safe_next(request.query_params.get("next") or None),
    }
    response = templates.TemplateResponse(request, "login.html", context, status_code=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict")
    return secure_headers(response)


@router.get("/login")
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
def login_submit(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    if not login_csrf_ok(request, csrf_token):
        return _login_page(request, username=username, error="页面已过期，请重新登录", status=403)
    if not username.strip() or not password:
        return _login_page(request, username=username, error="请输入用户名和密码", status=422)
    if len(username) > 64 or len(password) > 256 or control_character(username):
        return _login_page(request, error="用户名或密码格式不正确", status=422)
    rt = runtime(request)
    try:
        with rt.unit_of_work() as ctx:
            token = auth.attempt_login(
                ctx.session,
                username,
                password,
                address=client_address(request),
                now=ctx.now,
                ttl_hours=rt.settings.token_ttl_hours,
                limits=throttle.Limits.from_settings(rt.settings),
            )
    except throttle.TooManyAttempts as exc:
        refused = _login_page(request, username=username, error=exc.message, status=429)
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    if token is None:
        return _login_page(request, username=username, error="用户名或密码错误", status=401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        max_age=rt.settings.token_ttl_hours * 3600,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout", dependencies=[Depends(require_csrf)])
def logout(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with runtime(request).unit_of_work() as ctx:
            auth.logout(ctx.session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# -- 修改密码 (also the page a user whose password was reset is sent to) -------------------------


def _password_page(
    request: Request, ctx: Ctx, *, error: str | None = None, done: bool = False, status: int = 200
) -> Response:
    context = {
        "error": error,
        "done": done,
        "forced": ctx.actor.must_change_password,
        "min_password": MIN_PASSWORD_LENGTH,
    }
    return render(
        request,
        "account/password.html",
        context,
        actor=ctx.actor,
        today=ctx.today,
        status_code=status,
    )


@router.get(PASSWORD_PAGE)
def password_form(request: Request) -> Response:
    with user_ctx(request) as ctx:
        return _password_page(request, ctx, done=request.query_params.get("done") == "1")


@router.post(PASSWORD_PAGE, dependencies=[Depends(require_csrf)])
def password_submit(
    request: Request,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    confirm_password: Annotated[str, Form()] = "",
) -> Response:
    """A wrong current password counts as a failed login of the account (and of the address),
    so the form cannot be used to guess it: after too many, 429 like the login form."""
    rt = runtime(request)
    with user_ctx(request) as ctx:
        keys = throttle.keys(auth.username_of(ctx.session, ctx.actor), client_address(request))
        try:
            throttle.check(ctx.session, keys, now=ctx.now)
            do_change_password(ctx, current_password, new_password, confirm_password)
        except DomainError as exc:
            if exc.details.get("field") == "current_password":
                limits = throttle.Limits.from_settings(rt.settings)
                throttle.record_failure(ctx.session, keys, now=ctx.now, limits=limits)
            return _password_page(request, ctx, error=exc.message, status=exc.status_code)
    return RedirectResponse(PASSWORD_PAGE + "?done=1", status_code=303)
