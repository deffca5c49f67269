"""期限重算: when the calendar changes, every open deadline computed by a catalogue rule is
computed again; each one that moves is changed on the record (old and new date, the reason).

The calendar changes when a new year's holidays are added, the provisional year is confirmed,
or the office edits its holiday file (``ECO263_HOLIDAYS_FILE``).  Dates set by hand and approved
extensions keep no rule and never move.  Run by ``eco263 workdays recompute``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, select, update

from eco263.context import Change, Ctx
from eco263.deadlines import Catalogue, load_catalogue
from eco263.errors import Forbidden
from eco263.problems import rules
from eco263.problems.enums import AssignmentState, AuditAction
from eco263.problems.models import Assignment, Problem

RECOMPUTE_REASON = "节假日安排变更，按当前日历重算"
BATCH = 1000


@dataclass(frozen=True, slots=True)
class Moved:
    problem_id: int
    assignment_id: int | None  # None: the problem's own deadline
    old: date
    new: date
    reason: str


def do_recompute_deadlines(ctx: Ctx, *, dry_run: bool = False) -> list[Moved]:
    """Recompute the open deadlines that have a rule; change (and audit) those that move.

    Idempotent: a second run with the same calendar moves nothing.  With ``dry_run`` nothing
    is written and the list says what would move.
    """
    if not ctx.actor.is_system:
        raise Forbidden("期限重算由系统管理员在命令行执行")
    catalogue = load_catalogue(ctx.settings.deadline_rules_file)
    moved = [*_problems(ctx, catalogue), *_assignments(ctx, catalogue)]
    if moved and not dry_run:
        _write(ctx, moved)
    return moved


def _open_problems(ctx: Ctx) -> Iterator[Any]:
    query = (
        select(Problem.id, Problem.source, Problem.due_date, Problem.due_rule, Problem.due_start)
        .where(
            Problem.due_rule.is_not(None),
            Problem.state.in_([s.value for s in rules.OPEN_PROBLEM_STATES]),
        )
        .order_by(Problem.id)
    )
    yield from ctx.session.execute(query.execution_options(yield_per=BATCH))


def _problems(ctx: Ctx, catalogue: Catalogue) -> list[Moved]:
    out = []
    for row in _open_problems(ctx):
        due = catalogue.due(
            row.due_rule, row.due_start, ctx.calendar, label=_label(row.due_rule, row.source)
        )
        if due.due != row.due_date:
            out.append(Moved(row.id, None, row.due_date, due.due, due.reason))
    return out


def _assignments(ctx: Ctx, catalogue: Catalogue) -> list[Moved]:
    query = (
        select(
            Assignment.id,
            Assignment.problem_id,
            Assignment.due_date,
            Assignment.due_rule,
            Assignment.due_start,
            Problem.source,
        )
        .join(Problem, Problem.id == Assignment.problem_id)
        .where(
            Assignment.due_rule.is_not(None),
            Assignment.state != AssignmentState.VERIFIED.value,
        )
        .order_by(Assignment.id)
    )
    out = []
    for row in ctx.session.execute(query.execution_options(yield_per=BATCH)):
        due = catalogue.due(
            row.due_rule, row.due_start, ctx.calendar, label=_label(row.due_rule, row.source)
        )
        if due.due != row.due_date:
            out.append(Moved(row.problem_id, row.id, row.due_date, due.due, due.reason))
    return out


def _label(rule: str, source: str) -> str | None:
    """A default rule names the problem's source in the reason, as when it was computed."""
    return source if rule == rules.LEDGER_DEFAULT else None


def _write(ctx: Ctx, moved: Sequence[Moved]) -> None:
    problems = [m for m in moved if m.assignment_id is None]
    units = [m for m in moved if m.assignment_id is not None]
    if problems:
        ctx.session.execute(
            update(Problem),
            [{"id": m.problem_id, "due_date": m.new, "due_reason": m.reason} for m in problems],
        )
    policy = rules.load_escalation_policy()
    for m in units:
        level = int(rules.escalation_level(m.new, ctx.today, ctx.calendar, policy))
        ctx.session.execute(
            update(Assignment)
            .where(Assignment.id == m.assignment_id)
            .values(
                due_date=m.new,
                due_reason=m.reason,
                escalation=_lowered(Assignment.escalation, level),
                version=Assignment.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
    ctx.audit_many([_change(ctx, m) for m in moved])


def _lowered(current: Any, level: int) -> Any:
    """A later deadline lowers the escalation it no longer reaches; an earlier one is the
    sweep's to raise (with its red card and clue), not this recompute's."""
    return case((current > level, level), else_=current)


def _change(ctx: Ctx, m: Moved) -> Change:
    key = {"assignment_id": m.assignment_id} if m.assignment_id is not None else {}
    return ctx.change(
        AuditAction.DEADLINE_RECOMPUTE,
        "problem",
        m.problem_id,
        {**key, "due_date": m.old},
        {**key, "due_date": m.new, "due_reason": m.reason, "why": RECOMPUTE_REASON},
    )
