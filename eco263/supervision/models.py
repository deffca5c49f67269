"""线索 Clue and what comes back from the 智慧监督 platform.

``clue`` (one per cause) · ``clue_state_change`` (its history: generated, delivered,
then the platform's received / accepted / rejected / concluded) · ``supervision_opinion``
(监督意见书, each creating a rectification problem) · ``accountability`` (问责 results,
on the clue and the unit) · ``inbound_request`` (every signed request accepted from the
platform, by idempotency key: the replay store) · ``spent_signature`` (the replay window:
signatures already answered, kept while their timestamp could still pass).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eco263.db import Base, JSONType, UTCDateTime


class Clue(Base):
    """One clue per cause: ``cause_key`` is unique, so a sweep run twice creates it once."""

    __tablename__ = "clue"

    id: Mapped[int] = mapped_column(primary_key=True)
    cause_key: Mapped[str] = mapped_column(String(128), unique=True)
    cause_kind: Mapped[str] = mapped_column(String(32))
    duty_failure: Mapped[str] = mapped_column(String(16))
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problem.id"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    responsible_person: Mapped[str | None] = mapped_column(String(64))
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"), index=True)
    summary: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONType)
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    receipt_id: Mapped[str | None] = mapped_column(String(128))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ClueStateChange(Base):
    """One step of a clue's life, ours (generated, delivered) or the platform's."""

    __tablename__ = "clue_state_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    clue_id: Mapped[int] = mapped_column(ForeignKey("clue.id"), index=True)
    state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str] = mapped_column(String(16))  # eco263 | platform
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class SupervisionOpinion(Base):
    """监督意见书: the commission tells a unit to rectify by a deadline."""

    __tablename__ = "supervision_opinion"

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_no: Mapped[str] = mapped_column(String(64), unique=True)
    clue_id: Mapped[int | None] = mapped_column(ForeignKey("clue.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date] = mapped_column(Date)
    issued_on: Mapped[date] = mapped_column(Date)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Accountability(Base):
    """问责: a person of a unit held to account (四种形态), recorded on the clue and the unit."""

    __tablename__ = "accountability"

    id: Mapped[int] = mapped_column(primary_key=True)
    clue_id: Mapped[int] = mapped_column(ForeignKey("clue.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    person: Mapped[str] = mapped_column(String(64))
    position: Mapped[str | None] = mapped_column(String(64))
    form: Mapped[str] = mapped_column(String(16))
    measure: Mapped[str] = mapped_column(String(64))
    decided_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InboundRequest(Base):
    """A signed request accepted from the platform; its key refuses any replay."""

    __tablename__ = "inbound_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    body_sha256: Mapped[str] = mapped_column(String(64))
    wire_timestamp: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class SpentSignature(Base):
    """A signed request already answered: the same signature again before ``expires_at``
    (its timestamp plus the skew window) is a replay (:mod:`eco263.supervision.wire`);
    rows past ``expires_at`` are purged as new ones are written."""

    __tablename__ = "spent_signature"

    signature: Mapped[str] = mapped_column(String(64), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    spent_at: Mapped[datetime] = mapped_column(UTCDateTime())
