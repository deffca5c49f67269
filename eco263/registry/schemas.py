"""Registry API bodies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


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
    uscc: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=2, max_length=128)
    division_code: str
    address: str | None = None
    industry: str | None = None


class EnterpriseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    uscc: str
    name: str
    division_code: str
    address: str | None
    industry: str | None
