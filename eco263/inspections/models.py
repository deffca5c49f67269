"""巡察 tables: the campaign, its targets, visits and findings, the 监督意见书 with the
inspected body's rectification, and the dispositions (四种形态 / 问责)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eco263.db import Base, JSONType, UTCDateTime


class InspectionCampaign(Base):
    """A year's 专项巡察 (or 专项监督) under a theme, run by the 纪委 of ``division_code``."""

    __tablename__ = "inspection_campaign"
    __table_args__ = (UniqueConstraint("year", "theme", "division_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    theme: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))  # 专项巡察 | 专项监督
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"), index=True)
    planned_targets: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InspectionTarget(Base):
    """A village (村/居) or unit inspected; ``organization_id`` is the eco263 unit that answers
    for it (the town for a village, the unit itself) and receives its 监督意见书."""

    __tablename__ = "inspection_target"
    __table_args__ = (
        UniqueConstraint("campaign_id", "name"),
        Index("ix_inspection_target_division", "division_code", "campaign_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("inspection_campaign.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(8))
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    done_on: Mapped[date | None] = mapped_column(Date)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InspectionVisit(Base):
    __tablename__ = "inspection_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("inspection_target.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    team: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InspectionFinding(Base):
    """A problem found at a target; the office may open ledger problems from it."""

    __tablename__ = "inspection_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("inspection_target.id"), index=True)
    found_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")
    problem_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InspectionOpinion(Base):
    """监督意见书 issued in eco263 by a 纪委 user, and the inspected body's rectification:
    the plan (with its long-term mechanisms) due ``reply_due`` (``opinion.reply``), the report
    due ``report_due`` (``inspection.report``), reviewed by the 纪委."""

    __tablename__ = "inspection_opinion"
    __table_args__ = (Index("ix_inspection_opinion_org_state", "organization_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("inspection_campaign.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("inspection_target.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"))
    issued_on: Mapped[date] = mapped_column(Date)
    findings: Mapped[str] = mapped_column(Text)
    finding_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    measures: Mapped[str] = mapped_column(Text)
    reply_due: Mapped[date] = mapped_column(Date)
    reply_due_reason: Mapped[str] = mapped_column(String(200))
    reply_due_rule: Mapped[str | None] = mapped_column(String(64))
    report_due: Mapped[date | None] = mapped_column(Date)
    report_due_reason: Mapped[str | None] = mapped_column(String(200))
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16))
    plan: Mapped[str] = mapped_column(Text, default="")
    mechanisms: Mapped[str] = mapped_column(Text, default="")
    planned_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report: Mapped[str] = mapped_column(Text, default="")
    reported_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)


class InspectionDisposition(Base):
    """A disposition: form (1–4, none for a party organization) × measure, against a person
    or a party organization, decided by a 纪委 user holding the 管理权限 (``authority_code``)."""

    __tablename__ = "inspection_disposition"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("inspection_campaign.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("inspection_target.id"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_finding.id"))
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_name: Mapped[str] = mapped_column(String(128))
    subject_position: Mapped[str] = mapped_column(String(128), default="")
    form: Mapped[int | None] = mapped_column(Integer)
    measure: Mapped[str] = mapped_column(String(32))
    authority_code: Mapped[str] = mapped_column(ForeignKey("division.code"))
    decided_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
