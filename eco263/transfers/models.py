"""移送 Transfer: one case handed (or proposed to be handed) by an environmental agency to a
police unit — a suspected crime (行刑衔接) or an administrative detention (环保法第63条).

Confidential: the enterprise concerned never reads a row of this table (rules.may_read).
``case_id`` names an enforcement case (行政处罚案件) once that domain exists: a plain
number, no foreign key yet.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eco263.db import Base, JSONType, UTCDateTime


class Transfer(Base):
    __tablename__ = "transfer"
    __table_args__ = (
        Index("ix_transfer_police_state", "police_org_id", "state"),
        Index("ix_transfer_agency_state", "agency_org_id", "state"),
        Index("ix_transfer_state_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(24))
    alarm_id: Mapped[int | None] = mapped_column(ForeignKey("alarm.id"), unique=True)
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problem.id"), index=True)
    case_id: Mapped[int | None]
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))
    division_code: Mapped[str] = mapped_column(String(12))
    agency_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    police_org_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    procuratorate_org_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    summary: Mapped[str] = mapped_column(Text)
    pack_sha256: Mapped[str | None] = mapped_column(String(64))
    pack_size: Mapped[int | None]
    proposed_by_id: Mapped[int | None]
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None]
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(Text)
    handed_over_by: Mapped[str | None] = mapped_column(String(64))
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    materials: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    complexity: Mapped[str | None] = mapped_column(String(16))
    material_request: Mapped[str | None] = mapped_column(Text)
    material_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    material_supplied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    police_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    police_reason: Mapped[str | None] = mapped_column(Text)
    review_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_reason: Mapped[str | None] = mapped_column(Text)
    review_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The pending step's deadline (an instant: a day limit ends at local midnight), the
    #: catalogue key it was computed by and its reason; None when nothing is due.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_rule: Mapped[str | None] = mapped_column(String(48))
    due_reason: Mapped[str | None] = mapped_column(String(200))
    #: The state in which the 临期 warning / the 逾期 notice was given (once per step).
    warned_state: Mapped[str | None] = mapped_column(String(24))
    overdue_state: Mapped[str | None] = mapped_column(String(24))
