"""What 巡察 announces (see :mod:`eco263.events`): plain facts, no ORM objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class OpinionReplyOverdue:
    """监督意见书逾期未回复: the inspected unit has not sent its rectification plan by the reply
    deadline; announced once per opinion (by the ``opinion_overdue`` job)."""

    opinion_id: int
    number: str
    organization_id: int
    target_name: str
    reply_due: date
    overdue_workdays: int
    issued_by: int | None
