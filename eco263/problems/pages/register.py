"""登记问题: the form, validated on the server, errors in Chinese beside each field."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from eco263.context import Ctx
from eco263.problems import actions, service
from eco263.problems.enums import Source
from eco263.problems.pages._common import FORM_ERRORS, attach_all, read_uploads, require_office
from eco263.problems.pages.ledger import _category_groups
from eco263.problems.schemas import ProblemCreate
from eco263.registry import service as registry
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.forms import FieldErrors, domain_errors, pydantic_errors
from eco263.web.routing import PageRoute
from eco263.web.templating import render

REGISTER_FIELDS = (
    "title",
    "description",
    "source",
    "category_code",
    "division_code",
    "found_on",
    "enterprise_id",
    "location",
    "water_body",
    "due_date",
)

router = APIRouter(include_in_schema=False, route_class=PageRoute)


REQUIRED = {
    "title": "请填写问题标题",
    "source": "请选择问题来源",
    "category_code": "请选择263分类",
    "division_code": "请选择行政区划",
    "found_on": "请填写发现日期",
}


def _register_page(
    request: Request, ctx: Ctx, values: dict[str, str], errors: FieldErrors, status: int = 200
) -> Response:
    context = {
        "values": values,
        "errors": errors,
        "sources": [s.value for s in Source],
        "category_groups": _category_groups(),
        "divisions": registry.list_divisions(ctx.session, under=ctx.actor.division_code or None),
        "enterprises": service.enterprises_in_scope(ctx.session, ctx.actor),
    }
    return render(
        request,
        "problems/register.html",
        context,
        actor=ctx.actor,
        today=ctx.today,
        active="register",
        status_code=status,
    )


@router.get("/problems/new")
def register_form(request: Request) -> Response:
    with user_ctx(request) as ctx:
        require_office(ctx.actor)
        values = {"found_on": ctx.today.isoformat(), "division_code": ctx.actor.division_code}
        return _register_page(request, ctx, values, {})


def _validate_register(values: dict[str, str]) -> tuple[ProblemCreate | None, FieldErrors]:
    errors: FieldErrors = {f: msg for f, msg in REQUIRED.items() if not values.get(f, "").strip()}
    data: dict[str, Any] = {k: v.strip() for k, v in values.items() if v.strip()}
    try:
        parsed = ProblemCreate(**data)
    except ValidationError as exc:
        for name, message in pydantic_errors(exc).items():
            errors.setdefault(name, message)
        return None, errors
    return (None, errors) if errors else (parsed, errors)


@router.post("/problems/new", dependencies=[Depends(require_csrf)])
async def register_submit(request: Request) -> Response:
    form = await request.form()
    values = {f: str(form.get(f, "") or "") for f in REGISTER_FIELDS}
    parsed, errors = _validate_register(values)
    if parsed is not None:
        try:
            photos = await read_uploads(request, form.getlist("photos"))
            with user_ctx(request) as ctx:  # the problem and its photos: one transaction
                problem = actions.do_register_problem(ctx, parsed)
                attach_all(ctx, problem.id, None, photos)
                return RedirectResponse(f"/problems/{problem.id}?done=register", status_code=303)
        except FORM_ERRORS as exc:
            fields = {**{f: f for f in REGISTER_FIELDS}, "photos": "photos", "file": "photos"}
            errors = domain_errors(exc, fields, "_form")
            status = exc.status_code
    else:
        status = 422
    with user_ctx(request) as ctx:
        require_office(ctx.actor)
        return _register_page(request, ctx, values, errors, status)
