"""工作动态 tables: the issue (第N期), its items in order, and the units' read receipts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eco263.db import Base, UTCDateTime


class BulletinIssue(Base):
    """One issue: 第 ``number`` 期, dated, compiled (编印) by an office, edited by one user."""

    __tablename__ = "bulletin_issue"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    issue_date: Mapped[date] = mapped_column(Date)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    office: Mapped[str] = mapped_column(String(100))
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"))
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    editor_name: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_by_name: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)


class BulletinItem(Base):
    """One article of an issue: generated from a record (``source``/``source_ref``) or free."""

    __tablename__ = "bulletin_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("bulletin_issue.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class BulletinReceipt(Base):
    """A recipient unit's first reading of a published issue (阅读回执)."""

    __tablename__ = "bulletin_receipt"
    __table_args__ = (UniqueConstraint("issue_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("bulletin_issue.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reader_name: Mapped[str] = mapped_column(String(64))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime())
