"""Registry API bodies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from eco263.web.inputs import Line


class DivisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    short_name: str | None
    kind: str
    parent_code: str | None


class OrganizationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: str
    division_code: str


class EnterpriseCreate(BaseModel):
    uscc: Line = Field(min_length=1, max_length=32)
    name: Line = Field(min_length=2, max_length=128)
    division_code: Line = Field(max_length=12)
    address: Line | None = Field(default=None, max_length=256)
    industry: Line | None = Field(default=None, max_length=64)


class EnterpriseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    uscc: str
    name: str
    division_code: str
    address: str | None
    industry: str | None
