"""问题详情: facts, assignments with their deadlines, evidence and the timeline from the audit
chain."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from eco263 import vocabulary
from eco263.actor import CLUE_READERS, Actor, Role
from eco263.audit.service import timeline_for
from eco263.context import Ctx
from eco263.evidence.rules import ACCEPTED_LABEL
from eco263.problems import presenters, rules, service
from eco263.problems.enums import (
    ESCALATION_LABELS,
    MOVE_LABELS,
    Escalation,
    ExtensionState,
    Move,
    ProblemState,
)
from eco263.problems.pages._common import ASSIGNMENT_STATE_TEXT, DONE_MESSAGES, STATE_TEXT
from eco263.registry import service as registry
from eco263.web.deps import user_ctx
from eco263.web.forms import FieldErrors
from eco263.web.inputs import Id
from eco263.web.routing import PageRoute
from eco263.web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _timeline_text(event: Any, units: dict[int, str], orgs: dict[int, str]) -> str:
    after: dict[str, Any] = event.after or {}
    before: dict[str, Any] = event.before or {}
    action = event.action
    unit = units.get(int(after.get("assignment_id") or 0), "")
    note = str(after.get("note") or "").strip()
    if action == "problem.register":
        return f"期限 {after.get('due_date')}（{after.get('due_reason')}）"
    if action == "problem.dispatch":
        names = [
            orgs.get(int(a["organization_id"]), "") + ("（牵头）" if a.get("is_lead") else "")
            for a in after.get("assignments", [])
        ]
        return "交办给 " + "、".join(names)
    if action.startswith("assignment.") and action != "assignment.escalate":
        return unit + (f"；说明：{note}" if note else "") + _proxy_text(after)
    if action == "assignment.escalate":
        return f"{unit} {after.get('label', '')}（期限 {after.get('due_date')}）"
    if action == "extension.request":
        reason = after.get("reason")
        asked = f"{unit} 申请延期：{after.get('from')} → {after.get('to')}；理由：{reason}"
        return asked + _proxy_text(after)
    if action in ("extension.approve", "extension.reject"):
        return f"{unit} 期限 {before.get('due_date')} → {after.get('due_date')}" + (
            f"；意见：{note}" if note else ""
        )
    if action == "attachment.add":
        return f"{after.get('filename')}（SHA-256 {str(after.get('sha256', ''))[:12]}…）"
    if action == "problem.merge":
        return f"并入问题 #{after.get('duplicate_of_id')}"
    if action == "clue.open":
        return f"线索 #{after.get('clue_id')}：{after.get('duty_failure', '')}，移送智慧监督平台"
    return ""


def _proxy_text(after: dict[str, Any]) -> str:
    """（代办：理由，证明材料 #n）when an office acted for the unit."""
    proxy = after.get("on_behalf")
    if not isinstance(proxy, dict):
        return ""
    return f"（263办代办：{proxy.get('reason', '')}；证明材料 #{proxy.get('attachment_id')}）"


def _timeline_link(event: Any, actor: Actor) -> str | None:
    """Where an entry leads: a clue's page (生成线索), for the roles that read clues."""
    clue_id = (event.after or {}).get("clue_id") if event.action == "clue.open" else None
    return f"/supervision/clues/{clue_id}" if clue_id and actor.role in CLUE_READERS else None


def _detail_context(ctx: Ctx, problem_id: int) -> dict[str, Any]:
    problem = service.get_problem(ctx.session, ctx.actor, problem_id)
    detail = presenters.problem_detail(ctx, problem)
    units = {a.id: a.organization_name for a in detail.assignments}
    extensions = service.extensions_of(ctx.session, problem.id)
    events = timeline_for(ctx.session, ctx.actor, "problem", [str(problem.id)])
    org_ids = {
        int(a["organization_id"])
        for e in events
        if e.action == "problem.dispatch"
        for a in (e.after or {}).get("assignments", [])
    }
    urge_rows = service.urges_of(ctx.session, problem.id)
    urge_orgs = {u.urged_by_org_id for u in urge_rows if u.urged_by_org_id}
    orgs = registry.organization_names(ctx.session, org_ids)
    orgs_by_id = registry.organization_names(ctx.session, urge_orgs)
    pending = {e.assignment_id for e in extensions if e.state == ExtensionState.PENDING.value}
    actor = ctx.actor
    division = registry.get_division(ctx.session, problem.division_code)
    enterprise = (
        registry.get_enterprise(ctx.session, problem.enterprise_id)
        if problem.enterprise_id
        else None
    )
    may_upload = actor.role not in (Role.SUPERVISOR, Role.VIEWER, Role.ENTERPRISE)
    urges: dict[int, list[dict[str, Any]]] = {}
    for u in urge_rows:
        by = orgs_by_id.get(u.urged_by_org_id) if u.urged_by_org_id else None
        urges.setdefault(u.assignment_id, []).append(
            {"at": u.urged_at, "note": u.note, "by": by or "263办"}
        )
    return {
        "urges": urges,
        "problem": problem,
        "detail": detail,
        "division": division,
        "enterprise": enterprise,
        "category": registry.category_names().get(problem.category_code, problem.category_code),
        "state_label": STATE_TEXT.get(problem.state, problem.state),
        "escalation_label": ESCALATION_LABELS[Escalation(problem.escalation)],
        "assignment_states": ASSIGNMENT_STATE_TEXT,
        "move_labels": {m.value: MOVE_LABELS[m] for m in Move},
        "extensions": extensions,
        "units": units,
        "pending_ext": pending,
        "may_request_ext": {
            a.id: a.may_request_extension and a.id not in pending for a in detail.assignments
        },
        "decidable_ext": {
            e.id
            for e in extensions
            if e.state == ExtensionState.PENDING.value
            and rules.may_make(actor, Move.VERIFY)
            and rules.extension_decision_refusal(actor, e.requested_by, e.requested_by_org_id)
            is None
        },
        "may_dispatch": rules.may_make(actor, Move.DISPATCH)
        and Move.DISPATCH in rules.PROBLEM_MOVES[ProblemState(problem.state)],
        "may_upload": may_upload and service.is_open(problem),
        "attachments": service.attachments_of(ctx.session, actor, problem.id),
        "accepted_files": ACCEPTED_LABEL,
        "events": [
            {
                "seq": e.seq,
                "at": e.at,
                "actor": e.actor_name,
                "label": vocabulary.label(e.action),
                "text": _timeline_text(e, units, orgs),
                "href": _timeline_link(e, actor),
                "hash": e.hash,
            }
            for e in events
        ],
        "own_assignment": next(
            (a.id for a in detail.assignments if a.organization_id == actor.organization_id),
            None,
        ),
    }


def detail_page(
    request: Request,
    problem_id: int,
    *,
    errors: dict[str, FieldErrors] | None = None,
    values: dict[str, dict[str, str]] | None = None,
    status: int = 200,
) -> Response:
    with user_ctx(request) as ctx:
        context = _detail_context(ctx, problem_id)
        context["errors"] = errors or {}
        context["values"] = values or {}
        context["done"] = DONE_MESSAGES.get(request.query_params.get("done", ""))
        return render(
            request,
            "problems/detail.html",
            context,
            actor=ctx.actor,
            today=ctx.today,
            active="ledger",
            status_code=status,
        )


@router.get("/problems/{problem_id}")
def detail(request: Request, problem_id: Id) -> Response:
    return detail_page(request, problem_id)
