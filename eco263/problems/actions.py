"""Ledger writes (``do_*``): check the rule, change state, audit — one transaction.

Every entry point (REST, pages, CLI, scheduler, monitoring) calls these; none
writes ledger tables itself.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from eco263.auth.scope import Actor
from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden, InvalidInput, NotFound
from eco263.problems import rules, service
from eco263.problems.enums import (
    MOVE_LABELS,
    AssignmentState,
    ExtensionState,
    Move,
    ProblemState,
    Source,
)
from eco263.problems.models import Assignment, ExtensionRequest, Problem
from eco263.problems.schemas import AssignmentSpec, ProblemCreate
from eco263.registry import service as registry
from eco263.registry.models import Organization
from eco263.supervision import actions as clue_rules
from eco263.workdays import CalendarRangeError


def _require_office(actor: Actor, move: Move) -> None:
    if not rules.may_make(actor, move):
        raise Forbidden(f"当前角色无权执行“{MOVE_LABELS[move]}”")


def do_register_problem(ctx: Ctx, data: ProblemCreate) -> Problem:
    """登记: create a ledger entry with its deadline and flag a likely duplicate."""
    _require_office(ctx.actor, Move.DISPATCH)
    source = _parse_source(data.source)
    registry.require_category(data.category_code)
    division = registry.get_division(ctx.session, data.division_code)
    registry.require_in_jurisdiction(ctx.session, ctx.actor, division.code)
    if data.enterprise_id is not None:
        registry.get_enterprise(ctx.session, data.enterprise_id)
    if data.found_on > ctx.today:
        raise InvalidInput("发现日期不能晚于今天", field="found_on")
    deadline = _problem_deadline(ctx, source, data)
    duplicate = service.find_open_duplicate(
        ctx.session,
        category_code=data.category_code,
        enterprise_id=data.enterprise_id,
        water_body=data.water_body,
    )
    problem = Problem(
        title=data.title.strip(),
        description=data.description,
        source=source.value,
        category_code=data.category_code,
        division_code=division.code,
        enterprise_id=data.enterprise_id,
        location=data.location,
        water_body=data.water_body.strip() if data.water_body else None,
        found_on=data.found_on,
        state=ProblemState.REGISTERED.value,
        due_date=deadline.due,
        due_reason=deadline.reason,
        registered_at=ctx.now,
        registered_by=ctx.actor.user_id,
        possible_duplicate_of_id=duplicate.id if duplicate else None,
        escalation=0,
        version=1,
    )
    ctx.session.add(problem)
    ctx.session.flush()
    ctx.audit("problem.register", "problem", problem.id, None, _snapshot(problem))
    clue_rules.do_check_relapse(ctx, problem)  # 假整改: a closed problem back again
    return problem


def _parse_source(text: str) -> Source:
    try:
        return Source(text)
    except ValueError:
        allowed = "、".join(s.value for s in Source)
        raise InvalidInput(f"未知问题来源 {text!r}（可选：{allowed}）", field="source") from None


def _problem_deadline(ctx: Ctx, source: Source, data: ProblemCreate) -> rules.Deadline:
    try:
        if data.due_date is not None:
            return rules.explicit_deadline(data.due_date, ctx.today, "登记时指定")
        return rules.compute_deadline(
            source.value,
            data.found_on,
            ctx.calendar,
            rules.load_deadline_rules(),
            ctx.settings.default_deadline_workdays,
        )
    except CalendarRangeError as exc:
        raise InvalidInput(str(exc), field="due_date") from exc
    except ValueError as exc:
        raise InvalidInput(str(exc), field="due_date") from exc


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
    _require_office(ctx.actor, Move.DISPATCH)
    _check_problem_move(problem, Move.DISPATCH)
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
    _bump_problem(ctx.session, problem, version, _derived_state(ctx.session, problem.id))
    ctx.audit(
        "problem.dispatch",
        "problem",
        problem.id,
        {"state": before},
        {"state": problem.state, "assignments": [_assignment_snapshot(a) for a in created]},
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
    org = ctx.session.get(Organization, spec.organization_id)
    if org is None:
        raise InvalidInput(f"未知单位 {spec.organization_id}", field="organization_id")
    if spec.due_date is not None:
        try:
            deadline = rules.explicit_deadline(spec.due_date, ctx.today, "交办时指定")
        except ValueError as exc:
            raise InvalidInput(str(exc), field="due_date") from exc
    else:
        deadline = rules.Deadline(problem.due_date, problem.due_reason)
    assignment = Assignment(
        problem_id=problem.id,
        organization_id=org.id,
        is_lead=is_lead,
        state=AssignmentState.ASSIGNED.value,
        due_date=deadline.due,
        due_reason=deadline.reason,
        escalation=0,
        returned_count=0,
        extension_count=0,
        assigned_at=ctx.now,
        version=1,
    )
    ctx.session.add(assignment)
    ctx.session.flush()
    return assignment


def do_move(
    ctx: Ctx, assignment_id: int, move: Move, *, note: str = "", version: int | None = None
) -> Assignment:
    """签收 / 提交整改 / 核查通过 / 退回 on one assignment; the problem state follows.

    The update is conditional on the state and version read, so of two
    concurrent moves on the same row exactly one wins; the other gets 409.
    """
    assignment = service.get_assignment(ctx.session, ctx.actor, assignment_id)
    state = AssignmentState(assignment.state)
    target = rules.next_assignment_state(state, move)
    if target is None:
        raise _illegal(ctx.actor, state, move, assignment.organization_id)
    if not rules.may_make(ctx.actor, move, assignee_org_id=assignment.organization_id):
        raise Forbidden(f"当前角色无权执行“{MOVE_LABELS[move]}”")
    if move in (Move.SUBMIT, Move.RETURN) and not note.strip():
        raise InvalidInput("请填写整改情况或退回理由", field="note")
    _claim(ctx.session, assignment, state, target, version)
    _stamp(ctx, assignment, move)
    problem = ctx.session.get_one(Problem, assignment.problem_id)
    before_problem = problem.state
    _bump_problem(ctx.session, problem, None, _derived_state(ctx.session, problem.id))
    if problem.state == ProblemState.CLOSED.value:
        problem.closed_at = ctx.now
    ctx.audit(
        f"assignment.{move.value}",
        "problem",
        problem.id,
        {"assignment_id": assignment.id, "state": state.value, "problem_state": before_problem},
        {
            "assignment_id": assignment.id,
            "state": target.value,
            "problem_state": problem.state,
            "note": note.strip(),
        },
    )
    if move == Move.RETURN:
        clue_rules.do_check_failed_verification(ctx, assignment)  # 整改不到位
    return assignment


def _illegal(actor: Actor, state: AssignmentState, move: Move, org_id: int) -> Conflict:
    legal = rules.legal_assignment_moves(state)
    names = "、".join(f"{MOVE_LABELS[m]}({m.value})" for m in legal) or "无（已办结）"
    return Conflict(
        f"当前状态不能“{MOVE_LABELS[move]}”；可执行：{names}",
        allowed=[m.value for m in legal],
        allowed_for_you=[m.value for m in rules.allowed_moves(actor, state, org_id)],
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


def _stamp(ctx: Ctx, assignment: Assignment, move: Move) -> None:
    if move == Move.ACCEPT:
        assignment.accepted_at = ctx.now
    elif move == Move.SUBMIT:
        assignment.submitted_at = ctx.now
    elif move == Move.VERIFY:
        assignment.verified_at = ctx.now
    elif move == Move.RETURN:
        assignment.returned_count += 1
        assignment.submitted_at = None


def do_merge(
    ctx: Ctx, problem_id: int, into_problem_id: int, *, version: int | None = None
) -> Problem:
    """合并: a duplicate intake is folded into the open problem it repeats."""
    problem = service.get_problem(ctx.session, ctx.actor, problem_id)
    _require_office(ctx.actor, Move.MERGE)
    _check_problem_move(problem, Move.MERGE)
    if into_problem_id == problem.id:
        raise InvalidInput("不能合并到自身", field="into_problem_id")
    target = service.get_problem(ctx.session, ctx.actor, into_problem_id)
    if not service.is_open(target):
        raise Conflict("只能合并到未办结的问题")
    if service.assignments_of(ctx.session, problem.id):
        raise Conflict("已交办的问题不能合并，请先在目标问题中追加承办单位")
    before = problem.state
    _bump_problem(ctx.session, problem, version, ProblemState.MERGED.value)
    problem.duplicate_of_id = target.id
    problem.closed_at = ctx.now
    ctx.audit(
        "problem.merge",
        "problem",
        problem.id,
        {"state": before},
        {"state": problem.state, "duplicate_of_id": target.id},
    )
    return problem


def _check_problem_move(problem: Problem, move: Move) -> None:
    allowed = rules.PROBLEM_MOVES[ProblemState(problem.state)]
    if move not in allowed:
        names = "、".join(MOVE_LABELS[m] for m in sorted(allowed)) or "无"
        raise Conflict(
            f"问题当前状态不能“{MOVE_LABELS[move]}”；可执行：{names}",
            allowed=sorted(m.value for m in allowed),
        )


def _derived_state(session: Session, problem_id: int) -> str:
    states = session.scalars(select(Assignment.state).where(Assignment.problem_id == problem_id))
    return rules.derive_problem_state(AssignmentState(s) for s in states).value


def _bump_problem(session: Session, problem: Problem, version: int | None, state: str) -> None:
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


# -- extensions (延期) -----------------------------------------------------------------------------


def do_request_extension(
    ctx: Ctx, assignment_id: int, requested_due: date, reason: str
) -> ExtensionRequest:
    """The assigned unit asks for a later deadline; nothing moves until the office approves."""
    assignment = service.get_assignment(ctx.session, ctx.actor, assignment_id)
    if not rules.may_make(ctx.actor, Move.SUBMIT, assignee_org_id=assignment.organization_id):
        raise Forbidden("只有承办单位或263办可以申请延期")
    if assignment.state == AssignmentState.VERIFIED.value:
        raise Conflict("已核查通过的事项不能延期")
    if requested_due <= assignment.due_date:
        raise InvalidInput("申请的期限必须晚于当前期限", field="requested_due")
    pending = ctx.session.scalar(
        select(ExtensionRequest.id).where(
            ExtensionRequest.assignment_id == assignment.id,
            ExtensionRequest.state == ExtensionState.PENDING.value,
        )
    )
    if pending is not None:
        raise Conflict("已有待审批的延期申请")
    request = ExtensionRequest(
        assignment_id=assignment.id,
        requested_due=requested_due,
        reason=reason.strip(),
        state=ExtensionState.PENDING.value,
        requested_by=ctx.actor.user_id,
        requested_at=ctx.now,
    )
    ctx.session.add(request)
    ctx.session.flush()
    ctx.audit(
        "extension.request",
        "problem",
        assignment.problem_id,
        None,
        {
            "extension_id": request.id,
            "assignment_id": assignment.id,
            "from": assignment.due_date,
            "to": requested_due,
            "reason": request.reason,
        },
    )
    return request


def do_decide_extension(
    ctx: Ctx, extension_id: int, *, approve: bool, note: str = ""
) -> ExtensionRequest:
    """The office approves (the deadline moves, escalation restarts) or rejects."""
    request = ctx.session.get(ExtensionRequest, extension_id)
    if request is None:
        raise NotFound("延期申请")
    assignment = service.get_assignment(ctx.session, ctx.actor, request.assignment_id)
    _require_office(ctx.actor, Move.VERIFY)
    if request.state != ExtensionState.PENDING.value:
        raise Conflict("该延期申请已处理")
    old_due = assignment.due_date
    request.state = (ExtensionState.APPROVED if approve else ExtensionState.REJECTED).value
    request.decided_by, request.decided_at, request.decision_note = ctx.actor.user_id, ctx.now, note
    if approve:
        _apply_extension(ctx, assignment, request)
    ctx.audit(
        "extension.approve" if approve else "extension.reject",
        "problem",
        assignment.problem_id,
        {"assignment_id": assignment.id, "due_date": old_due},
        {"assignment_id": assignment.id, "due_date": assignment.due_date, "note": note},
    )
    if approve:
        clue_rules.do_check_extensions(ctx, assignment)  # deadline moved more than K times
    return request


def _apply_extension(ctx: Ctx, assignment: Assignment, request: ExtensionRequest) -> None:
    assignment.due_date = request.requested_due
    assignment.extension_count += 1
    assignment.due_reason = (
        f"延期至 {request.requested_due.isoformat()}（第 {assignment.extension_count} 次，"
        f"{ctx.today.isoformat()} 批准）"
    )
    policy = rules.load_escalation_policy()
    assignment.escalation = int(
        rules.escalation_level(assignment.due_date, ctx.today, ctx.calendar, policy)
    )
    assignment.version += 1


def _snapshot(problem: Problem) -> dict[str, object]:
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


def _assignment_snapshot(a: Assignment) -> dict[str, object]:
    return {
        "assignment_id": a.id,
        "organization_id": a.organization_id,
        "is_lead": a.is_lead,
        "due_date": a.due_date,
        "due_reason": a.due_reason,
    }
