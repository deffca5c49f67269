"""Request and response bodies of the ledger API.

Inputs use the shared constrained types (:mod:`eco263.web.inputs`): ids within the INTEGER
columns, text without control characters and no longer than its column, deadlines in years
the work calendar covers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from eco263.web.inputs import CoveredDate, Id, Line, Text, Version


class ProblemCreate(BaseModel):
    title: Line = Field(min_length=2, max_length=200)
    description: Text = Field(default="", max_length=5000)
    source: Line = Field(max_length=16)
    category_code: Line = Field(max_length=32)
    division_code: Line = Field(max_length=12)
    found_on: date
    enterprise_id: Id | None = None
    location: Line | None = Field(default=None, max_length=200)
    water_body: Line | None = Field(default=None, max_length=64)
    due_date: CoveredDate | None = Field(default=None, description="Overrides the source's rule.")
    anchored_on: date | None = Field(
        default=None,
        description="The day of the event the source's rule runs from when it is not the "
        "discovery (e.g. a joint enforcement plan's approval); found_on otherwise.",
    )


class AssignmentSpec(BaseModel):
    organization_id: Id
    due_date: CoveredDate | None = None


class DispatchIn(BaseModel):
    lead: AssignmentSpec | None = None
    co: list[AssignmentSpec] = Field(default_factory=list, max_length=50)
    version: Version | None = None


class OnBehalfIn(BaseModel):
    """代办: an office makes a unit's move for a unit without an account of its own."""

    reason: Line = Field(min_length=4, max_length=500, description="Why the office acts for it.")
    attachment_id: Id = Field(description="Evidence already uploaded to this problem.")


class MoveIn(BaseModel):
    note: Text = Field(default="", max_length=2000)
    version: Version | None = Field(default=None, description="Optimistic lock: the version read.")
    on_behalf: OnBehalfIn | None = Field(
        default=None, description="Required when an office accepts or submits for a unit."
    )


class MergeIn(BaseModel):
    into_problem_id: Id
    version: Version | None = None


class ExtensionIn(BaseModel):
    requested_due: CoveredDate
    reason: Text = Field(min_length=2, max_length=500)
    on_behalf: OnBehalfIn | None = Field(
        default=None, description="Required when an office asks for a unit."
    )


class DecisionIn(BaseModel):
    approve: bool
    note: Text = Field(default="", max_length=500)


class UrgeIn(BaseModel):
    """催办: the note is required (what the unit must do, by when)."""

    note: Text = Field(default="", max_length=2000)


class UrgeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    assignment_id: int
    problem_id: int
    organization_id: int
    note: str
    urged_at: datetime
    urge_count: int = 0


class BatchDispatchIn(BaseModel):
    """批量交办: the selected problems (编号) to one lead unit, with one deadline (optional)."""

    ids: list[Id] = Field(min_length=1, max_length=200)
    lead: AssignmentSpec


class BatchUrgeIn(BaseModel):
    """批量催办: every open unit of the selected problems, with one note (required)."""

    ids: list[Id] = Field(min_length=1, max_length=200)
    note: Text = Field(default="", max_length=2000)


class BatchOut(BaseModel):
    """What a batch did: all rows (it is all or nothing) and the records it created."""

    problem_ids: list[int]
    assignment_ids: list[int] = Field(default_factory=list)
    urge_ids: list[int] = Field(default_factory=list)


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
    #: The unit's latest 整改情况, and the office's latest 核查意见 or 退回理由.
    rectification_note: str | None = None
    review_note: str | None = None
    #: 催办 so far (migration 0021), and whether this actor may press it now.
    urge_count: int = 0
    may_urge: bool = False
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
