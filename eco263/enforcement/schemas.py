"""What the enforcement API answers (internal records: never served to the enterprise)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from eco263.enforcement.enums import CaseSource, EvidenceKind, Outcome, PauseKind, RecordKind
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


# -- whole-process records (全过程记录) ----------------------------------------------------------


class OfficerIn(BaseModel):
    name: Line = Field(default="", max_length=32)
    #: 执法证号; a missing one is refused by the rule with the officer's name (a clear 422).
    badge: Line = Field(default="", max_length=32)


class QaIn(BaseModel):
    q: Text = Field(min_length=1, max_length=2000)
    a: Text = Field(min_length=1, max_length=4000)


class RecordIn(BaseModel):
    kind: RecordKind
    started_at: datetime
    ended_at: datetime
    place: Line = Field(min_length=1, max_length=200)
    lon: Annotated[float, Field(ge=73, le=136, allow_inf_nan=False)]
    lat: Annotated[float, Field(ge=3, le=54, allow_inf_nan=False)]
    party_present: Line = Field(min_length=1, max_length=64)
    party_role: Line = Field(min_length=1, max_length=32)
    officers: list[OfficerIn] = Field(max_length=10)
    #: 现场检查（勘察）笔录: what was found and what was done on site.
    findings: Text = Field(default="", max_length=8000)
    measures: Text = Field(default="", max_length=2000)
    #: 调查询问笔录: the questions and answers, in order.
    qa: list[QaIn] = Field(default=[], max_length=100)


class RecordOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    kind: str
    started_at: datetime
    ended_at: datetime
    place: str
    lon: float
    lat: float
    party_present: str
    party_role: str
    officers: list[dict[str, str]]
    content: dict[str, Any]
    recorded_at: datetime


# -- evidence list (证据清单) and documents ------------------------------------------------------


class EvidenceIn(BaseModel):
    """One evidence item (its file, if any, comes beside it in the multipart form)."""

    kind: EvidenceKind
    title: Line = Field(min_length=1, max_length=200)
    #: 来源; an empty one is refused by the rule with the reason (a clear 422).
    source: Line = Field(default="", max_length=200)
    collected_by: Line = Field(default="", max_length=100)
    collected_at: datetime
    record_id: Id | None = None


class EvidenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    kind: str
    title: str
    source: str
    collected_by: str
    collected_at: datetime
    record_id: int | None
    sha256: str | None
    filename: str | None
    content_type: str | None
    size: int | None
    added_at: datetime


class DocumentOut(BaseModel):
    """A document of the case: whether the case has reached its step, and where to get it."""

    kind: str
    title: str
    available: bool
    reason: str | None
    docx: str | None
    pdf: str | None
