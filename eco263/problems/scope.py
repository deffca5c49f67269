"""Who may read which problem, and the one deadline a reader sees on a problem.

*One meaning for every deadline on screen*: the deadline that drives a row's 期限, 剩余工作日,
its 临期/逾期 badge, the ledger's 临期/逾期 filters and the dashboard's cards is the nearest
deadline among the problem's **open** assignments (each unit's own), and, for a department,
among its **own** open assignments only; a problem not yet dispatched keeps its own deadline.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, false, func, select, true
from sqlalchemy.orm import Session, aliased

from eco263.actor import Actor, Role
from eco263.problems.enums import AssignmentState
from eco263.problems.models import Assignment, Problem
from eco263.registry.models import Organization
from eco263.registry.service import in_jurisdiction

_DONE = AssignmentState.VERIFIED.value


def problem_filter(actor: Actor) -> ColumnElement[bool]:
    """The WHERE clause that limits problems to what ``actor`` may read.

    Every read of the ledger goes through it, so a route cannot forget the scope: an
    enterprise reads its own problems, a department the problems it has a task in, an
    office, the 纪委 and a leader their division subtree.
    """
    if actor.is_system:
        return true()
    if actor.role == Role.ENTERPRISE:
        if actor.enterprise_id is None:
            return false()
        return Problem.enterprise_id == actor.enterprise_id
    if actor.role == Role.DEPARTMENT:
        if actor.organization_id is None:
            return false()
        theirs = aliased(Assignment)
        return Problem.id.in_(
            select(theirs.problem_id).where(theirs.organization_id == actor.organization_id)
        )
    return in_jurisdiction(actor, Problem.division_code)


def _own_tasks(actor: Actor) -> bool:
    return actor.role == Role.DEPARTMENT and not actor.is_system


def nearest_due(actor: Actor) -> ColumnElement[Any]:
    """The reader's deadline of a problem row (see the module's note), as a SQL expression.

    NULL for a department none of whose own tasks is open: its part is done, nothing of
    that problem is due for it.
    """
    a = aliased(Assignment)
    query = select(func.min(a.due_date)).where(a.problem_id == Problem.id, a.state != _DONE)
    if _own_tasks(actor):
        return query.where(a.organization_id == actor.organization_id).scalar_subquery()
    # Not yet dispatched (or every unit done, the problem then closed): its own deadline.
    return func.coalesce(query.scalar_subquery(), Problem.due_date)


def row_units(
    session: Session, actor: Actor, problem_ids: Iterable[int]
) -> tuple[dict[int, str], dict[int, tuple[date, str]]]:
    """For ledger rows, in one statement: problem id → its lead unit's name (牵头单位), and
    problem id → (deadline, unit name) of its nearest open assignment as the reader sees it
    (a department: its own)."""
    wanted = sorted(set(problem_ids))
    if not wanted:
        return {}, {}
    rows = session.execute(
        select(
            Assignment.problem_id,
            Assignment.is_lead,
            Assignment.state,
            Assignment.due_date,
            Assignment.organization_id,
            Organization.name,
        )
        .join(Organization, Organization.id == Assignment.organization_id)
        .where(Assignment.problem_id.in_(wanted))
        .order_by(Assignment.due_date, Assignment.id)
    )
    leads: dict[int, str] = {}
    nearest: dict[int, tuple[date, str]] = {}
    own = actor.organization_id if _own_tasks(actor) else None
    for pid, is_lead, state, due, org, name in rows:
        if is_lead:
            leads[pid] = name
        if state != _DONE and (own is None or org == own):
            nearest.setdefault(pid, (due, name))
    return leads, nearest
