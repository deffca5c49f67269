"""What the ledger's batch bar shows: who may use it, the lead units to choose, the result of
the last batch (its notice, or its refusal with the input kept)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from eco263.context import Ctx
from eco263.problems import rules
from eco263.problems.enums import Move
from eco263.registry import service as registry
from eco263.registry.enums import ASSIGNABLE_KINDS

BATCH_DONE = {
    "batch_dispatch": "已批量交办 {n} 条问题，承办单位已收到通知。",
    "batch_urge": "已批量催办 {n} 条问题（{units} 个承办单位），承办单位已收到通知。",
}


def batch_context(
    ctx: Ctx,
    request: Request,
    batch: dict[str, Any] | None,
    divisions: list[Any],
    dispatchable: bool,
) -> dict[str, Any]:
    """The batch bar: writes for a 263 office only; export for everyone who reads the ledger.

    The lead units to choose are those of ``divisions`` (the office's area, already read for
    the filters), loaded only when a row of the page can be dispatched (批量交办 shows then)."""
    office = rules.may_make(ctx.actor, Move.DISPATCH) and rules.urger_refusal(ctx.actor, 0) is None
    state = dict(batch or {})
    params = request.query_params
    template = BATCH_DONE.get(params.get("done", ""))
    if template and not state.get("error"):
        state["done"] = template.format(n=params.get("n", "0"), units=params.get("units", "0"))
    state.setdefault("values", {})
    state.setdefault("selected", ())
    state["office"] = office
    state["dispatch"] = office and dispatchable
    state["orgs"] = lead_units(ctx, {d.code for d in divisions}) if state["dispatch"] else []
    return state


def lead_units(ctx: Ctx, codes: set[str]) -> list[Any]:
    """Units of these divisions that take rectification tasks (the dispatch form's choices)."""
    return [
        o
        for o in registry.list_organizations(ctx.session)
        if o.division_code in codes and o.kind in ASSIGNABLE_KINDS
    ]
