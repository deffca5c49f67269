"""行政处罚 tables: 案件 PenaltyCase, 期限中止 CasePause, 延长办案期限 CaseExtension, 执法笔录
CaseRecord (全过程记录)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eco263.db import Base, JSONType, UTCDateTime


class PenaltyCase(Base):
    """One 行政处罚 case from the clue (线索) to 结案, run by one enforcing department."""

    __tablename__ = "penalty_case"
    __table_args__ = (
        Index("ix_penalty_case_division_state", "division_code", "state", "id"),
        Index("ix_penalty_case_org_state", "organization_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str | None] = mapped_column(String(64))
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problem.id"), index=True)
    alarm_id: Mapped[int | None] = mapped_column(ForeignKey("alarm.id"), index=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    party_name: Mapped[str] = mapped_column(String(128))
    facts: Mapped[str] = mapped_column(Text, default="")
    found_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16))
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    investigator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    filing_due: Mapped[date] = mapped_column(Date)
    filing_due_reason: Mapped[str] = mapped_column(String(200))
    filed_on: Mapped[date | None] = mapped_column(Date)
    filed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision_due: Mapped[date | None] = mapped_column(Date)
    decision_due_reason: Mapped[str | None] = mapped_column(String(200))
    article: Mapped[str | None] = mapped_column(String(64))
    proposed_fine: Mapped[int | None] = mapped_column(Integer)
    hearing_right: Mapped[bool] = mapped_column(default=False)
    legal_review_required: Mapped[bool] = mapped_column(default=False)
    legal_reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    legal_review_opinion: Mapped[str | None] = mapped_column(String(500))
    notified_on: Mapped[date | None] = mapped_column(Date)
    statement_until: Mapped[date | None] = mapped_column(Date)
    hearing_requested_on: Mapped[date | None] = mapped_column(Date)
    hearing_held_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(16))
    fine: Mapped[int | None] = mapped_column(Integer)
    collective: Mapped[bool] = mapped_column(default=False)
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    service_due: Mapped[date | None] = mapped_column(Date)
    served_on: Mapped[date | None] = mapped_column(Date)
    payment_due: Mapped[date | None] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_amount: Mapped[int | None] = mapped_column(Integer)
    surcharge: Mapped[int | None] = mapped_column(Integer)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)


class CasePause(Base):
    """A period excluded from the decision clock (监测、鉴定、听证、公告、送达、移送)."""

    __tablename__ = "case_pause"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("penalty_case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class CaseExtension(Base):
    """延长办案期限: asked by the investigator, approved by the head (the second: 集体讨论)."""

    __tablename__ = "case_extension"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("penalty_case.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    collective: Mapped[bool] = mapped_column(default=False)


class CaseRecord(Base):
    """全过程记录: one on-site act of a case — a 现场检查（勘察）笔录 or a 调查询问笔录 — with the
    officers present and their 执法证 numbers (at least two), when, where (with coordinates),
    the party present, and its content as structured data."""

    __tablename__ = "case_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("penalty_case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(200))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    party_present: Mapped[str] = mapped_column(String(64))
    party_role: Mapped[str] = mapped_column(String(32))
    #: [{"name": …, "badge": 执法证号}, …]: at least two (行政处罚法第四十二条、第五十五条).
    officers: Mapped[list[dict[str, str]]] = mapped_column(JSONType)
    #: 现场检查: {"findings": …, "measures": …}; 调查询问: {"qa": [{"q": …, "a": …}, …]}.
    content: Mapped[dict[str, Any]] = mapped_column(JSONType)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseEvidence(Base):
    """证据清单: one evidence item of a case — its kind, where it came from (source), who
    collected it and when, and what it is: an on-site record of the case (``record_id``), a
    file kept content-addressed (``sha256``), or both."""

    __tablename__ = "case_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("penalty_case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(200))
    collected_by: Mapped[str] = mapped_column(String(100))
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    record_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"))
    sha256: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
