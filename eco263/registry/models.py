"""Registry tables: 行政区划 Division, 单位 Organization, 企业/污染源 Enterprise."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from eco263.db import Base, UTCDateTime


class Division(Base):
    """A GB/T 2260 division, or a management unit such as 苏州工业园区 (NBS code 320571).

    ``path`` is the chain of codes from the root (``320000/320500/320583``) so a
    subtree is one indexed prefix match.
    """

    __tablename__ = "division"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    short_name: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(24))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("division.code"))
    path: Mapped[str] = mapped_column(String(128), index=True)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)


class Organization(Base):
    """A responsible unit: 263 office, 生态环境局, 水务局, 海事局, 纪委监委, 镇/街道 …"""

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"), index=True)
    leader_name: Mapped[str | None] = mapped_column(String(64))
    #: A deactivated unit keeps its history but takes no new work (系统管理).
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Enterprise(Base):
    """A polluting unit, identified by its 统一社会信用代码 (GB 32100, validated on entry)."""

    __tablename__ = "enterprise"
    __table_args__ = (Index("ix_enterprise_division", "division_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"))
    address: Mapped[str | None] = mapped_column(String(256))
    industry: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
