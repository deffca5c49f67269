"""Turn ledger rows into response schemas (shared by the API and the pages)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from eco263.actor import Actor
from eco263.context import Ctx
from eco263.problems import rules, service
from eco263.problems.enums import ESCALATION_LABELS, AssignmentState, Escalation
from eco263.problems.models import Assignment, Problem
from eco263.problems.schemas import AssignmentOut, ProblemDetail, ProblemOut
from eco263.registry.service import organization_names
from eco263.workdays import CalendarRangeError


def problem_out(problem: Problem) -> ProblemOut:
    return ProblemOut.model_validate(problem)


def assignment_out(ctx: Ctx, a: Assignment, org_name: str) -> AssignmentOut:
    out = AssignmentOut.model_validate(a)
    out.organization_name = org_name
    out.escalation_label = ESCALATION_LABELS[Escalation(a.escalation)]
    out.allowed_moves = [
        m.value for m in rules.allowed_moves(ctx.actor, AssignmentState(a.state), a.organization_id)
    ]
    if a.state != AssignmentState.VERIFIED.value:
        try:
            out.workdays_left = ctx.calendar.workdays_between(ctx.today, a.due_date)
        except CalendarRangeError:
            out.workdays_left = None
    return out


def problem_detail(ctx: Ctx, problem: Problem) -> ProblemDetail:
    assignments = service.assignments_of(ctx.session, problem.id)
    names = organization_names(ctx.session, {a.organization_id for a in assignments})
    base = ProblemOut.model_validate(problem).model_dump()
    return ProblemDetail(
        **base,
        assignments=[assignment_out(ctx, a, names.get(a.organization_id, "")) for a in assignments],
    )


def visible(session: Session, actor: Actor, problem_id: int) -> Problem:
    return service.get_problem(session, actor, problem_id)
