"""Turn ledger rows into response schemas (shared by the API and the pages)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from eco263.actor import Actor
from eco263.auth.service import organizations_with_accounts
from eco263.context import Ctx
from eco263.problems import rules, service
from eco263.problems.enums import ESCALATION_LABELS, AssignmentState, Escalation, Move
from eco263.problems.models import Assignment, Problem
from eco263.problems.schemas import AssignmentOut, ProblemDetail, ProblemOut
from eco263.registry.service import organization_names
from eco263.workdays import CalendarRangeError


def problem_out(problem: Problem) -> ProblemOut:
    return ProblemOut.model_validate(problem)


def assignment_out(
    ctx: Ctx, a: Assignment, org_name: str, *, units_with_accounts: set[int] | None = None
) -> AssignmentOut:
    """The assignment as this actor sees it: the moves it may make now, and whether it would
    make the unit's moves as 代办 (``units_with_accounts``: read once per problem)."""
    if units_with_accounts is None:
        units_with_accounts = organizations_with_accounts(ctx.session, [a.organization_id])
    work = rules.WorkRecord(
        organization_id=a.organization_id,
        unit_has_accounts=a.organization_id in units_with_accounts,
        submitted_by=a.submitted_by,
        submitted_by_org=a.submitted_by_org_id,
    )
    out = AssignmentOut.model_validate(a)
    out.organization_name = org_name
    out.escalation_label = ESCALATION_LABELS[Escalation(a.escalation)]
    moves = rules.allowed_moves(ctx.actor, AssignmentState(a.state), work)
    out.allowed_moves = [m.value for m in moves]
    out.on_behalf = not ctx.actor.is_system and rules.acts_for_unit(ctx.actor, a.organization_id)
    out.may_request_extension = (
        a.state != AssignmentState.VERIFIED.value
        and rules.may_make(ctx.actor, Move.SUBMIT, assignee_org_id=a.organization_id)
        and rules.proxy_refusal(ctx.actor, work, explained=True) is None
    )
    out.may_urge = rules.may_urge(ctx.actor, a.organization_id, AssignmentState(a.state))
    if a.state != AssignmentState.VERIFIED.value:
        try:
            out.workdays_left = ctx.calendar.workdays_between(ctx.today, a.due_date)
        except CalendarRangeError:
            out.workdays_left = None
    return out


def problem_detail(ctx: Ctx, problem: Problem) -> ProblemDetail:
    assignments = service.assignments_of(ctx.session, problem.id)
    units = {a.organization_id for a in assignments}
    names = organization_names(ctx.session, units)
    with_accounts = organizations_with_accounts(ctx.session, units)
    base = ProblemOut.model_validate(problem).model_dump()
    return ProblemDetail(
        **base,
        assignments=[
            assignment_out(
                ctx, a, names.get(a.organization_id, ""), units_with_accounts=with_accounts
            )
            for a in assignments
        ],
    )


def visible(session: Session, actor: Actor, problem_id: int) -> Problem:
    return service.get_problem(session, actor, problem_id)
