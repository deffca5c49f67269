"""Build ledger rows through the real actions (Zulip: set up data as users would)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from eco263.context import Ctx
from eco263.problems import actions
from eco263.problems.models import Assignment, Problem
from eco263.problems.schemas import AssignmentSpec, ProblemCreate
from eco263.registry.models import Enterprise, Organization


def org(ctx: Ctx, name: str) -> int:
    found = ctx.session.scalar(select(Organization.id).where(Organization.name == name))
    assert found is not None, name
    return found


def enterprise(ctx: Ctx, uscc: str) -> int:
    found = ctx.session.scalar(select(Enterprise.id).where(Enterprise.uscc == uscc))
    assert found is not None, uscc
    return found


def register(ctx: Ctx, **overrides: Any) -> Problem:
    fields: dict[str, Any] = {
        "title": "测试问题：河道排口污水直排",
        "source": "执法检查",
        "category_code": "6T.black_water",
        "division_code": "320583",
        "found_on": ctx.today,
    }
    fields.update(overrides)
    return actions.do_register_problem(ctx, ProblemCreate(**fields))


def dispatch(
    ctx: Ctx,
    problem_id: int,
    lead: str = "昆山市环保局",
    co: tuple[str, ...] = (),
    due: date | None = None,
) -> list[Assignment]:
    return actions.do_dispatch(
        ctx,
        problem_id,
        AssignmentSpec(organization_id=org(ctx, lead), due_date=due),
        [AssignmentSpec(organization_id=org(ctx, n)) for n in co],
    )
