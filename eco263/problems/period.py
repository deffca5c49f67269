"""Ledger reads for a period (the 263 assessment's sources): the problems due, found or
escalated in a date range, in the reader's scope, as light rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from eco263.actor import Actor
from eco263.problems.enums import ProblemState
from eco263.problems.models import Problem
from eco263.problems.service import problem_filter


@dataclass(frozen=True, slots=True)
class PeriodProblem:
    id: int
    title: str
    division_code: str
    source: str
    state: str
    found_on: date
    due_date: date
    closed_at: datetime | None
    escalation: int


def period_problems(session: Session, actor: Actor, start: date, end: date) -> list[PeriodProblem]:
    """Problems due or found in [start, end] (merged duplicates left out), by id."""
    query = (
        select(
            Problem.id,
            Problem.title,
            Problem.division_code,
            Problem.source,
            Problem.state,
            Problem.found_on,
            Problem.due_date,
            Problem.closed_at,
            Problem.escalation,
        )
        .where(
            problem_filter(actor),
            Problem.state != ProblemState.MERGED.value,
            or_(
                Problem.due_date.between(start, end),
                Problem.found_on.between(start, end),
            ),
        )
        .order_by(Problem.id)
    )
    return [PeriodProblem(*row) for row in session.execute(query)]
