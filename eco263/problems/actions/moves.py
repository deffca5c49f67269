"""签收 / 提交整改 / 核查通过 / 退回 on one assignment; the problem state follows."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from eco263.actor import Actor
from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden, InvalidInput
from eco263.problems import rules, service
from eco263.problems.actions._common import (
    assignment_facts,
    bump_problem,
    derived_state,
    mark_proxied,
    on_behalf_record,
    work_record,
)
from eco263.problems.enums import MOVE_ACTIONS, MOVE_LABELS, AssignmentState, Move, ProblemState
from eco263.problems.events import RectificationReturned
from eco263.problems.models import Assignment, Problem
from eco263.problems.schemas import OnBehalfIn


def do_move(
    ctx: Ctx,
    assignment_id: int,
    move: Move,
    *,
    note: str = "",
    version: int | None = None,
    on_behalf: OnBehalfIn | None = None,
) -> Assignment:
    """签收 / 提交整改 / 核查通过 / 退回 on one assignment; the problem state follows.

    Separation of duties: a unit's move made by an office is 代办 (``on_behalf``: only for
    a unit without an account, with reason and evidence, marked on the record); whoever
    submitted — and the office that submitted for the unit — never verifies or returns.
    The update is conditional on the state and version read, so of two concurrent moves on
    the same row exactly one wins; the other gets 409.
    """
    assignment = service.get_assignment(ctx.session, ctx.actor, assignment_id)
    state = AssignmentState(assignment.state)
    work = work_record(ctx.session, assignment)
    target = rules.next_assignment_state(state, move)
    if target is None:
        raise _illegal(ctx.actor, state, move, work)
    if not rules.may_make(ctx.actor, move, assignee_org_id=assignment.organization_id):
        raise Forbidden(f"当前角色无权执行“{MOVE_LABELS[move]}”")
    conflict = rules.duty_conflict(ctx.actor, move, work)
    if conflict is not None:
        raise Forbidden(conflict)
    proxy = None
    if move in rules.ASSIGNEE_MOVES:
        proxy = on_behalf_record(ctx, assignment, work, on_behalf)
    elif on_behalf is not None:
        raise InvalidInput("核查、退回不能代办", field="on_behalf")
    if move in (Move.SUBMIT, Move.RETURN) and not note.strip():
        raise InvalidInput("请填写整改情况或退回理由", field="note")
    _claim(ctx.session, assignment, state, target, version)
    _stamp(ctx, assignment, move, note.strip())
    if proxy is not None:
        mark_proxied(ctx.session, assignment)
    problem = ctx.session.get_one(Problem, assignment.problem_id)
    before_problem = problem.state
    bump_problem(ctx.session, problem, None, derived_state(ctx.session, problem.id))
    if problem.state == ProblemState.CLOSED.value:
        problem.closed_at = ctx.now
    ctx.audit(
        MOVE_ACTIONS[move],
        "problem",
        problem.id,
        {"assignment_id": assignment.id, "state": state.value, "problem_state": before_problem},
        {
            "assignment_id": assignment.id,
            "state": target.value,
            "problem_state": problem.state,
            "note": note.strip(),
            **({"on_behalf": proxy} if proxy else {}),
        },
    )
    if move == Move.RETURN:
        ctx.announce(RectificationReturned(assignment_facts(assignment), assignment.returned_count))
    return assignment


def _illegal(actor: Actor, state: AssignmentState, move: Move, work: rules.WorkRecord) -> Conflict:
    legal = rules.legal_assignment_moves(state)
    names = "、".join(f"{MOVE_LABELS[m]}({m.value})" for m in legal) or "无（已办结）"
    return Conflict(
        f"当前状态不能“{MOVE_LABELS[move]}”；可执行：{names}",
        allowed=[m.value for m in legal],
        allowed_for_you=[m.value for m in rules.allowed_moves(actor, state, work)],
    )


def _claim(
    session: Session,
    assignment: Assignment,
    state: AssignmentState,
    target: AssignmentState,
    version: int | None,
) -> None:
    expected = assignment.version if version is None else version
    result = session.execute(
        update(Assignment)
        .where(
            Assignment.id == assignment.id,
            Assignment.version == expected,
            Assignment.state == state.value,
        )
        .values(state=target.value, version=Assignment.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("该事项已被他人更新，请刷新后重试", current_version=assignment.version)
    session.refresh(assignment)


def _stamp(ctx: Ctx, assignment: Assignment, move: Move, note: str) -> None:
    if move == Move.SUBMIT:
        assignment.rectification_note = note
    elif move in (Move.VERIFY, Move.RETURN) and note:
        assignment.review_note = note
    if move == Move.ACCEPT:
        assignment.accepted_at = ctx.now
        assignment.accepted_by = ctx.actor.user_id
    elif move == Move.SUBMIT:
        assignment.submitted_at = ctx.now
        assignment.submitted_by = ctx.actor.user_id
        assignment.submitted_by_org_id = ctx.actor.organization_id
    elif move == Move.VERIFY:
        assignment.verified_at = ctx.now
    elif move == Move.RETURN:
        assignment.returned_count += 1
        assignment.submitted_at = None
