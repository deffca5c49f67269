"""Helpers shared by the case actions: who may act, state guards, clocks, snapshots."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import update

from eco263.context import Ctx
from eco263.deadlines import load_catalogue
from eco263.enforcement import rules, service
from eco263.enforcement.models import PenaltyCase
from eco263.errors import Conflict, Forbidden, InvalidInput


def require_enforcer(ctx: Ctx, case: PenaltyCase | None = None) -> None:
    """Only the enforcing department's own staff act on its cases (the system for the demo)."""
    if ctx.actor.is_system:
        return
    if ctx.actor.role not in rules.ENFORCERS or ctx.actor.organization_id is None:
        raise Forbidden("只有执法部门可以办理行政处罚案件")
    if case is not None and case.organization_id != ctx.actor.organization_id:
        raise Forbidden("只有办案单位可以办理本案")


def require_head(ctx: Ctx, case: PenaltyCase) -> None:
    """An approval (立案、决定、延期、结案): the enforcing unit, and never its investigator."""
    require_enforcer(ctx, case)
    conflict = rules.duty_conflict(ctx.actor.user_id, [case.investigator_id, case.opened_by])
    if conflict:
        raise Forbidden(conflict)


def check_move(case: PenaltyCase, move: str) -> None:
    refusal = rules.move_refusal(case.state, move)
    if refusal:
        raise Conflict(refusal, state=case.state)


def not_future(ctx: Ctx, day: date, field: str, what: str) -> None:
    if day > ctx.today:
        raise InvalidInput(f"{what}不能晚于今天", field=field)


def not_before(day: date, floor: date | None, field: str, what: str, floor_what: str) -> None:
    if floor is not None and day < floor:
        raise InvalidInput(f"{what}不能早于{floor_what}（{floor.isoformat()}）", field=field)


def bump(ctx: Ctx, case: PenaltyCase, **values: Any) -> None:
    """Write ``values`` if nobody changed the case meanwhile (optimistic version)."""
    result = ctx.session.execute(
        update(PenaltyCase)
        .where(PenaltyCase.id == case.id, PenaltyCase.version == case.version)
        .values(**values, version=PenaltyCase.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("该案件已被他人更新，请刷新后重试", current_version=case.version)
    ctx.session.refresh(case)


def recompute_decision_due(
    ctx: Ctx, case: PenaltyCase, extensions: int | None = None
) -> dict[str, Any]:
    """The decision deadline after a pause, a resumption or an extension (values to write)."""
    if case.filed_on is None:
        return {}
    due = rules.decision_due(
        load_catalogue(ctx.settings.deadline_rules_file),
        ctx.calendar,
        case.filed_on,
        service.pause_periods(ctx.session, case.id),
        case.extension_count if extensions is None else extensions,
        ctx.today,
    )
    return {"decision_due": due.due, "decision_due_reason": due.reason}


def snapshot(case: PenaltyCase) -> dict[str, Any]:
    return {
        "state": case.state,
        "decision_due": case.decision_due,
        "fine": case.fine,
        "outcome": case.outcome,
    }
