"""What the demos' replays share: their story files, and acting as a named user at a time.

Each domain's ``demo.py`` replays a part of bulletin No. 70 through its real actions, every
step by the user who takes it at the date it happened; this is how such a step gets its ``Ctx``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from eco263.auth.service import actor_for_username
from eco263.clock import ensure_aware
from eco263.context import Ctx


def load_story(name: str) -> dict[str, Any]:
    """A story file of ``eco263/data`` (``demo_inquiries.yaml``)."""
    path = Path(str(resources.files("eco263") / "data" / name))
    story: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return story


def acting_as(ctx: Ctx, username: str, at: datetime | str) -> Ctx:
    """``ctx`` as ``username`` at ``at`` (an ISO text is Beijing time when it names no zone)."""
    when = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
    return replace(ctx, now=ensure_aware(when), actor=actor_for_username(ctx.session, username))


def as_date(value: date | str) -> date:
    """A story's date, as YAML gave it (a date, or its ISO text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))
