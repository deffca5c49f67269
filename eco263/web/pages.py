"""Server-rendered pages (Chinese).  At this stage: login and a plain ledger list."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from eco263.auth import service as auth
from eco263.errors import Unauthenticated
from eco263.problems import service as problems
from eco263.problems.enums import ESCALATION_LABELS, STATE_LABELS, Escalation
from eco263.registry.service import category_names
from eco263.web.deps import SESSION_COOKIE, runtime, user_ctx

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return templates.TemplateResponse(request, "login.html", {"error": None, "username": ""})


@router.post("/login")
def login_submit(
    request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()]
) -> Response:
    rt = runtime(request)
    try:
        with rt.unit_of_work() as ctx:
            token = auth.login(
                ctx.session, username, password, now=ctx.now, ttl_hours=rt.settings.token_ttl_hours
            )
    except Unauthenticated as exc:
        context = {"error": exc.message, "username": username}
        return templates.TemplateResponse(request, "login.html", context, status_code=401)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax")
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with runtime(request).unit_of_work() as ctx:
            auth.logout(ctx.session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
def ledger(request: Request, page: int = 1) -> Response:
    try:
        with user_ctx(request) as ctx:
            items, total = problems.list_problems(
                ctx.session, ctx.actor, problems.ProblemFilters(), today=ctx.today, page=page
            )
            context = {
                "actor": ctx.actor,
                "today": ctx.today,
                "items": items,
                "total": total,
                "page": page,
                "states": STATE_LABELS,
                "levels": {int(k): v for k, v in ESCALATION_LABELS.items()},
                "categories": category_names(),
                "overdue_level": int(Escalation.OVERDUE),
            }
    except Unauthenticated:
        return RedirectResponse("/login", status_code=303)
    return templates.TemplateResponse(request, "ledger.html", context)
