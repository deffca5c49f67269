"""What the enforcement API answers (internal records: never served to the enterprise)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from eco263.enforcement.enums import CaseSource, Outcome, PauseKind
from eco263.web.inputs import INT32_MAX, Id, Line, Text


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


class ExtensionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reason: str
    state: str
    requested_by: int | None
    decided_by: int | None
    collective: bool


class CaseDetail(BaseModel):
    case: CaseOut
    pauses: list[PauseOut]
    extensions: list[ExtensionOut] = []
    #: The steps the case's state allows now (rules.MOVES keys), in the order of the procedure.
    next_steps: list[str] = []


# -- inputs of the write routes (a bad one is a Chinese 422 and changes nothing) -----------------

#: A fine or an amount in 元: a whole number the database column holds.
Yuan = Annotated[int, Field(ge=0, le=INT32_MAX)]


class CaseIn(BaseModel):
    source: CaseSource
    title: Line = Field(min_length=1, max_length=200)
    party_name: Line = Field(min_length=1, max_length=128)
    found_on: date
    facts: Text = Field(default="", max_length=4000)
    enterprise_id: Id | None = None
    problem_id: Id | None = None
    alarm_id: Id | None = None
    source_ref: Line | None = Field(default=None, max_length=64)


class FileIn(BaseModel):
    filed_on: date


class ReasonIn(BaseModel):
    reason: Text = Field(min_length=1, max_length=500)


class InvestigationIn(BaseModel):
    article: Line = Field(min_length=1, max_length=64)
    proposed_fine: Yuan
    facts: Text = Field(min_length=1, max_length=4000)


class OpinionIn(BaseModel):
    opinion: Text = Field(min_length=1, max_length=500)


class NoticeIn(BaseModel):
    received_on: date


class HearingRequestIn(BaseModel):
    requested_on: date


class HearingIn(BaseModel):
    held_on: date


class DecisionIn(BaseModel):
    outcome: Outcome
    decided_on: date
    fine: Yuan | None = None
    collective: bool = False
    reason: Text = Field(default="", max_length=500)


class ServiceIn(BaseModel):
    served_on: date


class PaymentIn(BaseModel):
    paid_on: date
    amount: Yuan


class ClosingIn(BaseModel):
    closed_on: date


class PauseIn(BaseModel):
    kind: PauseKind
    started_on: date
    note: Text = Field(default="", max_length=500)


class ResumeIn(BaseModel):
    ended_on: date


class ExtensionIn(BaseModel):
    reason: Text = Field(min_length=1, max_length=500)


class ExtensionDecisionIn(BaseModel):
    approve: bool
    collective: bool = False
