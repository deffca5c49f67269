"""Ledger tables: 问题 Problem, 交办 Assignment, 延期申请 ExtensionRequest."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column

from eco263.db import Base, UTCDateTime


class Problem(Base):
    """A ledger entry from discovery (登记) to verified closure (销号).

    On PostgreSQL its pages keep 15 % free (fillfactor 85, migration 0006) so that the many
    updates of a row's life stay on its page and touch no index.
    """

    __tablename__ = "problem"
    __table_args__ = (
        Index("ix_problem_division_state", "division_code", "state", "id"),
        Index("ix_problem_state_due", "state", "due_date"),
        Index("ix_problem_dup", "category_code", "state", "enterprise_id"),
        # Dashboard aggregates: an index-only scan instead of the wide rows (migration 0005).
        Index("ix_problem_stats", "division_code", "state", "due_date", "closed_at"),
        # Ledger sorted by deadline: ORDER BY due_date, id walks the index (0005).
        Index("ix_problem_due", "due_date", "id"),
        # Ledger text search (LIKE '%…%'): trigram GIN indexes on PostgreSQL; the migration
        # creates plain indexes of the same names on SQLite, where they are not used (0005).
        *(
            Index(
                f"ix_problem_{column}_trgm",
                column,
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            )
            for column in ("title", "description", "location", "water_body")
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16))
    category_code: Mapped[str] = mapped_column(String(32))
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    location: Mapped[str | None] = mapped_column(String(200))
    water_body: Mapped[str | None] = mapped_column(String(64), index=True)
    found_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16))
    due_date: Mapped[date] = mapped_column(Date)
    due_reason: Mapped[str] = mapped_column(String(200))
    #: What the deadline was computed by (eco263/deadlines.py): recomputed when the calendar
    #: changes.  None for a date set by hand.
    due_rule: Mapped[str | None] = mapped_column(String(64))
    due_start: Mapped[date | None] = mapped_column(Date)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registered_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("problem.id"))
    possible_duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("problem.id"))
    escalation: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: Some step of one of its assignments was done by an office for the unit (代办).
    proxied: Mapped[bool] = mapped_column(default=False, server_default=false())


class Assignment(Base):
    """One unit's part of a problem, with its own deadline, state and escalation level."""

    __tablename__ = "assignment"
    __table_args__ = (
        # The sweep reads open assignments by due date; closed ones never again.
        Index(
            "ix_assignment_open_due",
            "due_date",
            postgresql_where=text("state <> 'verified'"),
            sqlite_where=text("state <> 'verified'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    is_lead: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(16))
    due_date: Mapped[date] = mapped_column(Date)
    due_reason: Mapped[str] = mapped_column(String(200))
    due_rule: Mapped[str | None] = mapped_column(String(64))
    due_start: Mapped[date | None] = mapped_column(Date)
    escalation: Mapped[int] = mapped_column(Integer, default=0)
    returned_count: Mapped[int] = mapped_column(Integer, default=0)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Who did the unit's part (separation of duties, migration 0009): the one who submitted
    # never verifies, nor does the office that submitted for the unit (代办).
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_by_org_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    proxied: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: The unit's latest 整改情况 and the office's latest 核查意见 or 退回理由 (migration 0025).
    rectification_note: Mapped[str | None] = mapped_column(String(2000))
    review_note: Mapped[str | None] = mapped_column(String(2000))
    #: How many times an office pressed 催办 on this assignment (migration 0021).
    urge_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class AssignmentUrge(Base):
    """催办/督办: an office presses an open assignment's unit, with a note (migration 0021)."""

    __tablename__ = "assignment_urge"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"), index=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    note: Mapped[str] = mapped_column(String(500))
    urged_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    urged_by_org_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    urged_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ExtensionRequest(Base):
    """延期申请: moves an assignment's deadline once the office approves."""

    __tablename__ = "extension_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"), index=True)
    requested_due: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(String(500))
    #: The requester's organization: an office never decides what it asked for a unit.
    requested_by_org_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    proxied: Mapped[bool] = mapped_column(default=False, server_default=false())
