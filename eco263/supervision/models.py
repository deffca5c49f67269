"""线索 Clue: a case handed to the discipline commission's 智慧监督 platform."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
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
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
