"""Helpers shared by the ledger's actions: role and state guards, optimistic bumps, snapshots."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from eco263.actor import Actor
from eco263.auth.service import organizations_with_accounts
from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden, InvalidInput
from eco263.problems import rules, service
from eco263.problems.enums import MOVE_LABELS, AssignmentState, Move, ProblemState
from eco263.problems.events import AssignmentFacts
from eco263.problems.models import Assignment, Problem
from eco263.problems.schemas import OnBehalfIn


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


# -- separation of duties ----------------------------------------------------------------------


def work_record(session: Session, assignment: Assignment) -> rules.WorkRecord:
    """Who has done the assignment's unit-side work, and whether the unit can act itself."""
    unit = assignment.organization_id
    return rules.WorkRecord(
        organization_id=unit,
        unit_has_accounts=unit in organizations_with_accounts(session, [unit]),
        submitted_by=assignment.submitted_by,
        submitted_by_org=assignment.submitted_by_org_id,
    )


def on_behalf_record(
    ctx: Ctx, assignment: Assignment, work: rules.WorkRecord, on_behalf: OnBehalfIn | None
) -> dict[str, object] | None:
    """Check a unit's move (签收, 提交, 申请延期) made by this actor; the 代办 record if it is one.

    An office may act for a unit only when the unit has no account (403 otherwise), and only
    with the reason and a piece of evidence already attached to this problem (422 otherwise).
    Someone acting for their own unit gives no 代办 details (422).
    """
    refusal = rules.proxy_refusal(ctx.actor, work, explained=on_behalf is not None)
    if refusal is not None:
        if work.unit_has_accounts:
            raise Forbidden(refusal)
        raise InvalidInput(refusal, field="on_behalf")
    if ctx.actor.is_system or not rules.acts_for_unit(ctx.actor, work.organization_id):
        if on_behalf is not None:
            raise InvalidInput("本单位办理，无需填写代办信息", field="on_behalf")
        return None
    assert on_behalf is not None  # noqa: S101 - proxy_refusal demands it for 代办
    evidence = service.get_attachment(ctx.session, ctx.actor, on_behalf.attachment_id)
    if evidence.problem_id != assignment.problem_id:
        raise InvalidInput("证明材料须是本问题的附件", field="on_behalf.attachment_id")
    return {
        "organization_id": work.organization_id,
        "reason": on_behalf.reason.strip(),
        "attachment_id": evidence.id,
        "attachment_sha256": evidence.sha256,
    }


def mark_proxied(session: Session, assignment: Assignment) -> None:
    """Flag the assignment and its problem: a step was done by 代办 (the ledger shows it)."""
    assignment.proxied = True
    session.execute(
        update(Problem)
        .where(Problem.id == assignment.problem_id)
        .values(proxied=True)
        .execution_options(synchronize_session=False)
    )
