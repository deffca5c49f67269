"""材料: evidence files on a problem (photos, PDF, Office), by those who work on it."""

from __future__ import annotations

from eco263.actor import Role
from eco263.context import Ctx
from eco263.errors import Forbidden, InvalidInput
from eco263.evidence.actions import do_store_attachment
from eco263.evidence.schemas import AttachmentOut
from eco263.problems import service


def do_attach_evidence(
    ctx: Ctx,
    problem_id: int,
    *,
    filename: str,
    data: bytes,
    assignment_id: int | None = None,
) -> AttachmentOut:
    """Keep one evidence file on a problem the actor may work on (and on one of its tasks)."""
    problem = service.get_problem(ctx.session, ctx.actor, problem_id)
    if ctx.actor.role in (Role.SUPERVISOR, Role.VIEWER, Role.ENTERPRISE):
        raise Forbidden("当前角色不能上传问题材料")
    if assignment_id is not None and not any(
        a.id == assignment_id for a in service.assignments_of(ctx.session, problem.id)
    ):
        raise InvalidInput("交办事项不属于该问题", field="assignment_id")
    return do_store_attachment(
        ctx, problem.id, filename=filename, data=data, assignment_id=assignment_id
    )
