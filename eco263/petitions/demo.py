"""The 高新区 带案下访 of bulletin no. 70 (``eco263/data/demo_petitions.yaml``), replayed through
the real actions, each step by the demo user who takes it at its own time: the three petitions
registered and accepted by the 高新区263办, taken on the visit of 2018-04-25 led by the
高新区环保局's deputy head, the 华能 finding to the ledger and the two 一企一策 due 2018-05-31
dispatched to the 高新区环保局 (which signs for them), then a repeat complaint flagged."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from eco263.actor import SYSTEM
from eco263.auth.replay import acting_as as _as
from eco263.auth.replay import as_date as _date
from eco263.auth.replay import load_story
from eco263.context import Ctx
from eco263.petitions import actions, service, visit_actions
from eco263.petitions.schemas import (
    ContactIn,
    IntakeIn,
    PetitionIn,
    PlanIn,
    VisitIn,
    VisitItemIn,
)
from eco263.problems import actions as ledger
from eco263.problems import service as ledger_service
from eco263.problems.enums import Move
from eco263.problems.schemas import AssignmentSpec
from eco263.registry.models import Enterprise, Organization


def load() -> dict[str, Any]:
    return load_story("demo_petitions.yaml")


def _enterprise(ctx: Ctx, uscc: str) -> int:
    found = ctx.session.scalar(select(Enterprise.id).where(Enterprise.uscc == str(uscc)))
    if found is None:
        raise KeyError(f"没有企业 {uscc}")
    return found


def _org(ctx: Ctx, name: str) -> int:
    found = ctx.session.scalar(select(Organization.id).where(Organization.name == name))
    if found is None:
        raise KeyError(f"没有单位 {name}")
    return found


def _register(ctx: Ctx, office: str, row: dict[str, Any], repeat_of: int | None = None) -> int:
    contact = row.get("contact") or {}
    p = actions.do_register(
        _as(ctx, office, row["at"]),
        PetitionIn(
            channel=str(row["channel"]),
            kind=row["kind"],
            topic=row["topic"],
            description=row["description"],
            location=row.get("location"),
            division_code="320505",
            enterprise_id=_enterprise(ctx, row["enterprise"]) if row.get("enterprise") else None,
            received_on=_date(row["received_on"]),
            hotline_no=row.get("hotline_no"),
            repeat_of_id=repeat_of,
            contact=ContactIn(**contact),
        ),
    )
    return p.id


def _accept_lead(ctx: Ctx, user: str, problem_id: int, at: str) -> None:
    (assignment,) = ledger_service.assignments_of(ctx.session, problem_id)
    ledger.do_move(_as(ctx, user, at), assignment.id, Move.ACCEPT)


def replay(ctx: Ctx) -> int:
    """Returns the ledger problems opened (the 华能 finding and the two 一企一策), 0 when the
    visit is on record already (idempotent)."""
    story = load()
    v = story["visit"]
    if any(
        x.visited_on == _date(v["visited_on"]) and x.division_code == str(v["division"])
        for x in service.list_visits(ctx.session, SYSTEM)
    ):
        return 0
    office, unit_user = story["office"], story["unit_user"]
    ids: dict[str, int] = {}
    for row in story["petitions"]:
        ids[row["key"]] = _register(ctx, office, row)
        actions.do_intake(
            _as(ctx, office, row["accept_at"]), ids[row["key"]], IntakeIn(decision="accept")
        )
    visit = visit_actions.do_record_visit(
        _as(ctx, office, v["at"]),
        VisitIn(
            division_code=str(v["division"]),
            visited_on=_date(v["visited_on"]),
            place=v["place"],
            leader_name=v["leader_name"],
            leader_post=v.get("leader_post"),
            leader_org_id=_org(ctx, v["leader_org"]) if v.get("leader_org") else None,
            team=v.get("team"),
            findings=v["findings"],
            agreed=v.get("agreed", ""),
            items=[
                VisitItemIn(petition_id=ids[key], finding=i["finding"], agreed=i["agreed"])
                for key, i in v["items"].items()
            ],
        ),
    )
    for pr in story.get("problems", []):
        p = actions.do_open_problem(
            _as(ctx, office, pr["at"]),
            ids[pr["petition"]],
            pr["title"],
            pr["category"],
            due_date=_date(pr["due"]),
        )
        problem_id = p.problem_ids[-1]
        d = pr["dispatch"]
        ledger.do_dispatch(
            _as(ctx, office, d["at"]),
            problem_id,
            AssignmentSpec(organization_id=_org(ctx, d["lead"])),
            [],
        )
        if pr.get("accept_at"):
            _accept_lead(ctx, unit_user, problem_id, pr["accept_at"])
    for pl in story.get("plans", []):
        plan = visit_actions.do_open_plan(
            _as(ctx, office, pl["at"]),
            ids[pl["petition"]],
            PlanIn(
                title=pl["title"],
                measures=pl["measures"],
                owner_org_id=_org(ctx, pl["owner"]),
                due_date=_date(pl["due"]),
                visit_id=visit.id,
            ),
        )
        if pl.get("accept_at"):
            _accept_lead(ctx, unit_user, plan.problem_id, pl["accept_at"])
    for row in story.get("repeats", []):
        ids[row["key"]] = _register(ctx, office, row, repeat_of=ids[row["repeat_of"]])
    return len(story.get("problems", [])) + len(story.get("plans", []))
