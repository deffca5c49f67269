"""The notifications' part of the demo: 催办 on open assignments and one user's settings,
replayed through the real actions as the real users (``data/demo_notifications.yaml``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from eco263.auth.service import actor_for_username
from eco263.clock import ensure_aware, parse_now
from eco263.context import Ctx
from eco263.notifications.actions import do_set_preferences
from eco263.notifications.schemas import ProfileIn
from eco263.problems import actions as ledger
from eco263.problems import service as problems
from eco263.registry.models import Organization


def _story() -> dict[str, Any]:
    path = Path(str(resources.files("eco263") / "data" / "demo_notifications.yaml"))
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def _as(ctx: Ctx, username: str, at: Any = None) -> Ctx:
    actor = actor_for_username(ctx.session, username)
    if at is None:
        return replace(ctx, actor=actor)
    when = ensure_aware(at) if isinstance(at, datetime) else parse_now(str(at))
    return replace(ctx, actor=actor, now=when)


def replay_notifications(ctx: Ctx) -> int:
    """Replay the story; returns the number of steps taken."""
    story = _story()
    steps = 0
    for item in story.get("preferences", []):
        do_set_preferences(
            _as(ctx, item["user"]),
            ProfileIn(
                email=item.get("email"),
                quiet_start=item.get("quiet_start"),
                quiet_end=item.get("quiet_end"),
                digest=bool(item.get("digest")),
            ),
        )
        steps += 1
    for item in story.get("urges", []):
        problem_id = problems.problem_id_by_title(ctx.session, item["problem"])
        unit = ctx.session.scalar(select(Organization.id).where(Organization.name == item["unit"]))
        if problem_id is None or unit is None:
            continue
        for a in problems.assignments_of(ctx.session, problem_id):
            if a.organization_id == unit:
                ledger.do_urge(_as(ctx, item["by"], item["at"]), a.id, item["note"])
                steps += 1
    return steps
