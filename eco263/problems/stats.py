"""The dashboard's per-division figures, counted by the deadline each reader sees.

Open, 临期 and 逾期 use :func:`eco263.problems.scope.nearest_due` (each unit's own deadline;
a department's own tasks), exactly as the ledger's filters do: a card equals its list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, and_, cast, func, select
from sqlalchemy.orm import Session

from eco263.actor import Actor
from eco263.problems.enums import ProblemState
from eco263.problems.models import Problem
from eco263.problems.rules import OPEN_PROBLEM_STATES
from eco263.problems.scope import nearest_due, problem_filter


@dataclass(frozen=True, slots=True)
class DivisionStats:
    """The dashboard's figures for one division, within the actor's scope."""

    division_code: str
    open: int = 0
    due_soon: int = 0
    overdue: int = 0
    closed: int = 0
    closed_on_time: int = 0
    closed_this_month: int = 0

    @property
    def on_time_rate(self) -> float | None:
        """按期办结率: closed by the deadline (local date) over closed; None when none closed."""
        return self.closed_on_time / self.closed if self.closed else None


def month_start(now: datetime, timezone: str) -> datetime:
    """The instant the office's current month began (本月: the card and its list)."""
    tz = ZoneInfo(timezone)
    local = now.astimezone(tz)
    return datetime.combine(local.date().replace(day=1), time(0), tzinfo=tz)


def _local_day(session: Session, column: Any, timezone: str, at: datetime) -> Any:
    """The office's local calendar date of a UTC timestamp column, on either backend."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(timezone, column), Date)
    offset = at.astimezone(ZoneInfo(timezone)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    return func.date(column, f"{minutes:+d} minutes")  # SQLite keeps naive UTC text


def division_stats(
    session: Session,
    actor: Actor,
    *,
    now: datetime,
    today: date,
    due_soon_until: date,
    month_start: datetime,
    timezone: str,
) -> list[DivisionStats]:
    """Open, due-soon, overdue and closed counts per division, in one grouped statement.

    ``month_start`` is the instant the local month began (本月销号); "on time" compares the
    local date of closure with the problem's deadline.

    Grouped by (division, state) with ``FILTER`` counts and summed per division here.  临期
    and 逾期 read each open row's nearest unit deadline (a correlated lookup on
    ``assignment.problem_id``, open rows only), so the statement is no longer the index-only
    scan of ``ix_problem_stats`` it was when the problem's own deadline was counted: one
    meaning for a deadline costs that lookup per open problem.
    """
    closed_day = _local_day(session, Problem.closed_at, timezone, now)
    is_open = Problem.state.in_([s.value for s in OPEN_PROBLEM_STATES])
    due = nearest_due(actor)
    rows = session.execute(
        select(
            Problem.division_code,
            Problem.state,
            func.count(),
            func.count().filter(and_(is_open, due >= today, due <= due_soon_until)),
            func.count().filter(and_(is_open, due < today)),
            func.count().filter(closed_day <= Problem.due_date),
            func.count().filter(Problem.closed_at >= month_start),
        )
        .where(problem_filter(actor))
        .group_by(Problem.division_code, Problem.state)
    )
    open_states = {s.value for s in OPEN_PROBLEM_STATES}
    closed = ProblemState.CLOSED.value
    totals: dict[str, list[int]] = {}
    for code, state, n, due_soon, overdue, on_time, this_month in rows:
        t = totals.setdefault(str(code), [0] * 6)
        if state in open_states:
            t[0] += int(n)
            t[1] += int(due_soon)
            t[2] += int(overdue)
        elif state == closed:
            t[3] += int(n)
            t[4] += int(on_time)
            t[5] += int(this_month)
    return [DivisionStats(code, *t) for code, t in sorted(totals.items())]
