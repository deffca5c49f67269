"""The enforcement stories of the demo (``eco263/data/demo_enforcement.yaml``): the 张家港海事局
penalty from 立案 to 结案, and the 依利安达 case handed to 昆山市公安局 — each step through the
real actions, as the real demo user, at the story's time.  Idempotent: a second run does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from eco263.auth.service import actor_for_username
from eco263.clock import ensure_aware
from eco263.context import Ctx
from eco263.enforcement import actions as cases
from eco263.enforcement import service as case_service
from eco263.registry.enums import OrgKind
from eco263.registry.models import Enterprise
from eco263.transfers import actions, service
from eco263.transfers.schemas import (
    DecisionIn,
    HandOverIn,
    OutcomeIn,
    PoliceDecisionIn,
    ProposalIn,
    ReceiveIn,
)

#: A case step of the story: the action it calls (its other keys are the action's arguments).
MOVES: dict[str, Callable[..., object]] = {
    "file": cases.do_file_case,
    "not_file": cases.do_refuse_filing,
    "investigated": cases.do_finish_investigation,
    "legal_review": cases.do_legal_review,
    "notify": cases.do_notify,
    "hearing_request": cases.do_request_hearing,
    "hearing_held": cases.do_hold_hearing,
    "decide": cases.do_decide,
    "serve": cases.do_serve,
    "pay": cases.do_record_payment,
    "close": cases.do_close_case,
    "pause": cases.do_pause_clock,
    "resume": cases.do_resume_clock,
}


def load_story() -> dict[str, Any]:
    path = Path(str(resources.files("eco263") / "data" / "demo_enforcement.yaml"))
    story: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return story


def _as(ctx: Ctx, step: dict[str, Any]) -> Ctx:
    at = step["at"] if isinstance(step["at"], datetime) else datetime.fromisoformat(step["at"])
    actor = actor_for_username(ctx.session, str(step["user"]))
    return replace(ctx, now=ensure_aware(at), actor=actor)


def _args(step: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in step.items() if k not in ("user", "at", "move")}


def _replay_case(ctx: Ctx, item: dict[str, Any]) -> int:
    opening = _args(item["open"])
    uscc = opening.pop("enterprise", None)
    if uscc:
        opening["enterprise_id"] = ctx.session.scalar(
            select(Enterprise.id).where(Enterprise.uscc == str(uscc))
        )
    case = cases.do_open_case(_as(ctx, item["open"]), **opening)
    for step in item.get("steps", []):
        MOVES[step["move"]](_as(ctx, step), case.id, **_args(step))
    return case.id


def _police(ctx: Ctx, name: str) -> int:
    for org_id, org_name, _division in service.units_of_kind(ctx.session, OrgKind.POLICE):
        if org_name == name:
            return org_id
    raise LookupError(f"演示数据：没有公安机关 {name}")


def _replay_transfer(ctx: Ctx, item: dict[str, Any], case_id: int) -> None:
    step = item["propose"]
    body = ProposalIn(case_id=case_id, summary=step["summary"])
    t = actions.do_propose(_as(ctx, step), body)
    step = item["decide"]
    decision = DecisionIn(
        transfer=True, reason=step["reason"], police_org_id=_police(ctx, step["police"])
    )
    actions.do_decide(_as(ctx, step), t.id, decision)
    step = item["hand_over"]
    actions.do_hand_over(_as(ctx, step), t.id, HandOverIn(materials=step["materials"]))
    step = item["receive"]
    actions.do_receive(_as(ctx, step), t.id, ReceiveIn(complexity=step["complexity"]))
    step = item["police_decide"]
    filing = PoliceDecisionIn(file=bool(step["file"]), reason=step["reason"])
    actions.do_police_decide(_as(ctx, step), t.id, filing)
    step = item["outcome"]
    outcome = OutcomeIn(persons=step["persons"], note=step.get("note", ""))
    actions.do_record_outcome(_as(ctx, step), t.id, outcome)


def replay(ctx: Ctx) -> int:
    """Replay the stories once (nothing if a penalty case exists already); the cases replayed."""
    if case_service.any_case(ctx.session):
        return 0
    story = load_story()
    ids = {item["key"]: _replay_case(ctx, item) for item in story.get("cases", [])}
    for item in story.get("transfers", []):
        _replay_transfer(ctx, item, ids[item["case"]])
    return len(ids)
