"""交办: a problem goes to a lead unit and co-units, each with its own deadline."""

from __future__ import annotations

from eco263.context import Ctx
from eco263.deadlines import Due, explicit_due
from eco263.errors import Conflict, InvalidInput
from eco263.problems import service
from eco263.problems.actions._common import (
    assignment_facts,
    assignment_snapshot,
    bump_problem,
    check_problem_move,
    derived_state,
    require_office,
)
from eco263.problems.enums import AssignmentState, AuditAction, Move
from eco263.problems.events import AssignmentsDispatched
from eco263.problems.models import Assignment, Problem
from eco263.problems.schemas import AssignmentSpec
from eco263.registry import service as registry
from eco263.registry.enums import ASSIGNABLE_KINDS


def do_dispatch(
    ctx: Ctx,
    problem_id: int,
    lead: AssignmentSpec | None,
    co: list[AssignmentSpec],
    *,
    version: int | None = None,
) -> list[Assignment]:
    """交办: give the problem to a lead unit and co-units, each with its own deadline.

    Dispatching again adds co-units (a problem may need more hands); a problem has
    one lead unit and a unit is never assigned twice to one problem.
    """
    problem = service.get_problem(ctx.session, ctx.actor, problem_id)
    require_office(ctx.actor, Move.DISPATCH)
    check_problem_move(problem, Move.DISPATCH)
    existing = service.assignments_of(ctx.session, problem.id)
    has_lead = any(a.is_lead for a in existing)
    if lead is None and not has_lead:
        raise InvalidInput("首次交办必须指定牵头单位", field="lead")
    if lead is not None and has_lead:
        raise Conflict("该问题已有牵头单位，追加单位请作为协办")
    specs = [(c, False) for c in co]
    if lead is not None:
        specs.insert(0, (lead, True))
    if not specs:
        raise InvalidInput("请至少指定一个承办单位", field="co")
    _check_distinct_units(specs, existing)
    before = problem.state
    created = [_new_assignment(ctx, problem, spec, is_lead) for spec, is_lead in specs]
    bump_problem(ctx.session, problem, version, derived_state(ctx.session, problem.id))
    ctx.audit(
        AuditAction.DISPATCH,
        "problem",
        problem.id,
        {"state": before},
        {"state": problem.state, "assignments": [assignment_snapshot(a) for a in created]},
    )
    ctx.announce(
        AssignmentsDispatched(
            problem.id,
            problem.title,
            tuple(assignment_facts(a) for a in created),
            tuple(a.due_date for a in created),
        )
    )
    return created


def _check_distinct_units(
    specs: list[tuple[AssignmentSpec, bool]], existing: list[Assignment]
) -> None:
    seen = {a.organization_id for a in existing}
    for spec, _ in specs:
        if spec.organization_id in seen:
            raise Conflict(f"单位 {spec.organization_id} 已承办该问题")
        seen.add(spec.organization_id)


def _new_assignment(ctx: Ctx, problem: Problem, spec: AssignmentSpec, is_lead: bool) -> Assignment:
    org = registry.organization_in_scope(ctx.session, ctx.actor, spec.organization_id)
    if org.kind not in ASSIGNABLE_KINDS:
        raise InvalidInput(f"{org.name}不承办整改任务", field="organization_id")
    if spec.due_date is not None:
        try:
            deadline = explicit_due(spec.due_date, ctx.today, "交办时指定")
        except ValueError as exc:
            raise InvalidInput(str(exc), field="due_date") from exc
        if spec.due_date > problem.due_date:
            raise InvalidInput(
                f"{org.name}的整改期限 {spec.due_date.isoformat()} 晚于问题期限"
                f" {problem.due_date.isoformat()}：单位期限不得晚于问题期限",
                field="due_date",
            )
    else:
        deadline = Due(problem.due_date, problem.due_reason, problem.due_rule, problem.due_start)
    assignment = Assignment(
        problem_id=problem.id,
        organization_id=org.id,
        is_lead=is_lead,
        state=AssignmentState.ASSIGNED.value,
        due_date=deadline.due,
        due_reason=deadline.reason,
        due_rule=deadline.rule,
        due_start=deadline.start,
        escalation=0,
        returned_count=0,
        extension_count=0,
        assigned_at=ctx.now,
        version=1,
    )
    ctx.session.add(assignment)
    ctx.session.flush()
    return assignment
