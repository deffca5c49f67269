"""Build ledger rows through the real actions (Zulip: set up data as users would)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from eco263.auth.actions import do_create_user
from eco263.auth.models import User
from eco263.context import Ctx
from eco263.problems import actions
from eco263.problems.enums import Move
from eco263.problems.models import Assignment, Problem
from eco263.problems.schemas import AssignmentSpec, OnBehalfIn, ProblemCreate
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


PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
PROXY_REASON = "该单位未开通账号，凭其书面整改报告代办"


def evidence(ctx: Ctx, problem_id: int, assignment_id: int | None = None) -> int:
    """A small photo attached to the problem, as the office would upload it."""
    attachment = actions.do_attach_evidence(
        ctx, problem_id, filename="书面材料.png", data=PNG, assignment_id=assignment_id
    )
    return attachment.id


def on_behalf(ctx: Ctx, problem_id: int, reason: str = PROXY_REASON) -> OnBehalfIn:
    """代办 details for an office acting for a unit without an account."""
    return OnBehalfIn(reason=reason, attachment_id=evidence(ctx, problem_id))


def unit_username(ctx: Ctx, org_name: str) -> str:
    """The login of a unit's own user (the unit acts itself)."""
    found = ctx.session.scalar(
        select(User.username).where(User.organization_id == org(ctx, org_name), User.active)
    )
    assert found is not None, org_name
    return found


def work(
    as_user: Any,
    assignment_id: int,
    *moves: Move,
    office: str = "city",
    note: str = "已整改",
    at: datetime | None = None,
) -> None:
    """Make moves as the people who may: the unit's own user accepts and submits (or, for a
    unit without an account, the office as 代办), the office verifies or returns."""
    with as_user(office) as ctx:
        unit = ctx.session.get_one(Assignment, assignment_id).organization_id
        own = ctx.session.scalar(
            select(User.username).where(User.organization_id == unit, User.active)
        )
    for move in moves:
        acts_for_unit = move in (Move.ACCEPT, Move.SUBMIT)
        who = (own or office) if acts_for_unit else office
        with as_user(who, at) as ctx:
            proxy = None
            if acts_for_unit and own is None:
                problem_id = ctx.session.get_one(Assignment, assignment_id).problem_id
                proxy = on_behalf(ctx, problem_id)
            actions.do_move(ctx, assignment_id, move, note=note, on_behalf=proxy)


def give_account(as_user: Any, org_name: str, username: str) -> str:
    """Open an account for a unit (a department user), so that it acts itself."""
    with as_user("city") as ctx:
        if ctx.session.scalar(select(User.id).where(User.username == username)) is not None:
            return username
        unit = ctx.session.get_one(Organization, org(ctx, org_name))
        do_create_user(
            ctx.session,
            ctx.actor,
            username=username,
            password="eco263demo",
            display_name=f"{org_name} 经办人",
            role="department",
            division_code=unit.division_code,
            organization_id=unit.id,
            now=ctx.now,
        )
    return username
