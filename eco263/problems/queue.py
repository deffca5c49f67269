"""What waits for a reader in the ledger (the 待办 workbench's problems source).

A department: its own assignments to sign for (待签收) and to rectify (待整改); an office:
rectifications to verify (待核查) and extension requests to decide (延期待批) in its area.
Every read goes through :func:`eco263.problems.scope.problem_filter`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from eco263.actor import Actor, Role
from eco263.problems.enums import AssignmentState, ExtensionState
from eco263.problems.models import Assignment, ExtensionRequest, Problem
from eco263.problems.scope import problem_filter


@dataclass(frozen=True, slots=True)
class Waiting:
    kind: str  # 待签收 / 待整改 / 待核查 / 延期待批
    problem_id: int
    title: str
    due_date: date
    urge_count: int = 0  # 催办 so far on the assignment (0 for an extension request)


def waiting_for(session: Session, actor: Actor, limit: int = 200) -> list[Waiting]:
    """The ledger's items waiting for ``actor``, by deadline (the nearest first)."""
    if actor.role == Role.DEPARTMENT and actor.organization_id is not None:
        wanted = {
            AssignmentState.ASSIGNED.value: "待签收",
            AssignmentState.RECTIFYING.value: "待整改",
        }
        mine = Assignment.organization_id == actor.organization_id
    elif actor.is_office:
        wanted = {AssignmentState.VERIFYING.value: "待核查"}
        mine = problem_filter(actor)
    else:
        return []
    rows = session.execute(
        select(
            Assignment.state, Problem.id, Problem.title, Assignment.due_date, Assignment.urge_count
        )
        .join(Problem, Problem.id == Assignment.problem_id)
        .where(Assignment.state.in_(list(wanted)), mine, problem_filter(actor))
        .order_by(Assignment.due_date, Assignment.id)
        .limit(limit)
    )
    items = [Waiting(wanted[s], pid, title, due, n or 0) for s, pid, title, due, n in rows]
    if actor.is_office:
        pending = session.execute(
            select(Problem.id, Problem.title, ExtensionRequest.requested_due)
            .join(Assignment, Assignment.id == ExtensionRequest.assignment_id)
            .join(Problem, Problem.id == Assignment.problem_id)
            .where(ExtensionRequest.state == ExtensionState.PENDING.value, problem_filter(actor))
            .order_by(ExtensionRequest.id)
            .limit(limit)
        )
        items += [Waiting("延期待批", pid, title, due) for pid, title, due in pending]
    return sorted(items, key=lambda w: (w.due_date, w.problem_id))
