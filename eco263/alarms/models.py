"""报警 Alarm (a detector firing on readings, with the sealed evidence pack of a tampering
episode), 排放限值 PointLimit.  The transfer to the police is eco263.transfers' own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from eco263.alarms.enums import LimitBasis
from eco263.db import Base, JSONType, UTCDateTime


class PointLimit(Base):
    """The limit that applies to one pollutant at one point, with the standard it comes from."""

    __tablename__ = "point_limit"

    point_id: Mapped[int] = mapped_column(ForeignKey("monitoring_point.id"), primary_key=True)
    pollutant: Mapped[str] = mapped_column(String(16), primary_key=True)
    limit: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    standard: Mapped[str] = mapped_column(String(64))
    basis: Mapped[str] = mapped_column(String(8), default=LimitBasis.BOTH.value)


class Alarm(Base):
    """One episode of one rule on one point and pollutant; re-detections extend it."""

    __tablename__ = "alarm"
    __table_args__ = (Index("ix_alarm_episode", "point_id", "pollutant", "rule", "end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("monitoring_point.id"))
    pollutant: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(16))
    start: Mapped[datetime] = mapped_column(UTCDateTime())
    end: Mapped[datetime] = mapped_column(UTCDateTime())
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONType)
    state: Mapped[str] = mapped_column(String(16))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problem.id"), index=True)
    #: The sealed evidence pack (证据包) of a tampering episode: its SHA-256 in the blob store.
    pack_sha256: Mapped[str | None] = mapped_column(String(64))
    pack_size: Mapped[int | None]
