"""批量交办 and 批量催办 from the ledger: the single actions, row by row, in ONE transaction.

All or nothing: each row goes through the same action a single click would (:func:`do_dispatch`,
:func:`do_urge`), so each row checks the actor's jurisdiction and role and writes its own audit
event.  The first row that is refused refuses the whole batch: the error names the row (its
编号) and why, and the caller's unit of work rolls back every row already done, so nothing
changed.  A row out of the actor's area reads like a missing one (scope cannot be probed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TypeVar

from eco263.context import Ctx
from eco263.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from eco263.problems import rules, service
from eco263.problems.actions._common import require_office
from eco263.problems.actions.dispatch import do_dispatch
from eco263.problems.actions.urge import NOTE_MAX, do_urge
from eco263.problems.enums import AssignmentState, Move
from eco263.problems.models import Assignment, AssignmentUrge
from eco263.problems.schemas import AssignmentSpec
from eco263.registry import service as registry

#: At most this many rows in one batch (a ledger page holds 100).
BATCH_MAX = 200

UNCHANGED = "整批未执行，未作任何更改"

T = TypeVar("T")


def check_ids(problem_ids: Sequence[int]) -> list[int]:
    """The selected rows, in order, each once; a clear error for none or too many."""
    ids = list(dict.fromkeys(int(i) for i in problem_ids))
    if not ids:
        raise InvalidInput("请先勾选要批量办理的问题", field="ids")
    if len(ids) > BATCH_MAX:
        raise InvalidInput(f"一次最多批量办理 {BATCH_MAX} 条问题", field="ids")
    if any(i <= 0 for i in ids):
        raise InvalidInput("所选问题编号无效", field="ids")
    return ids


def _row_refused(problem_id: int, exc: DomainError) -> DomainError:
    """The row's own error, of the same kind (so the same HTTP status), naming the row."""
    missing = isinstance(exc, NotFound) and exc.message == NotFound("问题").message
    reason = "问题不存在或不在您的管辖范围内" if missing else exc.message
    refused = exc.__class__.__new__(exc.__class__)
    DomainError.__init__(
        refused,
        f"编号 {problem_id}：{reason.rstrip('。')}。{UNCHANGED}",
        **{**exc.details, "problem_id": problem_id},
    )
    return refused


def _each(ids: list[int], work: Callable[[int], list[T]]) -> list[T]:
    done: list[T] = []
    for problem_id in ids:
        try:
            done.extend(work(problem_id))
        except DomainError as exc:
            raise _row_refused(problem_id, exc) from exc
    return done


def do_batch_dispatch(
    ctx: Ctx, problem_ids: Sequence[int], organization_id: int, due_date: date | None
) -> list[Assignment]:
    """批量交办: every selected (registered) problem to one lead unit, with one deadline
    (none: each problem's own).  A problem that already has a lead unit refuses the batch."""
    require_office(ctx.actor, Move.DISPATCH)
    ids = check_ids(problem_ids)
    if organization_id <= 0:
        raise InvalidInput("请选择牵头单位", field="lead")
    registry.organization_in_scope(ctx.session, ctx.actor, organization_id, field="lead")
    spec = AssignmentSpec(organization_id=organization_id, due_date=due_date)
    return _each(ids, lambda pid: do_dispatch(ctx, pid, spec, []))


def do_batch_urge(ctx: Ctx, problem_ids: Sequence[int], note: str) -> list[AssignmentUrge]:
    """批量催办: every open unit (not yet 核查通过) of every selected problem is pressed with
    the same note.  A problem with no open unit (not dispatched, or closed) refuses the batch."""
    refusal = rules.urger_refusal(ctx.actor, 0)
    if refusal is not None:
        raise Forbidden(refusal)
    ids = check_ids(problem_ids)
    if not (note or "").strip():
        raise InvalidInput("请填写催办说明", field="note")
    if len(note.strip()) > NOTE_MAX:
        raise InvalidInput(f"催办说明不超过 {NOTE_MAX} 字", field="note")

    def urge_problem(problem_id: int) -> list[AssignmentUrge]:
        service.get_problem(ctx.session, ctx.actor, problem_id)
        targets = [
            a
            for a in service.assignments_of(ctx.session, problem_id)
            if rules.may_urge(ctx.actor, a.organization_id, AssignmentState(a.state))
        ]
        if not targets:
            raise Conflict("没有可催办的承办单位（尚未交办或已全部核查通过）")
        return [do_urge(ctx, a.id, note) for a in targets]

    return _each(ids, urge_problem)
