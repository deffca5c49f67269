"""交办: lead unit and co-units, each deadline optional."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden
from eco263.problems import actions, presenters, rules, service
from eco263.problems.enums import Move, ProblemState
from eco263.problems.pages._common import FORM_ERRORS, done, parse_int
from eco263.problems.schemas import AssignmentSpec
from eco263.registry import service as registry
from eco263.registry.enums import ASSIGNABLE_KINDS, ORG_KIND_LABELS, OrgKind
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.forms import FieldErrors, domain_errors, parse_date
from eco263.web.inputs import Id
from eco263.web.routing import PageRoute
from eco263.web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _dispatch_orgs(ctx: Ctx, taken: set[int]) -> list[Any]:
    """Units in the office's jurisdiction that do not yet work on the problem."""
    in_scope = {
        d.code for d in registry.list_divisions(ctx.session, under=ctx.actor.division_code or None)
    }
    return [
        o
        for o in registry.list_organizations(ctx.session)
        if o.division_code in in_scope and o.kind in ASSIGNABLE_KINDS and o.id not in taken
    ]


def _groups(ctx: Ctx, orgs: list[Any], home: str) -> list[dict[str, Any]]:
    """The units by division (the problem's own first) and kind: "昆山市 · 政府部门"."""
    names = registry.division_names(ctx.session, {o.division_code for o in orgs})
    groups: dict[tuple[str, str], list[Any]] = {}
    for o in sorted(orgs, key=lambda o: (o.division_code != home, o.division_code, o.kind, o.id)):
        groups.setdefault((o.division_code, o.kind), []).append(o)
    return [
        {"label": f"{names.get(code, code)} · {ORG_KIND_LABELS[OrgKind(kind)]}", "orgs": members}
        for (code, kind), members in groups.items()
    ]


def _dispatch_page(
    request: Request, problem_id: int, values: dict[str, Any], errors: FieldErrors, status: int
) -> Response:
    with user_ctx(request) as ctx:
        problem = service.get_problem(ctx.session, ctx.actor, problem_id)
        if not rules.may_make(ctx.actor, Move.DISPATCH):
            raise Forbidden("当前角色无权交办")
        if Move.DISPATCH not in rules.PROBLEM_MOVES[ProblemState(problem.state)]:
            raise Conflict("该问题已办结，不能交办")
        detail = presenters.problem_detail(ctx, problem)
        taken = {a.organization_id for a in detail.assignments}
        orgs = _dispatch_orgs(ctx, taken)
        context = {
            "problem": problem,
            "detail": detail,
            "has_lead": any(a.is_lead for a in detail.assignments),
            "groups": _groups(ctx, orgs, problem.division_code),
            "values": values,
            "errors": errors,
        }
        return render(
            request,
            "problems/dispatch.html",
            context,
            actor=ctx.actor,
            today=ctx.today,
            active="ledger",
            status_code=status,
        )


@router.get("/problems/{problem_id}/dispatch")
def dispatch_form(request: Request, problem_id: Id) -> Response:
    return _dispatch_page(request, problem_id, {"co": []}, {}, 200)


def _dispatch_specs(
    lead: str, lead_due: str, co: list[str], co_due: str, own_dues: dict[str, str]
) -> tuple[AssignmentSpec | None, list[AssignmentSpec], FieldErrors]:
    """The specs of the form: each co-unit's own date (``co_due_<id>``) before the common one."""
    errors: FieldErrors = {}
    dues: dict[str, date | None] = {}
    fields = {"lead_due": lead_due, "co_due": co_due} | {
        f"co_due_{c}": own_dues.get(c, "") for c in co
    }
    for name, text in fields.items():
        try:
            dues[name] = parse_date(text)
        except ValueError as exc:
            errors["co" if name.startswith("co_due_") else name] = str(exc)
    lead_id = parse_int(lead, 0)
    if lead and not lead_id:
        errors["lead"] = "请选择牵头单位"
    co_ids = [parse_int(c, 0) for c in co if parse_int(c, 0)]
    lead_spec = (
        AssignmentSpec(organization_id=lead_id, due_date=dues.get("lead_due")) if lead_id else None
    )
    co_specs = [
        AssignmentSpec(organization_id=c, due_date=dues.get(f"co_due_{c}") or dues.get("co_due"))
        for c in co_ids
    ]
    return lead_spec, co_specs, errors


DISPATCH_FIELDS = {"lead": "lead", "organization_id": "lead", "due_date": "lead_due", "co": "co"}


@router.post("/problems/{problem_id}/dispatch", dependencies=[Depends(require_csrf)])
async def dispatch_submit(request: Request, problem_id: Id) -> Response:
    form = await request.form()
    lead, lead_due = str(form.get("lead", "")), str(form.get("lead_due", ""))
    co, co_due = [str(v) for v in form.getlist("co")], str(form.get("co_due", ""))
    version = parse_int(str(form.get("version", "")), 0) or None
    own_dues = {c: str(form.get(f"co_due_{c}", "")) for c in co if c.isdigit()}
    values = {"lead": lead, "lead_due": lead_due, "co": co, "co_due": co_due, "own": own_dues}
    lead_spec, co_specs, errors = _dispatch_specs(lead, lead_due, co, co_due, own_dues)
    if errors:
        return _dispatch_page(request, problem_id, values, errors, 422)
    try:
        with user_ctx(request) as ctx:
            actions.do_dispatch(ctx, problem_id, lead_spec, co_specs, version=version)
    except FORM_ERRORS as exc:
        found = domain_errors(exc, DISPATCH_FIELDS, "lead")
        return _dispatch_page(request, problem_id, values, found, exc.status_code)
    return done(problem_id, "dispatch", "assignments")
