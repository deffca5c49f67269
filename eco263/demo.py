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
from eco263.assessment import demo as assessment_demo
from eco263.auth.service import actor_for_username
from eco263.bulletin import demo as bulletin_demo
from eco263.clock import ensure_aware
from eco263.context import Ctx
from eco263.enforcement import demo as changshu_demo
from eco263.inquiries import demo as inquiries_demo
from eco263.inspections import demo as inspections_demo
from eco263.joint_enforcement import actions as joint_actions
from eco263.joint_enforcement import service as joint_service
from eco263.joint_enforcement.schemas import JointRequestIn, PlanIn, PlanUnitIn
from eco263.notifications.demo import replay_notifications
from eco263.petitions import demo as petitions_demo
from eco263.problems import actions, service
from eco263.problems.enums import Move
from eco263.problems.schemas import AssignmentSpec, ProblemCreate
from eco263.registry.actions import do_create_enterprise
from eco263.registry.models import Enterprise
from eco263.seed import org_id
from eco263.transfers import demo as enforcement_demo


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
    for case in story.get("joint_enforcement", []):
        replay_joint_enforcement(ctx, case)
    inspections_demo.replay(ctx)
    inquiries_demo.replay(ctx)  # the 2018-04-27 专题询问 (eco263/data/demo_inquiries.yaml)
    # the 高新区 带案下访 of 2018-04-25 (eco263/data/demo_petitions.yaml): 3 ledger problems
    opened = petitions_demo.replay(ctx)
    enforcement_demo.replay(ctx)
    changshu_demo.replay(ctx)  # 常熟 全过程执法 (eco263/data/demo_changshu.yaml)
    replay_notifications(ctx)  # 催办 and a user's notification settings
    # the 2018 scheme, April's scores from the record above (eco263/data/demo_assessment.yaml);
    # before the bulletin, which drafts from the latest ranking
    assessment_demo.replay(ctx)
    bulletin_demo.replay(ctx)  # 工作动态 第70期 (eco263/data/demo_bulletin_issue.yaml)
    return len(story["problems"]) + len(story.get("joint_enforcement", [])) + opened


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


def _as(ctx: Ctx, username: str, at: Any) -> Ctx:
    return replace(_at(ctx, at), actor=actor_for_username(ctx.session, username))


def replay_joint_enforcement(ctx: Ctx, case: dict[str, Any]) -> None:
    """The 相城区 联合执法 of bulletin no. 70, each step by the user who takes it."""
    office, leader, req = case["office"], case["leader"], case["request"]
    granter = _as(ctx, office, req["at"])
    leader_id = actor_for_username(ctx.session, leader).user_id
    assert leader_id is not None  # noqa: S101 - a demo user
    if not joint_service.is_leader(ctx.session, leader_id, "320507"):
        joint_actions.do_grant_leader(granter, leader_id, "320507")
    enterprise_id = ctx.session.scalar(
        select(Enterprise.id).where(Enterprise.uscc == str(case["enterprise"]))
    )
    request = joint_actions.do_request(
        _as(ctx, req["by"], req["at"]),
        JointRequestIn(
            division_code="320507",
            site_name=case["site_name"],
            site_address=case["site_address"],
            site_lon=case.get("site_lon"),
            site_lat=case.get("site_lat"),
            operator=case.get("operator", ""),
            enterprise_id=enterprise_id,
            category_code=case["category"],
            reason=case["reason"],
            evidence=case.get("evidence", ""),
            proposed_unit_ids=[org_id(ctx, n) for n in req["units"]],
        ),
    )
    step = case["approve"]
    joint_actions.do_decide_request(
        _as(ctx, leader, step["at"]), request.id, True, step.get("note", "")
    )
    plan = case["plan"]
    units = [
        PlanUnitIn(
            organization_id=org_id(ctx, u["unit"]), is_lead=u.get("lead", False), tasks=u["tasks"]
        )
        for u in plan["units"]
    ]
    body = PlanIn(action_date=_date(plan["action_date"]), note=plan.get("note", ""), units=units)
    joint_actions.do_plan(_as(ctx, office, plan["at"]), request.id, body)
    step = case["approve_plan"]
    joint_actions.do_decide_plan(
        _as(ctx, leader, step["at"]), request.id, True, step.get("note", "")
    )
    joint_actions.do_issue(_as(ctx, office, case["issue"]["at"]), request.id)
    by_org = {
        u.organization_id: u.assignment_id for u in joint_service.units_of(ctx.session, request.id)
    }
    for move in case.get("moves", []):
        mover = _as(ctx, move["user"], move["at"])
        unit = org_id(ctx, move["unit"]) if move.get("unit") else mover.actor.organization_id
        assignment_id = by_org[unit or 0]
        assert assignment_id is not None  # noqa: S101 - issued
        actions.do_move(mover, assignment_id, Move(move["move"]), note=move.get("note", ""))
