"""Pages of 行刑衔接 (Chinese): the transfers a user may read and a transfer's page with its
current deadline (and its basis), its record and the step its reader may take now — the head
decides (never the one who proposed), the agency hands over, the police unit addressed signs,
asks for material, decides 立案 and records the outcome.

Reads through :mod:`.service` (:func:`rules.may_read`: the enterprise concerned, any enterprise
and the leaders' view never read a transfer — a 404 like a missing one); writes through the same
actions as the API; a refused step shows the error page with its Chinese message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from eco263 import vocabulary
from eco263.actor import Role
from eco263.audit.service import timeline_for
from eco263.context import Ctx
from eco263.errors import InvalidInput, NotFound
from eco263.registry import service as registry
from eco263.registry.enums import OrgKind
from eco263.transfers import actions, rules, service
from eco263.transfers.enums import (
    COMPLEXITY_LABELS,
    KIND_LABELS,
    MEASURES,
    SOURCE_LABELS,
    STATE_LABELS,
)
from eco263.transfers.models import Transfer
from eco263.transfers.schemas import (
    DecisionIn,
    HandOverIn,
    NoteIn,
    OutcomeIn,
    PoliceDecisionIn,
    ReceiveIn,
)
from eco263.web.deps import require_csrf, user_ctx
from eco263.web.inputs import Id, Line
from eco263.web.routing import PageRoute
from eco263.web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)
CSRF = [Depends(require_csrf)]

STATE_TEXT = {str(k): v for k, v in STATE_LABELS.items()}
KIND_TEXT = {str(k): v for k, v in KIND_LABELS.items()}
SOURCE_TEXT = {str(k): v for k, v in SOURCE_LABELS.items()}

#: Each step a transfer page posts: the form's schema and the action it calls.
STEPS: dict[str, tuple[type[BaseModel], Callable[[Ctx, int, Any], Transfer]]] = {
    "decide": (DecisionIn, actions.do_decide),
    "hand_over": (HandOverIn, actions.do_hand_over),
    "receive": (ReceiveIn, actions.do_receive),
    "request_material": (NoteIn, actions.do_request_material),
    "supply_material": (NoteIn, actions.do_supply_material),
    "police_decide": (PoliceDecisionIn, actions.do_police_decide),
    "request_review": (NoteIn, actions.do_request_review),
    "answer_review": (PoliceDecisionIn, actions.do_answer_review),
    "record_outcome": (OutcomeIn, actions.do_record_outcome),
}

FIELD_TEXT = {
    "reason": "理由",
    "police_org_id": "接收的公安机关",
    "materials": "移交材料",
    "note": "说明",
    "complexity": "案件情形",
    "persons": "人员及措施",
}


def _no_party(ctx: Ctx) -> None:
    """The enterprise (and the leaders' view) has no transfer pages at all: a 404."""
    if ctx.actor.enterprise_id is not None or ctx.actor.role in (Role.ENTERPRISE, Role.VIEWER):
        raise NotFound("页面")


def _parsed(model: type[BaseModel], data: dict[str, Any]) -> Any:
    try:
        return model(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = str(first.get("loc", ("",))[0])
        raise InvalidInput(f"“{FIELD_TEXT.get(where, where)}”填写有误", field=where) from None


@router.get("/transfers")
def list_page(
    request: Request, state: Annotated[Line | None, Query(max_length=24)] = None
) -> Response:
    with user_ctx(request) as ctx:
        _no_party(ctx)
        rows = service.list_transfers(ctx.session, ctx.actor, state=state or None)
        orgs = registry.organization_names(
            ctx.session,
            {t.agency_org_id for t in rows} | {t.police_org_id for t in rows if t.police_org_id},
        )
        items = [
            {
                "id": t.id,
                "kind": KIND_TEXT.get(t.kind, ""),
                "source": SOURCE_TEXT.get(t.source, ""),
                "agency": orgs.get(t.agency_org_id, ""),
                "police": orgs.get(t.police_org_id or 0, "—"),
                "state": STATE_TEXT.get(t.state, ""),
                "due_at": t.due_at,
                "overdue": t.due_at is not None and ctx.now > t.due_at,
                "summary": t.summary,
            }
            for t in rows
        ]
        return render(
            request,
            "transfers/list.html",
            {"items": items, "states": STATE_TEXT, "chosen": state or ""},
            actor=ctx.actor,
            today=ctx.today,
            active="enforcement",
        )


@router.get("/transfers/{transfer_id}")
def detail_page(request: Request, transfer_id: Id) -> Response:
    with user_ctx(request) as ctx:
        _no_party(ctx)
        t = service.get_transfer(ctx.session, ctx.actor, transfer_id)
        ids = {t.agency_org_id} | {i for i in (t.police_org_id, t.procuratorate_org_id) if i}
        orgs = registry.organization_names(ctx.session, ids)
        offered = [s for s in STEPS if rules.step_refusal(s, ctx.actor, t) is None]
        history = [
            {"at": e.at, "who": e.actor_name, "what": vocabulary.label(e.action)}
            for e in timeline_for(ctx.session, ctx.actor, "transfer", [str(t.id)])
        ]
        context = {
            "t": t,
            "state": STATE_TEXT.get(t.state, ""),
            "kind": KIND_TEXT.get(t.kind, ""),
            "source": SOURCE_TEXT.get(t.source, ""),
            "agency": orgs.get(t.agency_org_id, ""),
            "police": orgs.get(t.police_org_id or 0, ""),
            "procuratorate": orgs.get(t.procuratorate_org_id or 0, ""),
            "complexity": COMPLEXITY_LABELS.get(t.complexity or "", "") if t.complexity else "",
            "overdue": t.due_at is not None and ctx.now > t.due_at,
            "offered": offered,
            "step_names": rules.STEP_NAMES,
            "police_units": service.units_of_kind(ctx.session, OrgKind.POLICE),
            "complexities": {str(k): v for k, v in COMPLEXITY_LABELS.items()},
            "measures": MEASURES,
            "history": history,
            "is_agency": ctx.actor.role != Role.POLICE,
        }
        return render(
            request,
            "transfers/detail.html",
            context,
            actor=ctx.actor,
            today=ctx.today,
            active="enforcement",
        )


def _persons(text: str, on: str) -> list[dict[str, str]]:
    """One person a line: 姓名，措施[，说明] (the measure one of MEASURES)."""
    persons = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.replace(",", "，").split("，")]
        if not parts or not parts[0]:
            continue
        if len(parts) < 2:
            raise InvalidInput(f"每行应为“姓名，措施[，说明]”：{line}", field="persons")
        persons.append(
            {"name": parts[0], "measure": parts[1], "on": on, "note": "，".join(parts[2:])}
        )
    return persons


def _data(step: str, form: Any) -> dict[str, Any]:
    text = {k: str(v).strip() for k, v in form.items() if k != "csrf_token"}
    if step == "decide":
        return {
            "transfer": text.get("decision") == "transfer",
            "reason": text.get("reason", ""),
            "police_org_id": text.get("police_org_id") or None,
        }
    if step in ("police_decide", "answer_review"):
        return {"file": text.get("decision") == "file", "reason": text.get("reason", "")}
    if step == "record_outcome":
        on = text.get("on") or ""
        try:
            date.fromisoformat(on)
        except ValueError:
            raise InvalidInput("请填写采取措施的日期", field="on") from None
        return {"persons": _persons(text.get("persons", ""), on), "note": text.get("note", "")}
    return {k: v for k, v in text.items() if k in ("materials", "note", "complexity") and v}


@router.post("/transfers/{transfer_id}/steps/{step}", dependencies=CSRF)
async def step_submit(
    request: Request, transfer_id: Id, step: Annotated[Line, Path(max_length=24)]
) -> Response:
    """One step of the transfer, posted by its form (the same action as the API's route)."""
    if step not in STEPS:
        raise NotFound("操作")
    model, act = STEPS[step]
    body = _parsed(model, _data(step, await request.form()))
    with user_ctx(request) as ctx:
        _no_party(ctx)
        act(ctx, transfer_id, body)
    return RedirectResponse(f"/transfers/{transfer_id}", status_code=303)
