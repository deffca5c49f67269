"""专题询问 tables: the sitting (with its 审议意见 and the handling report), the questions, the
tasks (each a ledger problem), the 满意度测评 votes and the 跟踪监督 rounds."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eco263.db import Base, UTCDateTime


class InquirySitting(Base):
    """One 专题询问 sitting of a people's congress standing committee, through the
    government's handling report.  ``report_due`` runs from ``opinion_received_on``
    (``npc.report``, or the committee's own ``npc.report.<division>``)."""

    __tablename__ = "inquiry_sitting"
    __table_args__ = (Index("ix_inquiry_sitting_division", "division_code", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"))
    committee_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    session_name: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date)
    theme: Mapped[str] = mapped_column(String(200))
    category_code: Mapped[str] = mapped_column(String(32))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # the 审议意见
    opinion_text: Mapped[str] = mapped_column(Text, default="")
    opinion_received_on: Mapped[date | None] = mapped_column(Date)
    report_due: Mapped[date | None] = mapped_column(Date)
    report_due_reason: Mapped[str | None] = mapped_column(String(200))
    report_due_rule: Mapped[str | None] = mapped_column(String(64))
    # the handling report
    report_state: Mapped[str] = mapped_column(String(16), default="none")
    report_text: Mapped[str] = mapped_column(Text, default="")
    report_drafted_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    report_drafted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report_approved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    report_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report_submitted_on: Mapped[date | None] = mapped_column(Date)
    report_submitted_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)


class InquiryQuestion(Base):
    """One question of the sitting: who asked, which department answers, and its answer
    (written by that department only)."""

    __tablename__ = "inquiry_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(ForeignKey("inquiry_sitting.id"), index=True)
    asker: Mapped[str] = mapped_column(String(64))
    asker_title: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(Text)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    answerer: Mapped[str] = mapped_column(String(64), default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InquiryTask(Base):
    """A task the 审议意见 spawns for one department: a ledger problem (source 人大询问)
    anchored on the receipt, dispatched to that department."""

    __tablename__ = "inquiry_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(ForeignKey("inquiry_sitting.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text, default="")
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InquiryRating(Base):
    """满意度测评: one member's vote on the handling report."""

    __tablename__ = "inquiry_rating"
    __table_args__ = (UniqueConstraint("sitting_id", "member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(ForeignKey("inquiry_sitting.id"), index=True)
    member: Mapped[str] = mapped_column(String(64))
    rating: Mapped[str] = mapped_column(String(8))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InquiryTracking(Base):
    """跟踪监督: one round of the committee's follow-up (date, what was done, the outcome)."""

    __tablename__ = "inquiry_tracking"

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(ForeignKey("inquiry_sitting.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
