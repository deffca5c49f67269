"""登记 and 合并: a problem enters the ledger with its deadline, or folds into the one it
repeats."""

from __future__ import annotations

from eco263.context import Ctx
from eco263.deadlines import Due, explicit_due, load_catalogue
from eco263.errors import Conflict, InvalidInput
from eco263.problems import rules, service
from eco263.problems.actions._common import (
    bump_problem,
    check_problem_move,
    require_office,
    snapshot,
)
from eco263.problems.enums import AuditAction, Move, ProblemState, Source
from eco263.problems.events import ProblemRegistered
from eco263.problems.models import Problem
from eco263.problems.schemas import ProblemCreate
from eco263.registry import service as registry
from eco263.workdays import CalendarRangeError


def do_register_problem(ctx: Ctx, data: ProblemCreate) -> Problem:
    """登记: create a ledger entry with its deadline and flag a likely duplicate."""
    require_office(ctx.actor, Move.DISPATCH)
    source = _parse_source(data.source)
    registry.require_category(data.category_code)
    division = registry.get_division(ctx.session, data.division_code)
    registry.require_in_jurisdiction(ctx.session, ctx.actor, division.code)
    if data.enterprise_id is not None:
        registry.enterprise_in_scope(ctx.session, ctx.actor, data.enterprise_id)
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
        due_rule=deadline.rule,
        due_start=deadline.start,
        registered_at=ctx.now,
        registered_by=ctx.actor.user_id,
        possible_duplicate_of_id=duplicate.id if duplicate else None,
        escalation=0,
        version=1,
    )
    ctx.session.add(problem)
    ctx.session.flush()
    ctx.audit(AuditAction.REGISTER, "problem", problem.id, None, snapshot(problem))
    ctx.announce(
        ProblemRegistered(
            problem.id,
            problem.title,
            problem.source,
            problem.category_code,
            problem.division_code,
            problem.enterprise_id,
            problem.water_body,
        )
    )
    return problem


def _parse_source(text: str) -> Source:
    try:
        return Source(text)
    except ValueError:
        allowed = "、".join(s.value for s in Source)
        raise InvalidInput(f"未知问题来源 {text!r}（可选：{allowed}）", field="source") from None


def _problem_deadline(ctx: Ctx, source: Source, data: ProblemCreate) -> Due:
    try:
        if data.due_date is not None:
            return explicit_due(data.due_date, ctx.today, "登记时指定")
        start = data.anchored_on or data.found_on
        if not data.found_on <= start <= ctx.today:
            raise InvalidInput("起算事件日期应在发现日期与今天之间", field="anchored_on")
        catalogue = load_catalogue(ctx.settings.deadline_rules_file)
        return rules.ledger_due(source.value, start, ctx.calendar, catalogue)
    except CalendarRangeError as exc:
        raise InvalidInput(str(exc), field="due_date") from exc
    except ValueError as exc:
        raise InvalidInput(str(exc), field="due_date") from exc


def do_merge(
    ctx: Ctx, problem_id: int, into_problem_id: int, *, version: int | None = None
) -> Problem:
    """合并: a duplicate intake is folded into the open problem it repeats."""
    problem = service.get_problem(ctx.session, ctx.actor, problem_id)
    require_office(ctx.actor, Move.MERGE)
    check_problem_move(problem, Move.MERGE)
    if into_problem_id == problem.id:
        raise InvalidInput("不能合并到自身", field="into_problem_id")
    target = service.get_problem(ctx.session, ctx.actor, into_problem_id)
    if not service.is_open(target):
        raise Conflict("只能合并到未办结的问题")
    if service.assignments_of(ctx.session, problem.id):
        raise Conflict("已交办的问题不能合并，请先在目标问题中追加承办单位")
    before = problem.state
    bump_problem(ctx.session, problem, version, ProblemState.MERGED.value)
    problem.duplicate_of_id = target.id
    problem.closed_at = ctx.now
    ctx.audit(
        AuditAction.MERGE,
        "problem",
        problem.id,
        {"state": before},
        {"state": problem.state, "duplicate_of_id": target.id},
    )
    return problem
