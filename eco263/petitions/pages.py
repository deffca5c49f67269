"""Public 信访 pages (no login, usable on a phone): the form, and progress by tracking code
with the satisfaction rating and the 复查/复核 request.  Forms carry a double-submit CSRF
token; the per-address limit and the honeypot are the API's."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from eco263.errors import DomainError, InvalidInput
from eco263.petitions import actions, presenters, service
from eco263.petitions.enums import Kind, Satisfaction
from eco263.petitions.schemas import ContactIn, PublicPetitionIn
from eco263.petitions.throttle import LIMITER, MAX_REQUESTS, MAX_SUBMISSIONS
from eco263.registry import service as registry
from eco263.web.deps import (
    LOGIN_CSRF_COOKIE,
    client_address,
    login_csrf_ok,
    new_login_csrf,
    runtime,
)
from eco263.web.routing import PageRoute
from eco263.web.templating import templates

router = APIRouter(include_in_schema=False, route_class=PageRoute)

TOPICS = ("噪声", "废气", "废水", "固体废物", "黑臭水体", "扬尘", "其他")


def _render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    token = new_login_csrf()
    response = templates.TemplateResponse(
        request, name, {**context, "form_csrf": token}, status_code=status
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict")
    return response


def _form(request: Request, values: dict[str, str], error: str | None, status: int) -> Response:
    with runtime(request).sessions() as session:
        divisions = [
            (d.code, d.name)
            for d in registry.list_divisions(session, "320500")
            if d.code != "320500"
        ]
    context = {
        "values": values,
        "error": error,
        "divisions": divisions,
        "topics": TOPICS,
        "kinds": [k.value for k in Kind],
    }
    return _render(request, "petitions/public_form.html", context, status)


@router.get("/xinfang")
def public_form(request: Request) -> Response:
    LIMITER.hit("any", client_address(request), MAX_REQUESTS)
    return _form(request, {}, None, 200)


def _validation_message(exc: ValidationError) -> str:
    field = str(exc.errors()[0]["loc"][-1]) if exc.errors()[0]["loc"] else ""
    return {
        "description": "请填写问题描述（至少5个字）",
        "topic": "请选择问题类别",
        "division_code": "请选择所在区县",
        "phone": "联系电话格式不正确",
    }.get(field, "填写内容有误，请检查")


@router.post("/xinfang")
def public_submit(
    request: Request,
    topic: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "申诉求决",
    description: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
    division_code: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    website: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    address = client_address(request)
    LIMITER.hit("any", address, MAX_REQUESTS)
    values = {
        "topic": topic,
        "kind": kind,
        "description": description,
        "location": location,
        "division_code": division_code,
        "name": name,
        "phone": phone,
    }
    if not login_csrf_ok(request, csrf_token):
        return _form(request, values, "页面已过期，请重新提交", 403)
    LIMITER.hit("submit", address, MAX_SUBMISSIONS)
    try:
        body = PublicPetitionIn(
            kind=kind,
            topic=topic,
            description=description,
            location=location or None,
            division_code=division_code,
            website=website,
            contact=ContactIn(name=name or None, phone=phone or None),
        )
        if body.website:
            raise InvalidInput("提交无效")
        with runtime(request).unit_of_work() as ctx:
            code = actions.do_register(ctx, body, public=True).tracking_code
    except ValidationError as exc:
        return _form(request, values, _validation_message(exc), 422)
    except DomainError as exc:
        if exc.status_code == 429:
            raise
        return _form(request, values, exc.message, 422)
    return RedirectResponse(f"/xinfang/track?code={quote(code)}&new=1", status_code=303)


@router.get("/xinfang/track")
def track(request: Request, code: str = "", new: str = "") -> Response:
    LIMITER.hit("any", client_address(request), MAX_REQUESTS)
    context: dict[str, Any] = {"code": code[:16], "progress": None, "new": bool(new)}
    context["ratings"] = [s.value for s in Satisfaction]
    if code:
        with runtime(request).sessions() as session:
            try:
                context["progress"] = presenters.public_progress(
                    service.by_tracking_code(session, code[:16])
                )
            except DomainError:
                context["error"] = "未找到该查询码对应的信访事项"
    return _render(request, "petitions/public_track.html", context)


def _back(code: str) -> Response:
    return RedirectResponse(f"/xinfang/track?code={quote(code)}", status_code=303)


@router.post("/xinfang/track/{code}/rating")
def rate(
    request: Request,
    code: str,
    satisfaction: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    LIMITER.hit("any", client_address(request), MAX_REQUESTS)
    if not login_csrf_ok(request, csrf_token):
        raise InvalidInput("页面已过期，请刷新后重试")
    with runtime(request).unit_of_work() as ctx:
        actions.do_rate(ctx, code, satisfaction)
    return _back(code)


@router.post("/xinfang/track/{code}/review")
def review(
    request: Request,
    code: str,
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    LIMITER.hit("any", client_address(request), MAX_REQUESTS)
    if not login_csrf_ok(request, csrf_token):
        raise InvalidInput("页面已过期，请刷新后重试")
    if len(reason.strip()) < 2 or len(reason) > 2000:
        raise InvalidInput("请填写申请理由（2至2000字）")
    with runtime(request).unit_of_work() as ctx:
        actions.do_request_review(ctx, code, reason.strip())
    return _back(code)
