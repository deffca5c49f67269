"""Pages of the supervision domain (智慧监督): the clue list with the delivery health, a clue's
detail (facts, evidence, delivery, history, 监督意见书, 问责), and the two things a reader of
these pages does through the web — the city office revives a dead delivery, or hands a
problem's unit to supervision by hand (人工移送).

Reads go through :mod:`eco263.supervision.service` (scoped: a clue out of the actor's
jurisdiction is a 404 like a missing one, a role that may not read clues gets a 403); writes
through the existing actions.  Templates: ``web/templates/supervision/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from eco263 import vocabulary
from eco263.clock import local_text
from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden, InvalidInput, NotFound
from eco263.outbox.actions import do_retry
from eco263.outbox.enums import OutboxState
from eco263.problems import service as problems
from eco263.problems.enums import STATE_LABELS as PROBLEM_STATE_LABELS
from eco263.registry import service as registry
from eco263.supervision.actions.manual import do_open_manual_clue
from eco263.supervision.enums import (
    CAUSE_LABELS,
    DELIVERY_LABELS,
    EVIDENCE_KEY_LABELS,
    HISTORY_SOURCE_LABELS,
    STATE_LABELS,
    DutyFailure,
)
from eco263.supervision.models import Clue
from eco263.supervision.schemas import ManualClueIn
from eco263.supervision.service.clues import (
    clue_counts,
    list_clues,
    may_open_manual_clue,
    may_retry_delivery,
)
from eco263.supervision.service.deliveries import deliveries_of, delivery_health, delivery_in_scope
from eco263.supervision.service.record import ClueRecord, clue_record
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.forms import FieldErrors, domain_errors, pydantic_errors
from eco263.web.inputs import Id, form_int
from eco263.web.routing import PageRoute
from eco263.web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)

PAGE_SIZE = 50
STATE_TEXT = {s.value: label for s, label in STATE_LABELS.items()}
CAUSE_TEXT = {c.value: label for c, label in CAUSE_LABELS.items()}
PROBLEM_STATE_TEXT = {s.value: label for s, label in PROBLEM_STATE_LABELS.items()}

DONE_MESSAGES = {
    "retry": "已重新投递：线索回到待投递队列，投递程序将尽快送达智慧监督平台。",
    "manual": "线索已生成，正在投递智慧监督平台。",
}


# -- the clue list -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClueQuery:
    """The list's filters and page as they appear in the URL (unknown values are ignored)."""

    state: str = ""
    cause: str = ""
    duty: str = ""
    page: int = 1

    @classmethod
    def from_request(cls, request: Request) -> ClueQuery:
        p = request.query_params
        return cls(
            state=p.get("state", "") if p.get("state") in STATE_TEXT else "",
            cause=p.get("cause", "") if p.get("cause") in CAUSE_TEXT else "",
            duty=p.get("duty", "") if p.get("duty") in set(DutyFailure) else "",
            page=max(1, _int(p.get("page"), 1)),
        )

    def url(self, **changes: Any) -> str:
        """``/supervision`` with the non-default parameters after ``changes``."""
        current = replace(self, **changes)
        defaults = ClueQuery()
        params = {
            name: getattr(current, name)
            for name in self.__dataclass_fields__
            if getattr(current, name) != getattr(defaults, name)
        }
        return "/supervision" + ("?" + urlencode(params) if params else "")


def _int(text: str | None, default: int) -> int:
    return form_int(text, default)


def _delivery_text(event: Any) -> str:
    return DELIVERY_LABELS.get(event.state, event.state) if event is not None else "无投递记录"


def _row(
    clue: Clue, event: Any, divisions: dict[str, str], units: dict[int, str]
) -> dict[str, Any]:
    return {
        "id": clue.id,
        "summary": clue.summary,
        "cause": CAUSE_TEXT.get(clue.cause_kind, clue.cause_kind),
        "duty_failure": clue.duty_failure,
        "unit": units.get(clue.organization_id or 0, "—"),
        "person": clue.responsible_person or "",
        "division": divisions.get(clue.division_code, clue.division_code),
        "problem_id": clue.problem_id,
        "created_at": clue.created_at,
        "state": clue.state,
        "state_label": STATE_TEXT.get(clue.state, clue.state),
        "delivery": event.state if event is not None else "",
        "delivery_label": _delivery_text(event),
        "attempts": event.attempts if event is not None else 0,
    }


def _pipeline(counts: dict[str, int], query: ClueQuery) -> list[dict[str, Any]]:
    """One card per state, in the order a clue lives; each filters the list."""
    return [
        {
            "state": s.value,
            "label": label,
            "value": counts.get(s.value, 0),
            "url": query.url(state=s.value, page=1),
            "on": query.state == s.value,
        }
        for s, label in STATE_LABELS.items()
    ]


@router.get("/supervision")
def clue_list(request: Request) -> Response:
    """线索: the clues in the actor's jurisdiction, the pipeline and the delivery health."""
    query = ClueQuery.from_request(request)
    with user_ctx(request) as ctx:
        clues, total = list_clues(
            ctx.session,
            ctx.actor,
            state=query.state or None,
            cause=query.cause or None,
            duty_failure=query.duty or None,
            limit=PAGE_SIZE,
            offset=(query.page - 1) * PAGE_SIZE,
        )
        deliveries = deliveries_of(ctx.session, clues)
        divisions = _division_names(ctx)
        units = registry.organization_names(
            ctx.session, {c.organization_id for c in clues if c.organization_id}
        )
        context = {
            "query": query,
            "rows": [_row(c, deliveries.get(c.id), divisions, units) for c in clues],
            "total": total,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "pipeline": _pipeline(clue_counts(ctx.session, ctx.actor), query),
            "health": delivery_health(ctx.session, ctx.actor),
            "states": list(STATE_TEXT.items()),
            "causes": list(CAUSE_TEXT.items()),
            "duties": [d.value for d in DutyFailure],
            "may_retry": may_retry_delivery(ctx.actor),
            "may_open": may_open_manual_clue(ctx.actor),
            "done": DONE_MESSAGES.get(request.query_params.get("done", "")),
        }
        return render(
            request,
            "supervision/list.html",
            context,
            actor=ctx.actor,
            today=ctx.today,
            active="supervision",
        )


def _division_names(ctx: Ctx) -> dict[str, str]:
    under = ctx.actor.division_code or None
    return {d.code: d.short_name or d.name for d in registry.list_divisions(ctx.session, under)}


# -- one clue ------------------------------------------------------------------------------------


def _when(text: Any) -> datetime | None:
    """An instant frozen in the evidence as ISO text (shown in Beijing time by the template)."""
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


def _label(key: str) -> str:
    return EVIDENCE_KEY_LABELS.get(key, key)


_ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _scalar(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str) and _ISO_INSTANT.match(value) and (at := _when(value)):
        return local_text(at)  # frozen as ISO text (UTC), read in Beijing time
    return str(value)


def _table(items: list[Any]) -> dict[str, Any]:
    """A list of records (fines, packets, pack members) as a table with labelled columns."""
    keys: list[str] = []
    for item in items:
        keys.extend(k for k in item if k not in keys)
    return {
        "headers": [_label(k) for k in keys],
        "rows": [[_scalar(item.get(k)) for k in keys] for item in items],
    }


def _summarised_members(members: dict[str, Any]) -> dict[str, Any]:
    """A pack's files: each named one, and its raw packets as one count (a thousand rows of
    digests help nobody on a page; each is in the pack's manifest)."""
    packets = [name for name in members if str(name).startswith("packets/")]
    kept: dict[str, Any] = {k: v for k, v in members.items() if k not in packets}
    if packets:
        kept["packets"] = f"{len(packets)} 份（逐份校验值见证据包内清单）"
    return kept


def evidence_items(data: dict[str, Any] | None, prefix: str = "") -> dict[str, Any]:
    """Frozen evidence (facts, a monitoring pack) as labelled values and tables.

    Nested records are flattened (``统计量 · window_minutes``), lists of records become tables,
    so a new rule's facts show without a template change.
    """
    values: list[tuple[str, str]] = []
    tables: list[tuple[str, dict[str, Any]]] = []
    for key, value in (data or {}).items():
        label = prefix + _label(str(key))
        if key == "members" and isinstance(value, dict):
            value = _summarised_members(value)
        if isinstance(value, dict):
            nested = evidence_items(value, label + " · ")
            values.extend(nested["values"])
            tables.extend(nested["tables"])
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            tables.append((label, _table(value)))
        elif isinstance(value, list):
            values.append((label, "、".join(_scalar(v) for v in value) or "—"))
        else:
            values.append((label, _scalar(value)))
    return {"values": values, "tables": tables}


def _audit_rows(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "seq": e.get("seq"),
            "at": _when(e.get("at")),
            "action": vocabulary.label(str(e.get("action"))),
            "hash": str(e.get("hash", "")),
        }
        for e in evidence.get("audit_events", [])
    ]


def _sent_problems(record: ClueRecord) -> list[dict[str, Any]]:
    """The problems as the document sent to the platform froze them (with their deadlines)."""
    payload = record.delivery.payload if record.delivery is not None else {}
    return [
        {
            **p,
            "state_label": PROBLEM_STATE_TEXT.get(str(p.get("state")), p.get("state")),
            "registered_at": _when(p.get("registered_at")),
            "closed_at": _when(p.get("closed_at")),
        }
        for p in payload.get("problems", [])
    ]


def _detail_context(ctx: Ctx, clue_id: int) -> dict[str, Any]:
    record = clue_record(ctx.session, ctx.actor, clue_id)
    clue, event = record.clue, record.delivery
    evidence = clue.evidence or {}
    return {
        "record": record,
        "clue": clue,
        "cause": CAUSE_TEXT.get(clue.cause_kind, clue.cause_kind),
        "state_label": STATE_TEXT.get(clue.state, clue.state),
        "unit": record.unit_names.get(clue.organization_id or 0, "—"),
        "facts": evidence_items(evidence.get("facts")),
        "monitoring": evidence_items(evidence.get("monitoring"))
        if evidence.get("monitoring")
        else None,
        "audit_events": _audit_rows(evidence),
        "chain_head": evidence.get("chain_head"),
        "attachments": evidence.get("attachments", []),
        "sent_problems": _sent_problems(record),
        "delivery": event,
        "delivery_label": _delivery_text(event),
        "history": [
            {
                "at": h.at,
                "state": STATE_TEXT.get(h.state, h.state),
                "source": HISTORY_SOURCE_LABELS.get(h.source, h.source),
                "note": h.note,
            }
            for h in record.history
        ],
        "may_retry": may_retry_delivery(ctx.actor)
        and event is not None
        and event.state == OutboxState.DEAD.value,
        "done": None,
    }


@router.get("/supervision/clues/new")
def manual_form(request: Request) -> Response:
    """人工移送 (市263办): the form, for the problem named by ``?problem=`` if any."""
    with user_ctx(request) as ctx:
        _require_manual(ctx)
        values = {"problem_id": request.query_params.get("problem", "").strip()[:12]}
        return _manual_page(request, ctx, values, {})


@router.get("/supervision/clues/{clue_id}")
def clue_detail(request: Request, clue_id: Id) -> Response:
    """A clue: facts, evidence, delivery, history, 监督意见书 and 问责, link to the problem."""
    with user_ctx(request) as ctx:
        context = _detail_context(ctx, clue_id)
        context["done"] = DONE_MESSAGES.get(request.query_params.get("done", ""))
        return render(
            request,
            "supervision/detail.html",
            context,
            actor=ctx.actor,
            today=ctx.today,
            active="supervision",
        )


# -- reviving a dead delivery (市263办) -----------------------------------------------------------


@router.post("/supervision/deliveries/{event_id}/retry", dependencies=[Depends(require_csrf)])
def retry_delivery(request: Request, event_id: Id) -> Response:
    """Put a dead clue delivery back in the queue (the same action as ``outbox retry``)."""
    with user_ctx(request) as ctx:
        _, clue = delivery_in_scope(ctx.session, ctx.actor, event_id)
        if not may_retry_delivery(ctx.actor):
            raise Forbidden("只有市263办可以重新投递")
        if not do_retry(ctx, [event_id]):
            raise Conflict("该线索的投递不处于“投递失败”状态，无需重新投递")
        return RedirectResponse(f"/supervision/clues/{clue.id}?done=retry", status_code=303)


# -- 人工移送: a clue by hand (市263办) -----------------------------------------------------------

MANUAL_FIELDS = ("problem_id", "organization_id", "duty_failure", "summary", "responsible_person")
MANUAL_REQUIRED = {
    "problem_id": "请填写问题编号",
    "duty_failure": "请选择失职类型",
    "summary": "请填写移送事由",
}
#: An action's error names a field of ManualClueIn; the form's fields have the same names.
FORM_ERRORS = (InvalidInput, Conflict, Forbidden)


def _require_manual(ctx: Ctx) -> None:
    if not may_open_manual_clue(ctx.actor):
        raise Forbidden("只有市263办可以人工移送线索")


def _problem_units(ctx: Ctx, problem_text: str) -> tuple[Any, list[tuple[int, str, bool]]]:
    """The problem a form names (None if it is not one the actor may read) and the units
    it is assigned to (the lead first): the choices of the unit to hand over."""
    problem_id = _int(problem_text, 0)
    if problem_id <= 0:
        return None, []
    try:
        problem = problems.get_problem(ctx.session, ctx.actor, problem_id)
    except NotFound:
        return None, []
    assignments = problems.assignments_of(ctx.session, problem.id)
    names = registry.organization_names(ctx.session, {a.organization_id for a in assignments})
    return problem, [
        (a.organization_id, names.get(a.organization_id, ""), a.is_lead) for a in assignments
    ]


def _manual_page(
    request: Request, ctx: Ctx, values: dict[str, str], errors: FieldErrors, status: int = 200
) -> Response:
    problem, units = _problem_units(ctx, values.get("problem_id", ""))
    if values.get("problem_id") and problem is None:
        errors = {"problem_id": "问题不存在", **errors}
    context = {
        "values": values,
        "errors": errors,
        "problem": problem,
        "units": units,
        "duties": [d.value for d in DutyFailure],
    }
    return render(
        request,
        "supervision/manual.html",
        context,
        actor=ctx.actor,
        today=ctx.today,
        active="supervision",
        status_code=status,
    )


def _validate_manual(values: dict[str, str]) -> tuple[ManualClueIn | None, FieldErrors]:
    errors: FieldErrors = {
        f: msg for f, msg in MANUAL_REQUIRED.items() if not values.get(f, "").strip()
    }
    data = {k: v.strip() for k, v in values.items() if v.strip()}
    try:
        parsed = ManualClueIn.model_validate(data)
    except ValidationError as exc:
        for name, message in pydantic_errors(exc).items():
            errors.setdefault(name, message)
        return None, errors
    return (None, errors) if errors else (parsed, errors)


def _open_manual(request: Request, parsed: ManualClueIn) -> Response | tuple[FieldErrors, int]:
    """Run the action; a redirect to the new clue, or the errors by field and the status."""
    try:
        with user_ctx(request) as ctx:
            try:
                problems.get_problem(ctx.session, ctx.actor, parsed.problem_id)
            except NotFound as exc:  # a typed number: an error beside the field, not a 404
                return {"problem_id": exc.message}, 422
            clue = do_open_manual_clue(ctx, parsed)
            return RedirectResponse(f"/supervision/clues/{clue.id}?done=manual", status_code=303)
    except NotFound as exc:  # the problem is there: the unit chosen is the one missing
        return {"organization_id": exc.message}, exc.status_code
    except FORM_ERRORS as exc:
        return domain_errors(exc, {f: f for f in MANUAL_FIELDS}, "summary"), exc.status_code


@router.post("/supervision/clues/new", dependencies=[Depends(require_csrf)])
async def manual_submit(request: Request) -> Response:
    """人工移送: :func:`~eco263.supervision.actions.manual.do_open_manual_clue`, errors by the
    field."""
    form = await request.form()
    values = {f: str(form.get(f, "") or "") for f in MANUAL_FIELDS}
    parsed, errors = _validate_manual(values)
    status = 422
    if parsed is not None:
        outcome = _open_manual(request, parsed)
        if isinstance(outcome, Response):
            return outcome
        errors, status = outcome
    with user_ctx(request) as ctx:
        _require_manual(ctx)
        return _manual_page(request, ctx, values, errors, status)
