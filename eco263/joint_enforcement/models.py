"""联合执法 tables: the leader capability, the request (one 散乱污 site) and the plan's units."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eco263.db import Base, JSONType, UTCDateTime


class JointLeader(Base):
    """The ``leader`` capability: this user heads the leading group of this division and
    approves its joint enforcement requests and plans (a capability, not a role)."""

    __tablename__ = "joint_leader"
    __table_args__ = (UniqueConstraint("user_id", "division_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"))
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class JointRequest(Base):
    """A request for joint enforcement against one site, through to its verified closure.

    The site may be an unregistered workshop: name, address, coordinates and operator, no
    credit code.  ``decision_due`` is the deadline of the leader's pending decision (on the
    request, then on the plan); ``plan_due`` runs from the plan's approval (``joint.action``).
    """

    __tablename__ = "joint_request"
    __table_args__ = (
        Index("ix_joint_request_division_state", "division_code", "state", "id"),
        Index("ix_joint_request_state_decision", "state", "decision_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"))
    requesting_org_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    site_name: Mapped[str] = mapped_column(String(200))
    site_address: Mapped[str] = mapped_column(String(200))
    site_lon: Mapped[float | None] = mapped_column(Float)
    site_lat: Mapped[float | None] = mapped_column(Float)
    operator: Mapped[str] = mapped_column(String(64), default="")
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))
    category_code: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")
    proposed_unit_ids: Mapped[list[int]] = mapped_column(JSONType)
    state: Mapped[str] = mapped_column(String(16))
    # the leader's pending decision
    decision_due: Mapped[date | None] = mapped_column(Date)
    decision_due_reason: Mapped[str | None] = mapped_column(String(200))
    decision_due_rule: Mapped[str | None] = mapped_column(String(64))
    decision_due_start: Mapped[date | None] = mapped_column(Date)
    reminder: Mapped[str] = mapped_column(String(16), default="none")
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")
    # the plan
    action_date: Mapped[date | None] = mapped_column(Date)
    plan_note: Mapped[str] = mapped_column(Text, default="")
    planned_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    plan_approved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    plan_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    plan_due: Mapped[date | None] = mapped_column(Date)
    plan_due_reason: Mapped[str | None] = mapped_column(String(200))
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problem.id"), index=True)
    # the result
    route: Mapped[str | None] = mapped_column(String(8))
    checklist: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    result_note: Mapped[str] = mapped_column(Text, default="")
    result_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    result_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)


class JointUnit(Base):
    """One unit's part of the plan: lead or partner, its tasks, and (once issued) the ledger
    assignment that carries its deadline."""

    __tablename__ = "joint_unit"
    __table_args__ = (UniqueConstraint("request_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("joint_request.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    is_lead: Mapped[bool] = mapped_column(default=False)
    tasks: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date | None] = mapped_column(Date)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id"))
