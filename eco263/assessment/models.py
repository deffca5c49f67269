"""Assessment tables: 考核方案 (versioned), 考核得分 (with its explanation), 录入值."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eco263.db import Base, JSONType, UTCDateTime


class AssessmentScheme(Base):
    """One version of a year's scheme at one level; its indicators are data (``spec``)."""

    __tablename__ = "assessment_scheme"
    __table_args__ = (UniqueConstraint("year", "level", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(24))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16))
    spec: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class AssessmentScore(Base):
    """A division's score for a period under a scheme, with every indicator's facts."""

    __tablename__ = "assessment_score"
    __table_args__ = (UniqueConstraint("scheme_id", "period", "division_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("assessment_scheme.id"), index=True)
    period: Mapped[str] = mapped_column(String(8))
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"), index=True)
    total: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    detail: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AssessmentValue(Base):
    """An entered or imported indicator value (completion rate in %)."""

    __tablename__ = "assessment_value"
    __table_args__ = (UniqueConstraint("scheme_id", "period", "division_code", "indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("assessment_scheme.id"))
    period: Mapped[str] = mapped_column(String(8))
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"))
    indicator: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProvinceScore(Base):
    """A city's score in the province's published 263 assessment of a year (省通报)."""

    __tablename__ = "assessment_province_score"
    __table_args__ = (UniqueConstraint("year", "city"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    city: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
