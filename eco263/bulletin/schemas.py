"""Request and response bodies of the 工作动态 API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from eco263.web.inputs import CoveredDate, Id, Line, Text


class IssueIn(BaseModel):
    number: Id | None = None  # 期号; the next free one when omitted
    issue_date: CoveredDate
    period_from: CoveredDate
    period_to: CoveredDate


class ItemIn(BaseModel):
    title: Line = Field(min_length=1, max_length=60)
    body: Text = Field(min_length=1, max_length=6000)


class MoveIn(BaseModel):
    position: int = Field(ge=1, le=500)


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    title: str
    body: str
    source: str
    source_ref: str | None
    state: str
    approved_at: datetime | None


class IssueOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: int
    issue_date: date
    period_from: date
    period_to: date
    office: str
    editor_name: str
    state: str
    published_by_name: str | None
    published_at: datetime | None
    items: list[ItemOut] = []


class ReceiptOut(BaseModel):
    group: str
    unit: str
    organization_id: int
    read_at: datetime | None
    reader: str | None
