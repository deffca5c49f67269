"""What the enforcement API answers (internal records: never served to the enterprise)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    source: str
    party_name: str
    division_code: str
    organization_id: int
    enterprise_id: int | None
    problem_id: int | None
    alarm_id: int | None
    state: str
    state_label: str = ""
    found_on: date
    filing_due: date
    filed_on: date | None
    decision_due: date | None
    decision_due_reason: str | None
    article: str | None
    proposed_fine: int | None
    hearing_right: bool
    notified_on: date | None
    statement_until: date | None
    outcome: str | None
    fine: int | None
    decided_on: date | None
    served_on: date | None
    payment_due: date | None
    paid_on: date | None
    surcharge: int | None
    closed_on: date | None
    extension_count: int
    version: int


class PauseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    started_on: date
    ended_on: date | None
    note: str


class CaseDetail(BaseModel):
    case: CaseOut
    pauses: list[PauseOut]
