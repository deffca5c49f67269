"""Reading evidence.  Attachments carry no scope of their own: the domain they belong to checks
the reader's scope first (e.g. :func:`eco263.problems.service.attachments_in_scope`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from eco263.errors import NotFound
from eco263.evidence.models import Attachment
from eco263.evidence.schemas import AttachmentOut


def attachments_of(session: Session, problem_id: int) -> list[AttachmentOut]:
    query = select(Attachment).where(Attachment.problem_id == problem_id).order_by(Attachment.id)
    return [AttachmentOut.model_validate(a) for a in session.scalars(query)]


def attachments_of_problems(session: Session, problem_ids: Iterable[int]) -> list[AttachmentOut]:
    """The attachments of several problems, ordered by problem then id, in one query."""
    wanted = set(problem_ids)
    if not wanted:
        return []
    query = (
        select(Attachment)
        .where(Attachment.problem_id.in_(wanted))
        .order_by(Attachment.problem_id, Attachment.id)
    )
    return [AttachmentOut.model_validate(a) for a in session.scalars(query)]


def get_attachment(session: Session, attachment_id: int) -> AttachmentOut:
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("附件")
    return AttachmentOut.model_validate(attachment)
