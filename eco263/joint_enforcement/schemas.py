"""Request and response bodies of the 联合执法 API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from eco263.web.inputs import CoveredDate, Id, Line, Text, Version


class LeaderGrantIn(BaseModel):
    user_id: Id
    division_code: Line = Field(max_length=12)


class JointRequestIn(BaseModel):
    division_code: Line = Field(max_length=12)
    site_name: Line = Field(min_length=2, max_length=200)
    site_address: Line = Field(min_length=2, max_length=200)
    site_lon: float | None = Field(default=None, ge=73, le=136)
    site_lat: float | None = Field(default=None, ge=3, le=54)
    operator: Line = Field(default="", max_length=64)
    enterprise_id: Id | None = None
    category_code: Line = Field(default="6T.sanluanwu", max_length=32)
    reason: Text = Field(min_length=4, max_length=2000)
    evidence: Text = Field(default="", max_length=2000)
    proposed_unit_ids: list[Id] = Field(min_length=1, max_length=20)


class DecisionIn(BaseModel):
    approve: bool
    note: Text = Field(default="", max_length=1000)
    version: Version | None = None


class PlanUnitIn(BaseModel):
    organization_id: Id
    is_lead: bool = False
    tasks: Text = Field(min_length=2, max_length=1000)
    due_date: CoveredDate | None = Field(
        default=None, description="Earlier than the plan's deadline if set; never later."
    )


class PlanIn(BaseModel):
    action_date: CoveredDate
    note: Text = Field(default="", max_length=2000)
    units: list[PlanUnitIn] = Field(min_length=1, max_length=20)
    version: Version | None = None


class ResultIn(BaseModel):
    route: Line = Field(max_length=8)
    checklist: dict[str, Id] = Field(
        default_factory=dict, description="两断三清 item → photo attachment id on the problem."
    )
    note: Text = Field(default="", max_length=2000)
    version: Version | None = None


class VerifyIn(BaseModel):
    accept: bool
    note: Text = Field(default="", max_length=1000)
    version: Version | None = None


class StepIn(BaseModel):
    version: Version | None = None


class JointUnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    organization_id: int
    is_lead: bool
    tasks: str
    due_date: date | None
    assignment_id: int | None


class JointRequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    division_code: str
    site_name: str
    site_address: str
    site_lon: float | None
    site_lat: float | None
    operator: str
    enterprise_id: int | None
    reason: str
    proposed_unit_ids: list[int]
    state: str
    decision_due: date | None
    decision_due_reason: str | None
    reminder: str
    requested_at: datetime
    action_date: date | None
    plan_approved_at: datetime | None
    plan_due: date | None
    plan_due_reason: str | None
    problem_id: int | None
    route: str | None
    checklist: dict[str, Any] | None
    closed_at: datetime | None
    version: int
    units: list[JointUnitOut] = Field(default_factory=list)
