"""Reading evidence, only through the scope of the problem it belongs to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from eco263.auth.scope import Actor
from eco263.errors import NotFound
from eco263.evidence.models import Attachment
from eco263.problems import service as problems


def attachments_of(session: Session, actor: Actor, problem_id: int) -> list[Attachment]:
    problems.get_problem(session, actor, problem_id)
    return list(
        session.scalars(
            select(Attachment).where(Attachment.problem_id == problem_id).order_by(Attachment.id)
        )
    )


def get_attachment(session: Session, actor: Actor, attachment_id: int) -> Attachment:
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("附件")
    try:
        problems.get_problem(session, actor, attachment.problem_id)
    except NotFound:
        raise NotFound("附件") from None
    return attachment
