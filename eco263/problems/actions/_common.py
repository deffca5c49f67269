"""Helpers shared by the ledger's actions: role and state guards, optimistic bumps, snapshots."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from eco263.actor import Actor
from eco263.errors import Conflict, Forbidden
from eco263.problems import rules
from eco263.problems.enums import MOVE_LABELS, AssignmentState, Move, ProblemState
from eco263.problems.events import AssignmentFacts
from eco263.problems.models import Assignment, Problem


def require_office(actor: Actor, move: Move) -> None:
    if not rules.may_make(actor, move):
        raise Forbidden(f"当前角色无权执行“{MOVE_LABELS[move]}”")


def check_problem_move(problem: Problem, move: Move) -> None:
    allowed = rules.PROBLEM_MOVES[ProblemState(problem.state)]
    if move not in allowed:
        names = "、".join(MOVE_LABELS[m] for m in sorted(allowed)) or "无"
        raise Conflict(
            f"问题当前状态不能“{MOVE_LABELS[move]}”；可执行：{names}",
            allowed=sorted(m.value for m in allowed),
        )


def derived_state(session: Session, problem_id: int) -> str:
    states = session.scalars(select(Assignment.state).where(Assignment.problem_id == problem_id))
    return rules.derive_problem_state(AssignmentState(s) for s in states).value


def bump_problem(session: Session, problem: Problem, version: int | None, state: str) -> None:
    expected = problem.version if version is None else version
    result = session.execute(
        update(Problem)
        .where(Problem.id == problem.id, Problem.version == expected)
        .values(state=state, version=Problem.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("该问题已被他人更新，请刷新后重试", current_version=problem.version)
    session.refresh(problem)


def assignment_facts(assignment: Assignment) -> AssignmentFacts:
    return AssignmentFacts(assignment.id, assignment.problem_id, assignment.organization_id)


def snapshot(problem: Problem) -> dict[str, object]:
    return {
        "title": problem.title,
        "source": problem.source,
        "category_code": problem.category_code,
        "division_code": problem.division_code,
        "enterprise_id": problem.enterprise_id,
        "water_body": problem.water_body,
        "found_on": problem.found_on,
        "state": problem.state,
        "due_date": problem.due_date,
        "due_reason": problem.due_reason,
        "possible_duplicate_of_id": problem.possible_duplicate_of_id,
    }


def assignment_snapshot(a: Assignment) -> dict[str, object]:
    return {
        "assignment_id": a.id,
        "organization_id": a.organization_id,
        "is_lead": a.is_lead,
        "due_date": a.due_date,
        "due_reason": a.due_reason,
    }
