"""Request and response bodies of the ledger API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ProblemCreate(BaseModel):
    title: str = Field(min_length=2, max_length=200)
    description: str = Field(default="", max_length=5000)
    source: str
    category_code: str
    division_code: str
    found_on: date
    enterprise_id: int | None = None
    location: str | None = Field(default=None, max_length=200)
    water_body: str | None = Field(default=None, max_length=64)
    due_date: date | None = Field(default=None, description="Overrides the source's rule.")


class AssignmentSpec(BaseModel):
    organization_id: int
    due_date: date | None = None


class DispatchIn(BaseModel):
    lead: AssignmentSpec | None = None
    co: list[AssignmentSpec] = Field(default_factory=list)
    version: int | None = None


class OnBehalfIn(BaseModel):
    """代办: an office makes a unit's move for a unit without an account of its own."""

    reason: str = Field(min_length=4, max_length=500, description="Why the office acts for it.")
    attachment_id: int = Field(description="Evidence already uploaded to this problem.")


class MoveIn(BaseModel):
    note: str = Field(default="", max_length=2000)
    version: int | None = Field(default=None, description="Optimistic lock: the version read.")
    on_behalf: OnBehalfIn | None = Field(
        default=None, description="Required when an office accepts or submits for a unit."
    )


class MergeIn(BaseModel):
    into_problem_id: int
    version: int | None = None


class ExtensionIn(BaseModel):
    requested_due: date
    reason: str = Field(min_length=2, max_length=500)
    on_behalf: OnBehalfIn | None = Field(
        default=None, description="Required when an office asks for a unit."
    )


class DecisionIn(BaseModel):
    approve: bool
    note: str = Field(default="", max_length=500)


class AssignmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organization_id: int
    organization_name: str = ""
    is_lead: bool
    state: str
    due_date: date
    due_reason: str
    escalation: int
    escalation_label: str = ""
    workdays_left: int | None = None
    returned_count: int
    extension_count: int
    version: int
    proxied: bool = False
    allowed_moves: list[str] = Field(default_factory=list)
    #: The unit's moves in ``allowed_moves`` would be made by this actor as 代办.
    on_behalf: bool = False
    may_request_extension: bool = False


class ProblemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str
    source: str
    category_code: str
    division_code: str
    enterprise_id: int | None
    location: str | None
    water_body: str | None
    found_on: date
    state: str
    due_date: date
    due_reason: str
    registered_at: datetime
    closed_at: datetime | None
    duplicate_of_id: int | None
    possible_duplicate_of_id: int | None
    escalation: int
    version: int
    proxied: bool = False


class ProblemDetail(ProblemOut):
    assignments: list[AssignmentOut]


class ProblemPage(BaseModel):
    items: list[ProblemOut]
    total: int
    page: int
    page_size: int


class ExtensionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    assignment_id: int
    requested_due: date
    reason: str
    state: str
    requested_at: datetime
    decided_at: datetime | None
    decision_note: str | None


class TimelineEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor_name: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    hash: str
