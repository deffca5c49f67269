"""Request and response bodies of the 专题询问 API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from eco263.web.inputs import CoveredDate, Id, Line, Text, Version


class SittingIn(BaseModel):
    division_code: Line = Field(default="320500", max_length=12)
    committee_org_id: Id = Field(description="The standing committee (a congress unit).")
    session_name: Line = Field(min_length=2, max_length=200)
    held_on: CoveredDate
    theme: Line = Field(min_length=2, max_length=200)
    category_code: Line = Field(default="6T.vocs", max_length=32)


class QuestionIn(BaseModel):
    asker: Line = Field(min_length=2, max_length=64)
    asker_title: Line = Field(default="市人大常委会委员", min_length=2, max_length=64)
    topic: Line = Field(min_length=2, max_length=64)
    question: Text = Field(min_length=4, max_length=4000)
    organization_id: Id = Field(description="The answering department (应询部门).")


class AnswerIn(BaseModel):
    answerer: Line = Field(min_length=2, max_length=64, description="应询负责同志")
    answer: Text = Field(min_length=4, max_length=8000)


class OpinionIn(BaseModel):
    text: Text = Field(min_length=4, max_length=10000)
    received_on: CoveredDate
    version: Version | None = None


class TaskIn(BaseModel):
    organization_id: Id
    title: Line = Field(min_length=2, max_length=200)
    content: Text = Field(default="", max_length=4000)
    due_date: CoveredDate | None = Field(
        default=None, description="Not after the report's deadline; the ledger's rule if unset."
    )


class DraftIn(BaseModel):
    text: Text = Field(
        default="", max_length=20000, description="Empty: assembled from the tasks' outcomes."
    )
    version: Version | None = None


class ReviewIn(BaseModel):
    approve: bool
    version: Version | None = None


class SubmitIn(BaseModel):
    submitted_on: CoveredDate
    version: Version | None = None


class VoteIn(BaseModel):
    member: Line = Field(min_length=2, max_length=64)
    rating: Line = Field(max_length=8)


class RatingsIn(BaseModel):
    votes: list[VoteIn] = Field(min_length=1, max_length=100)


class TrackingIn(BaseModel):
    held_on: CoveredDate
    note: Text = Field(min_length=4, max_length=4000)
    outcome: Line = Field(min_length=2, max_length=200)


class QuestionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    asker: str
    asker_title: str
    topic: str
    question: str
    organization_id: int
    answerer: str
    answer: str
    answered_at: datetime | None


class TaskOut(BaseModel):
    id: int
    organization_id: int
    title: str
    content: str
    problem_id: int
    assignment_id: int
    due_date: date
    state: str
    state_label: str


class TrackingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    held_on: date
    note: str
    outcome: str


class SittingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    division_code: str
    committee_org_id: int
    session_name: str
    held_on: date
    theme: str
    category_code: str
    opinion_text: str
    opinion_received_on: date | None
    report_due: date | None
    report_due_reason: str | None
    report_due_rule: str | None
    report_state: str
    report_text: str
    report_drafted_by: int | None
    report_approved_by: int | None
    report_submitted_on: date | None
    version: int
    questions: list[QuestionOut] = Field(default_factory=list)
    tasks: list[TaskOut] = Field(default_factory=list)
    ratings: dict[str, int] = Field(default_factory=dict)
    tracking: list[TrackingOut] = Field(default_factory=list)
