"""Attach evidence to a problem, audited; bytes go to the content-addressed store first."""

from __future__ import annotations

from sqlalchemy import select

from eco263.auth.enums import Role
from eco263.context import Ctx
from eco263.errors import Forbidden, InvalidInput, TooLarge
from eco263.evidence.models import Attachment
from eco263.evidence.rules import ACCEPTED_LABEL, safe_filename, sniff
from eco263.evidence.store import BlobStore
from eco263.problems import service as problems
from eco263.problems.models import Assignment


def do_attach(
    ctx: Ctx,
    problem_id: int,
    *,
    filename: str,
    data: bytes,
    assignment_id: int | None = None,
) -> Attachment:
    """Keep one evidence file (photo, PDF, Office) on a problem the actor may work on."""
    problem = problems.get_problem(ctx.session, ctx.actor, problem_id)
    if ctx.actor.role in (Role.SUPERVISOR, Role.VIEWER, Role.ENTERPRISE):
        raise Forbidden("当前角色不能上传问题材料")
    if len(data) > ctx.settings.max_upload_bytes:
        limit_mb = ctx.settings.max_upload_bytes // (1024 * 1024)
        raise TooLarge(f"文件过大：上限 {limit_mb} MB", field="file")
    if not data:
        raise InvalidInput("文件为空", field="file")
    name = safe_filename(filename)
    content_type = sniff(data, name)
    if content_type is None:
        raise InvalidInput(f"不支持的文件类型：仅接受{ACCEPTED_LABEL}", field="file")
    if assignment_id is not None:
        _check_assignment(ctx, problem_id, assignment_id)
    digest = BlobStore(ctx.settings.attachments_path).put(data)
    attachment = Attachment(
        problem_id=problem.id,
        assignment_id=assignment_id,
        sha256=digest,
        filename=name,
        content_type=content_type,
        size=len(data),
        uploaded_by=ctx.actor.user_id,
        uploaded_at=ctx.now,
    )
    ctx.session.add(attachment)
    ctx.session.flush()
    ctx.audit(
        "attachment.add",
        "problem",
        problem.id,
        None,
        {"attachment_id": attachment.id, "filename": name, "sha256": digest, "size": len(data)},
    )
    return attachment


def _check_assignment(ctx: Ctx, problem_id: int, assignment_id: int) -> None:
    found = ctx.session.scalar(
        select(Assignment.id).where(
            Assignment.id == assignment_id, Assignment.problem_id == problem_id
        )
    )
    if found is None:
        raise InvalidInput("交办事项不属于该问题", field="assignment_id")
