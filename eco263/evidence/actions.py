"""Keep evidence files, audited; bytes go to the content-addressed store first.

The owning domain checks who may attach to what (the problem in scope, the role, the
assignment belonging to the problem) and calls :func:`do_store_attachment`.
"""

from __future__ import annotations

from eco263.context import Ctx
from eco263.errors import InvalidInput, TooLarge
from eco263.evidence.enums import AuditAction
from eco263.evidence.models import Attachment
from eco263.evidence.rules import ACCEPTED_LABEL, safe_filename, sniff
from eco263.evidence.schemas import AttachmentOut
from eco263.evidence.store import BlobStore


def do_store_attachment(
    ctx: Ctx,
    problem_id: int,
    *,
    filename: str,
    data: bytes,
    assignment_id: int | None = None,
) -> AttachmentOut:
    """Keep one evidence file (photo, PDF, Office, judged by its bytes) on a problem.

    The caller has checked that the actor may attach to this problem and assignment.
    """
    if len(data) > ctx.settings.max_upload_bytes:
        limit_mb = ctx.settings.max_upload_bytes // (1024 * 1024)
        raise TooLarge(f"文件过大：上限 {limit_mb} MB", field="file")
    if not data:
        raise InvalidInput("文件为空", field="file")
    name = safe_filename(filename)
    content_type = sniff(data, name)
    if content_type is None:
        raise InvalidInput(f"不支持的文件类型：仅接受{ACCEPTED_LABEL}", field="file")
    digest = BlobStore(ctx.settings.attachments_path).put(data)
    attachment = Attachment(
        problem_id=problem_id,
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
        AuditAction.ATTACH,
        "problem",
        problem_id,
        None,
        {"attachment_id": attachment.id, "filename": name, "sha256": digest, "size": len(data)},
    )
    return AttachmentOut.model_validate(attachment)
