"""Reads of the ledger, always through the actor's scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from eco263.auth.scope import Actor, problem_filter
from eco263.errors import NotFound
from eco263.problems.enums import ProblemState
from eco263.problems.models import Assignment, ExtensionRequest, Problem
from eco263.problems.rules import OPEN_PROBLEM_STATES
from eco263.registry.models import Division


@dataclass(slots=True)
class ProblemFilters:
    """What a ledger list can be narrowed by; every field optional."""

    division: str | None = None
    states: list[str] = field(default_factory=list)
    source: str | None = None
    category: str | None = None
    overdue: bool = False
    due_soon_until: date | None = None
    text: str | None = None
    enterprise_id: int | None = None


def get_problem(session: Session, actor: Actor, problem_id: int) -> Problem:
    """The problem if it exists *and* the actor may read it; otherwise NotFound (404)."""
    problem = session.scalar(select(Problem).where(Problem.id == problem_id, problem_filter(actor)))
    if problem is None:
        raise NotFound("问题")
    return problem


def get_assignment(session: Session, actor: Actor, assignment_id: int) -> Assignment:
    row = session.execute(
        select(Assignment)
        .join(Problem, Problem.id == Assignment.problem_id)
        .where(Assignment.id == assignment_id, problem_filter(actor))
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("交办事项")
    return row


def assignments_of(session: Session, problem_id: int) -> list[Assignment]:
    return list(
        session.scalars(
            select(Assignment)
            .where(Assignment.problem_id == problem_id)
            .order_by(Assignment.is_lead.desc(), Assignment.id)
        )
    )


def extensions_of(session: Session, problem_id: int) -> list[ExtensionRequest]:
    return list(
        session.scalars(
            select(ExtensionRequest)
            .join(Assignment, Assignment.id == ExtensionRequest.assignment_id)
            .where(Assignment.problem_id == problem_id)
            .order_by(ExtensionRequest.id)
        )
    )


def filtered_query(actor: Actor, filters: ProblemFilters, today: date) -> Select[Problem]:
    """The scoped, filtered SELECT behind the list, the export and the dashboard."""
    conditions: list[ColumnElement[bool]] = [problem_filter(actor)]
    if filters.division:
        prefix = select(Division.path).where(Division.code == filters.division).scalar_subquery()
        subtree = select(Division.code).where(Division.path.startswith(prefix))
        conditions.append(Problem.division_code.in_(subtree))
    if filters.states:
        conditions.append(Problem.state.in_(filters.states))
    if filters.source:
        conditions.append(Problem.source == filters.source)
    if filters.category:
        conditions.append(
            or_(
                Problem.category_code == filters.category,
                Problem.category_code.startswith(filters.category + "."),
            )
        )
    if filters.enterprise_id is not None:
        conditions.append(Problem.enterprise_id == filters.enterprise_id)
    open_states = [s.value for s in OPEN_PROBLEM_STATES]
    if filters.overdue:
        conditions.append(and_(Problem.state.in_(open_states), Problem.due_date < today))
    if filters.due_soon_until is not None:
        conditions.append(
            and_(
                Problem.state.in_(open_states),
                Problem.due_date >= today,
                Problem.due_date <= filters.due_soon_until,
            )
        )
    if filters.text:
        like = f"%{filters.text.strip()}%"
        conditions.append(
            or_(
                Problem.title.like(like),
                Problem.description.like(like),
                Problem.location.like(like),
                Problem.water_body.like(like),
            )
        )
    return select(Problem).where(*conditions)


def list_problems(
    session: Session,
    actor: Actor,
    filters: ProblemFilters,
    *,
    today: date,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[Problem], int]:
    """One page of the ledger, newest first, and the total count under the same filters."""
    query = filtered_query(actor, filters, today)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = session.scalars(
        query.order_by(Problem.id.desc()).limit(page_size).offset((page - 1) * page_size)
    ).all()
    return list(items), int(total or 0)


def find_open_duplicate(
    session: Session,
    *,
    category_code: str,
    enterprise_id: int | None,
    water_body: str | None,
    exclude_id: int | None = None,
) -> Problem | None:
    """An open problem of the same category on the same enterprise or water body."""
    same_target: list[ColumnElement[bool]] = []
    if enterprise_id is not None:
        same_target.append(Problem.enterprise_id == enterprise_id)
    if water_body and water_body.strip():
        same_target.append(Problem.water_body == water_body.strip())
    if not same_target:
        return None
    query = select(Problem).where(
        Problem.category_code == category_code,
        Problem.state.in_([s.value for s in OPEN_PROBLEM_STATES]),
        or_(*same_target),
    )
    if exclude_id is not None:
        query = query.where(Problem.id != exclude_id)
    return session.scalars(query.order_by(Problem.id).limit(1)).first()


def is_open(problem: Problem) -> bool:
    return ProblemState(problem.state) in OPEN_PROBLEM_STATES
