"""Request and response bodies of the 巡察 API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from eco263.web.inputs import CoveredDate, Id, Line, Text, Version


class CampaignIn(BaseModel):
    year: int = Field(ge=2000, le=2100)
    theme: Line = Field(min_length=2, max_length=200)
    kind: Line = Field(default="专项巡察", max_length=8, description="专项巡察 or 专项监督")
    division_code: Line | None = Field(
        default=None, max_length=12, description="The running 纪委's division (its own if empty)."
    )
    planned_targets: int = Field(default=0, ge=0, le=10000)
    note: Text = Field(default="", max_length=2000)


class TargetIn(BaseModel):
    name: Line = Field(min_length=2, max_length=128)
    kind: Line = Field(default="village", max_length=8, description="village (村/居) or unit")
    division_code: Line = Field(max_length=12)
    organization_id: Id | None = Field(
        default=None, description="The unit that answers for the target and receives opinions."
    )


class VisitIn(BaseModel):
    visited_on: CoveredDate
    team: Line = Field(default="", max_length=200)
    note: Text = Field(default="", max_length=2000)


class FindingIn(BaseModel):
    found_on: CoveredDate
    summary: Line = Field(min_length=4, max_length=200)
    detail: Text = Field(default="", max_length=4000)


class DoneIn(BaseModel):
    done_on: CoveredDate


class OpinionIn(BaseModel):
    number: Line = Field(min_length=3, max_length=64, description="文号, e.g. 苏纪监意〔2018〕3号")
    issued_on: CoveredDate
    finding_ids: list[Id] = Field(min_length=1, max_length=50)
    findings: Text = Field(
        default="", max_length=4000, description="Summary; the findings' if empty"
    )
    measures: Text = Field(min_length=4, max_length=4000, description="Required measures")


class PlanIn(BaseModel):
    plan: Text = Field(min_length=4, max_length=4000)
    mechanisms: Text = Field(min_length=4, max_length=4000, description="长效机制")
    version: Version | None = None


class ReportIn(BaseModel):
    report: Text = Field(min_length=4, max_length=4000)
    version: Version | None = None


class ReviewIn(BaseModel):
    accept: bool
    note: Text = Field(default="", max_length=2000)
    version: Version | None = None


class OpenProblemIn(BaseModel):
    title: Line = Field(min_length=2, max_length=200)
    category_code: Line = Field(max_length=32)
    dispatch: bool = Field(default=True, description="Dispatch to the target's unit at once.")


class DispositionIn(BaseModel):
    subject_kind: Line = Field(max_length=16, description="person or organization")
    subject_name: Line = Field(min_length=2, max_length=128)
    subject_position: Line = Field(default="", max_length=128)
    form: int | None = Field(default=None, ge=1, le=4, description="四种形态; none for a 党组织")
    measure: Line = Field(min_length=1, max_length=32)
    authority_code: Line | None = Field(
        default=None, max_length=12, description="管理权限: the division managing the subject."
    )
    decided_on: CoveredDate
    finding_id: Id | None = None
    reason: Text = Field(default="", max_length=2000)


class CampaignOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    year: int
    theme: str
    kind: str
    division_code: str
    planned_targets: int
    created_at: datetime


class ProgressOut(BaseModel):
    planned: int
    targets: int
    done: int
    findings: int
    opinions: int
    open_rectifications: int
    overdue: int
    problems: int


class TargetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    campaign_id: int
    name: str
    kind: str
    division_code: str
    organization_id: int | None
    done_on: date | None


class VisitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    visited_on: date
    team: str
    note: str


class FindingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    target_id: int
    found_on: date
    summary: str
    detail: str
    problem_ids: list[int]


class OpinionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    campaign_id: int
    target_id: int
    organization_id: int
    issued_on: date
    findings: str
    finding_ids: list[int]
    measures: str
    reply_due: date
    reply_due_reason: str
    reply_due_rule: str | None
    report_due: date | None
    report_due_reason: str | None
    state: str
    plan: str
    mechanisms: str
    report: str
    review_note: str
    version: int


class DispositionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    campaign_id: int
    target_id: int
    finding_id: int | None
    subject_kind: str
    subject_name: str
    subject_position: str
    form: int | None
    measure: str
    authority_code: str
    decided_on: date
    reason: str


class CampaignDetailOut(CampaignOut):
    progress: ProgressOut
    targets: list[TargetOut] = Field(default_factory=list)


class TargetDetailOut(TargetOut):
    visits: list[VisitOut] = Field(default_factory=list)
    findings: list[FindingOut] = Field(default_factory=list)
    opinions: list[OpinionOut] = Field(default_factory=list)
