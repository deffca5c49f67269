"""Request and response bodies of the 信访 API (the response carries masked personal data
unless the reader is the handling officer: :mod:`eco263.petitions.presenters`)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from eco263.web.inputs import Id, Line, Text


class ContactIn(BaseModel):
    name: Line | None = Field(default=None, max_length=64)
    phone: Line | None = Field(default=None, max_length=32, pattern=r"^[0-9+\- ]{5,32}$")
    address: Line | None = Field(default=None, max_length=200)


class PetitionIn(BaseModel):
    """A petition entered by staff (来信/来访/网上) or by the public form."""

    channel: Line = Field(default="网上信访", max_length=16)
    kind: Line = Field(default="申诉求决", max_length=8)
    topic: Line = Field(min_length=1, max_length=32)
    description: Text = Field(min_length=5, max_length=5000)
    location: Line | None = Field(default=None, max_length=200)
    division_code: Line = Field(max_length=12)
    enterprise_id: Id | None = None
    received_on: date | None = None
    hotline_no: Line | None = Field(default=None, max_length=64)
    repeat_of_id: Id | None = None
    contact: ContactIn = Field(default_factory=ContactIn)


class IntakeIn(BaseModel):
    decision: Line = Field(max_length=16)
    reason: Text = Field(default="", max_length=2000)
    transferred_to: Line | None = Field(default=None, max_length=100)


class ReasonIn(BaseModel):
    reason: Text = Field(min_length=2, max_length=2000)


class AnswerIn(BaseModel):
    """信访处理意见书 (or 复查/复核意见): facts, answer, basis and the opinion."""

    facts: Text = Field(min_length=2, max_length=5000)
    answer: Text = Field(min_length=2, max_length=5000)
    basis: Text = Field(min_length=2, max_length=2000)
    opinion: Line = Field(max_length=8)


class RatingIn(BaseModel):
    satisfaction: Line = Field(max_length=8)


class OpenProblemIn(BaseModel):
    title: Line = Field(min_length=2, max_length=200)
    category_code: Line = Field(max_length=32)
    due_date: date | None = None


class AnswerOut(BaseModel):
    step: str
    facts: str
    answer: str
    basis: str
    opinion: str
    on: date


class PetitionOut(BaseModel):
    id: int
    tracking_code: str
    channel: str
    kind: str
    topic: str
    description: str
    location: str | None
    division_code: str
    enterprise_id: int | None
    state: str
    state_label: str
    received_on: date
    due_date: date | None
    due_reason: str | None
    intake_reason: str | None
    transferred_to: str | None
    extension_reason: str | None
    extension_pending: bool
    satisfaction: str | None
    repeat_of_id: int | None
    problem_ids: list[int]
    answers: list[AnswerOut]
    complainant_name: str | None
    complainant_phone: str | None
    complainant_address: str | None
    personal_data_masked: bool


class PetitionPage(BaseModel):
    items: list[PetitionOut]
    total: int
    page: int
    page_size: int


class PublicProgress(BaseModel):
    """What the tracking code shows: progress and the answer, nothing personal."""

    tracking_code: str
    topic: str
    state_label: str
    received_on: date
    due_date: date | None
    notice: str | None
    answers: list[AnswerOut]
    satisfaction: str | None
    may_rate: bool
    may_request_review: bool
    may_request_recheck: bool


class Receipt(BaseModel):
    tracking_code: str
    message: str


class PublicPetitionIn(PetitionIn):
    """The public form: ``website`` is a honeypot (hidden; a person leaves it empty)."""

    website: str = Field(default="", max_length=200)


class DuplicateOut(BaseModel):
    id: int
    tracking_code: str
    topic: str
    state_label: str
    received_on: date
    score: float
    reasons: list[str]


# -- 带案下访 and 一企一策 ----------------------------------------------------------------------


class VisitItemIn(BaseModel):
    petition_id: Id
    finding: Text = Field(default="", max_length=2000)
    agreed: Text = Field(default="", max_length=2000)


class VisitIn(BaseModel):
    """带案下访: who went, when, where, the petitions taken along, what was found and agreed."""

    division_code: Line = Field(max_length=12)
    visited_on: date
    place: Line = Field(min_length=2, max_length=200)
    leader_name: Line = Field(min_length=2, max_length=64)
    leader_post: Line | None = Field(default=None, max_length=100)
    leader_org_id: Id | None = None
    team: Line | None = Field(default=None, max_length=300)
    findings: Text = Field(min_length=2, max_length=5000)
    agreed: Text = Field(default="", max_length=5000)
    items: list[VisitItemIn] = Field(default_factory=list, max_length=100)


class PlanIn(BaseModel):
    """一企一策: an enterprise's assessment/plan, its measures, owner unit and due date."""

    title: Line = Field(min_length=2, max_length=200)
    measures: Text = Field(min_length=2, max_length=5000)
    owner_org_id: Id
    due_date: date
    category_code: Line = Field(default="6T.vocs", max_length=32)
    visit_id: Id | None = None


class VisitItemOut(BaseModel):
    petition_id: int
    tracking_code: str
    topic: str
    finding: str | None
    agreed: str | None


class PlanOut(BaseModel):
    id: int
    petition_id: int
    visit_id: int | None
    enterprise_id: int
    enterprise: str
    problem_id: int
    title: str
    measures: str
    owner_org_id: int
    owner: str
    due_date: date
    state_label: str


class VisitOut(BaseModel):
    id: int
    division_code: str
    visited_on: date
    place: str
    leader_name: str
    leader_post: str | None
    leader_org_id: int | None
    team: str | None
    findings: str
    agreed: str | None
    items: list[VisitItemOut]
    plans: list[PlanOut]
