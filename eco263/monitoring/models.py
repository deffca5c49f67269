"""Monitoring tables: 监测点位 points, 监测数据 readings, raw packets (evidence), dead letters.

Readings are stored one row per (point, command, data time, pollutant) with a column per
HJ 212 value kind (Rtd/Avg/Min/Max/Cou/Zs…): long in pollutants, which is how every query
(latest per point, point × time range, hourly validity) reads them, at a fifth of the rows of a
row-per-value-kind layout.  On PostgreSQL the table is partitioned by month of ``data_time``
(migration 0002); the primary key makes a retransmitted record a no-op.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from eco263.db import Base, JSONType, UTCDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")


class MonitoringPoint(Base):
    """A data logger's point (HJ 212 ``MN``) with its access password and device options."""

    __tablename__ = "monitoring_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    mn: Mapped[str] = mapped_column(String(32), unique=True)
    password: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(128))
    medium: Mapped[str] = mapped_column(String(8))  # water | gas
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"))
    crc_mode: Mapped[str] = mapped_column(String(32), default="hj212")
    always_ack: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RawPacket(Base):
    """Every packet received from a known point, byte for byte: evidence (行刑衔接)."""

    __tablename__ = "raw_packet"
    __table_args__ = (Index("ix_raw_packet_point_time", "point_id", "received_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("monitoring_point.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    peer: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    cn: Mapped[str] = mapped_column(String(8))
    qn: Mapped[str | None] = mapped_column(String(24))
    data_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    data: Mapped[bytes] = mapped_column(LargeBinary)
    tolerances: Mapped[list[str] | None] = mapped_column(JSONType)


class Reading(Base):
    """One pollutant's values in one record (分钟/小时/日/实时数据)."""

    __tablename__ = "reading"

    point_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cn: Mapped[str] = mapped_column(String(4), primary_key=True)
    data_time: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    pollutant: Mapped[str] = mapped_column(String(16), primary_key=True)
    rtd: Mapped[float | None] = mapped_column(Float)
    avg: Mapped[float | None] = mapped_column(Float)
    min: Mapped[float | None] = mapped_column(Float)
    max: Mapped[float | None] = mapped_column(Float)
    cou: Mapped[float | None] = mapped_column(Float)
    zs_rtd: Mapped[float | None] = mapped_column(Float)
    zs_avg: Mapped[float | None] = mapped_column(Float)
    zs_min: Mapped[float | None] = mapped_column(Float)
    zs_max: Mapped[float | None] = mapped_column(Float)
    flag: Mapped[str | None] = mapped_column(String(4))
    eflag: Mapped[str | None] = mapped_column(String(8))
    packet_id: Mapped[int | None] = mapped_column(BigInteger)


class DeadLetter(Base):
    """A packet that could not be accepted, kept with the reason; never lost, never fatal."""

    __tablename__ = "dead_letter"
    __table_args__ = (Index("ix_dead_letter_received", "received_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    peer: Mapped[str] = mapped_column(String(64))
    mn: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(String(500))
    position: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
