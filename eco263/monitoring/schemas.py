"""Monitoring API bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from eco263.web.inputs import Id, Line


class PointCreate(BaseModel):
    mn: Line = Field(min_length=7, max_length=32)
    password: Line = Field(min_length=1, max_length=32)
    name: Line = Field(min_length=2, max_length=128)
    medium: Line = Field(default="water", max_length=8)
    division_code: Line = Field(max_length=12)
    enterprise_id: Id | None = None
    crc_mode: Line = Field(default="hj212", max_length=32)
    always_ack: bool = False


class PointUpdate(BaseModel):
    """Fields left out are unchanged; any other field (MN, division …) is refused, not ignored."""

    model_config = ConfigDict(extra="forbid")

    password: Line | None = Field(default=None, min_length=1, max_length=32)
    crc_mode: Line | None = Field(default=None, max_length=32)
    always_ack: bool | None = None
    active: bool | None = None


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
