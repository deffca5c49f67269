"""What 专题询问 announces (see :mod:`eco263.events`): plain facts, no ORM objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class InquiryReportOverdue:
    """审议意见落实情况报告逾期: the government has not submitted its handling report by
    ``npc.report`` (received + 3 months); announced once per sitting."""

    sitting_id: int
    session_name: str
    division_code: str
    committee_org_id: int
    received_on: date
    report_due: date
    overdue_days: int
