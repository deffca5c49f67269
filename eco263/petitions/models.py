"""信访件 Petition: one row per matter, its current statutory clock, and its steps' records.

The complainant's name, phone and address live only here (``complainant_*``); every reader
outside the handling officer gets them masked (:mod:`eco263.petitions.presenters`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
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


class PetitionVisit(Base):
    """带案下访: staff take a set of open petitions to the field (the bulletin's 高新区 item).

    Who went (the leader by name and post, and the unit), when, where, the team, and what was
    found and agreed overall; each petition's own finding is a :class:`PetitionVisitItem`."""

    __tablename__ = "petition_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"), index=True)
    visited_on: Mapped[date] = mapped_column(Date, index=True)
    place: Mapped[str] = mapped_column(String(200))
    leader_name: Mapped[str] = mapped_column(String(64))
    leader_post: Mapped[str | None] = mapped_column(String(100))
    leader_org_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    team: Mapped[str | None] = mapped_column(String(300))
    findings: Mapped[str] = mapped_column(Text)
    agreed: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PetitionVisitItem(Base):
    """One petition taken on a visit, with what was found and agreed about it."""

    __tablename__ = "petition_visit_item"
    __table_args__ = (UniqueConstraint("visit_id", "petition_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("petition_visit.id"), index=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petition.id"), index=True)
    finding: Mapped[str | None] = mapped_column(Text)
    agreed: Mapped[str | None] = mapped_column(Text)


class EnterprisePlan(Base):
    """一企一策: an enterprise-specific assessment/plan born of a petition (often on a visit).

    Its clock is the ledger's: the plan is a problem (source 信访举报) dispatched to its owner
    unit with the plan's due date, so 临期/逾期/黄牌/红牌 and 提交/核查/销号 are the ledger's own;
    this row keeps the measures and the links."""

    __tablename__ = "enterprise_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petition.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("petition_visit.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    measures: Mapped[str] = mapped_column(Text)
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    due_date: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
