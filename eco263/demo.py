"""The April 2018 story of bulletin No. 70, replayed through the real actions at their dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from eco263.actor import SYSTEM
from eco263.clock import ensure_aware
from eco263.context import Ctx
from eco263.problems import actions, service
from eco263.problems.enums import Move
from eco263.problems.schemas import AssignmentSpec, ProblemCreate
from eco263.registry.actions import do_create_enterprise
from eco263.registry.models import Enterprise
from eco263.seed import org_id


def load_story() -> dict[str, Any]:
    path = Path(str(resources.files("eco263") / "data" / "demo_bulletin.yaml"))
    story: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return story


def _at(ctx: Ctx, value: datetime | str) -> Ctx:
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return replace(ctx, now=ensure_aware(at))


def seed_enterprises(ctx: Ctx, story: dict[str, Any]) -> int:
    added = 0
    for row in story["enterprises"]:
        if ctx.session.scalar(select(Enterprise.id).where(Enterprise.uscc == row["uscc"])):
            continue
        do_create_enterprise(
            replace(ctx, actor=SYSTEM),
            uscc=row["uscc"],
            name=row["name"],
            division_code=row["division"],
            address=row.get("address"),
            industry=row.get("industry"),
        )
        added += 1
    return added


def seed_story(ctx: Ctx) -> int:
    """Register, dispatch and move the bulletin's problems; skip if the ledger has them already."""
    story = load_story()
    seed_enterprises(ctx, story)
    if not service.ledger_is_empty(ctx.session):
        return 0
    for item in story["problems"]:
        _replay_problem(ctx, item)
    return len(story["problems"])


def _replay_problem(ctx: Ctx, item: dict[str, Any]) -> None:
    enterprise_id = None
    if item.get("enterprise"):
        enterprise_id = ctx.session.scalar(
            select(Enterprise.id).where(Enterprise.uscc == str(item["enterprise"]))
        )
    body = ProblemCreate(
        title=item["title"],
        description=item.get("description", ""),
        source=item["source"],
        category_code=item["category"],
        division_code=str(item["division"]),
        found_on=_date(item["found_on"]),
        enterprise_id=enterprise_id,
        location=item.get("location"),
        water_body=item.get("water_body"),
        # A task set for a term (the bulletin's date): the problem's own deadline, so that its
        # unit's deadline is not after it (dispatch refuses that).
        due_date=_date(item["due"]) if item.get("due") else None,
    )
    problem = actions.do_register_problem(_at(ctx, item["registered_at"]), body)
    dispatch = item.get("dispatch")
    if dispatch:
        due = _date(dispatch["due"]) if dispatch.get("due") else None
        lead = AssignmentSpec(organization_id=org_id(ctx, dispatch["lead"]), due_date=due)
        co = [AssignmentSpec(organization_id=org_id(ctx, n)) for n in dispatch.get("co", [])]
        actions.do_dispatch(_at(ctx, dispatch["at"]), problem.id, lead, co)
    for step in item.get("moves", []):
        unit = org_id(ctx, step["unit"])
        (assignment_id,) = [
            a.id
            for a in service.assignments_of(ctx.session, problem.id)
            if a.organization_id == unit
        ]
        actions.do_move(
            _at(ctx, step["at"]), assignment_id, Move(step["move"]), note=step.get("note", "")
        )


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
