"""Inputs of the transfer routes (validated; a bad one is a Chinese 422 and changes nothing)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, field_validator

from eco263.transfers.enums import MEASURES, Complexity, TransferKind
from eco263.web.inputs import Id, Line, Text


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("不能为空")
    return value.strip()


class ProposalIn(BaseModel):
    kind: TransferKind = TransferKind.CRIMINAL
    problem_id: Id | None = None
    case_id: Id | None = None
    agency_org_id: Id | None = None
    summary: Text = Field(min_length=1, max_length=4000)

    _summary = field_validator("summary")(_not_blank)


class DecisionIn(BaseModel):
    transfer: bool
    reason: Text = Field(min_length=1, max_length=4000)
    police_org_id: Id | None = None
    procuratorate_org_id: Id | None = None

    _reason = field_validator("reason")(_not_blank)


class HandOverIn(BaseModel):
    materials: Text = Field(min_length=1, max_length=4000)

    _materials = field_validator("materials")(_not_blank)


class ReceiveIn(BaseModel):
    complexity: Complexity = Complexity.PLAIN


class NoteIn(BaseModel):
    note: Text = Field(min_length=1, max_length=4000)

    _note = field_validator("note")(_not_blank)


class PoliceDecisionIn(BaseModel):
    file: bool
    reason: Text = Field(min_length=1, max_length=4000)

    _reason = field_validator("reason")(_not_blank)


class PersonOutcome(BaseModel):
    name: Line = Field(min_length=1, max_length=40)
    measure: Line
    on: date
    note: Line = Field(default="", max_length=200)

    @field_validator("measure")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in MEASURES:
            raise ValueError("未知措施：" + "、".join(MEASURES))
        return value


class OutcomeIn(BaseModel):
    persons: list[PersonOutcome] = Field(min_length=1, max_length=50)
    note: Line = Field(default="", max_length=200)
