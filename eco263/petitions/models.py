"""信访件 Petition: one row per matter, its current statutory clock, and its steps' records.

The complainant's name, phone and address live only here (``complainant_*``); every reader
outside the handling officer gets them masked (:mod:`eco263.petitions.presenters`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eco263.db import Base, JSONType, UTCDateTime


class Petition(Base):
    __tablename__ = "petition"

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    hotline_no: Mapped[str | None] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    topic: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(200))
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    complainant_name: Mapped[str | None] = mapped_column(String(64))
    complainant_phone: Mapped[str | None] = mapped_column(String(32), index=True)
    complainant_address: Mapped[str | None] = mapped_column(String(200))
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("petition.id"))
    state: Mapped[str] = mapped_column(String(20), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    registered_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: The clock running now: its date, the catalogue key and the reason shown.
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    due_rule: Mapped[str | None] = mapped_column(String(48))
    due_reason: Mapped[str | None] = mapped_column(String(300))
    accepted_on: Mapped[date | None] = mapped_column(Date)
    intake_reason: Mapped[str | None] = mapped_column(Text)
    transferred_to: Mapped[str | None] = mapped_column(String(100))
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extension_requested_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    extension_approved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: 信访处理意见书, then 复查意见 and 复核意见: {"facts", "answer", "basis", "opinion", "on"}.
    answers: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    answered_on: Mapped[date | None] = mapped_column(Date)
    satisfaction: Mapped[str | None] = mapped_column(String(8))
    problem_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
