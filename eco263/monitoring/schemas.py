"""Monitoring API bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from eco263.web.inputs import FiniteFloat, Id, Line


class PointCreate(BaseModel):
    mn: Line = Field(min_length=7, max_length=32)
    password: Line = Field(min_length=1, max_length=32)
    name: Line = Field(min_length=2, max_length=128)
    medium: Line = Field(default="water", max_length=8)
    division_code: Line = Field(max_length=12)
    enterprise_id: Id | None = None
    crc_mode: Line = Field(default="hj212", max_length=16)
    always_ack: bool = False


class LimitIn(BaseModel):
    """排放限值 of one pollutant at a point: a finite number (NaN and infinity refused)."""

    pollutant: Line = Field(min_length=2, max_length=16)
    limit: FiniteFloat
    unit: Line = Field(max_length=16)
    standard: Line = Field(max_length=64)
    basis: Line = Field(default="both", max_length=8)


class PointOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    mn: str
    name: str
    medium: str
    division_code: str
    enterprise_id: int | None
    crc_mode: str
    always_ack: bool
    active: bool


class ReadingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    data_time: datetime
    pollutant: str
    rtd: float | None
    avg: float | None
    min: float | None
    max: float | None
    cou: float | None
    flag: str | None
    packet_id: int | None


class LatestOut(BaseModel):
    point: PointOut
    cn: str
    data_time: datetime | None
    readings: list[ReadingOut]


class DeadLetterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    received_at: datetime
    peer: str
    mn: str | None
    reason: str
    message: str
    position: int | None
    sha256: str
