"""What other packages see of an evidence file: a frozen copy, never the table row."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: int
    problem_id: int
    assignment_id: int | None
    sha256: str
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime
