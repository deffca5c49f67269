"""Notification inputs and outputs (REST and pages)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from eco263.notifications.enums import Channel, Kind
from eco263.web.inputs import Id, Line


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    title: str
    body: str
    href: str | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    unread: int
    items: list[NotificationOut]


class ReadIn(BaseModel):
    """Mark some of one's messages read (``ids``), or all of them (``all``)."""

    model_config = ConfigDict(extra="forbid")

    ids: list[Id] = Field(default_factory=list, max_length=500)
    all: bool = False


class ProfileIn(BaseModel):
    """A user's notification settings (``quiet_*`` as 时:分, Beijing time; empty = none)."""

    model_config = ConfigDict(extra="forbid")

    email: Line | None = Field(default=None, max_length=254)
    phone: Line | None = Field(default=None, max_length=20)
    channels: dict[Kind, list[Channel]] = Field(default_factory=dict)
    quiet_start: Line | None = Field(default=None, max_length=5)
    quiet_end: Line | None = Field(default=None, max_length=5)
    digest: bool = False


class ProfileOut(BaseModel):
    email: str | None
    phone: str | None
    channels: dict[str, list[str]]
    quiet_start: str
    quiet_end: str
    digest: bool
    available: list[str]
