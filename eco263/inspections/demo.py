"""The 2018 专项巡察 of bulletin no. 70 (``eco263/data/demo_inspections.yaml``), replayed
through the real actions by the users who take each step, at the story's dates."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from eco263.auth.replay import acting_as as _as
from eco263.context import Ctx
from eco263.inspections import actions
from eco263.inspections.models import InspectionCampaign
from eco263.inspections.schemas import (
    CampaignIn,
    DispositionIn,
    FindingIn,
    OpenProblemIn,
    OpinionIn,
    TargetIn,
    VisitIn,
)
from eco263.registry.models import Organization


def _story() -> dict[str, Any]:
    path = Path(str(resources.files("eco263") / "data" / "demo_inspections.yaml"))
    story: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return story


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _org(ctx: Ctx, name: str) -> int:
    found = ctx.session.scalar(select(Organization.id).where(Organization.name == name))
    if found is None:
        raise KeyError(f"没有单位 {name}")
    return found


def replay(ctx: Ctx) -> int:
    """Seed the campaign once (skipped when a campaign exists); returns the targets added."""
    if ctx.session.scalar(select(InspectionCampaign.id).limit(1)) is not None:
        return 0
    story = _story()
    c = story["campaign"]
    jiwei = _as(ctx, c["by"], c["at"])
    campaign = actions.do_create_campaign(
        jiwei,
        CampaignIn(
            year=c["year"],
            theme=c["theme"],
            kind=c["kind"],
            planned_targets=c["planned_targets"],
            note=c.get("note", ""),
        ),
    )
    targets: dict[str, int] = {}
    findings: dict[str, int] = {}
    for t in story["targets"]:
        target = actions.do_add_target(
            jiwei,
            campaign.id,
            TargetIn(
                name=t["name"],
                kind=t["kind"],
                division_code=str(t["division"]),
                organization_id=_org(ctx, t["unit"]) if t.get("unit") else None,
            ),
        )
        targets[t["name"]] = target.id
        for v in t.get("visits", []):
            on = _day(v["date"])
            actions.do_record_visit(
                _as(ctx, c["by"], f"{on.isoformat()}T17:00"),
                target.id,
                VisitIn(visited_on=on, team=v.get("team", ""), note=v.get("note", "")),
            )
        for f in t.get("findings", []):
            on = _day(f["date"])
            finding = actions.do_record_finding(
                _as(ctx, c["by"], f"{on.isoformat()}T17:30"),
                target.id,
                FindingIn(found_on=on, summary=f["summary"], detail=f.get("detail", "")),
            )
            findings[f["key"]] = finding.id
        if t.get("done"):
            done = _day(t["done"])
            actions.do_finish_target(
                _as(ctx, c["by"], f"{done.isoformat()}T17:00"), target.id, done
            )
    o = story["opinion"]
    issuer = _as(ctx, o["by"], o["at"])
    opinion = actions.do_issue_opinion(
        issuer,
        targets[o["target"]],
        OpinionIn(
            number=o["number"],
            issued_on=issuer.today,
            finding_ids=[findings[k] for k in o["findings"]],
            measures=o["measures"],
        ),
    )
    p = story["problem"]
    actions.do_open_problem(
        _as(ctx, p["by"], p["at"]),
        findings[p["finding"]],
        OpenProblemIn(title=p["title"], category_code=p["category"]),
    )
    d = story["disposition"]
    decider = _as(ctx, d["by"], d["at"])
    actions.do_dispose(
        decider,
        targets[d["target"]],
        DispositionIn(
            subject_kind=d["subject_kind"],
            subject_name=d["subject_name"],
            subject_position=d.get("subject_position", ""),
            form=d.get("form"),
            measure=d["measure"],
            decided_on=decider.today,
            finding_id=findings[d["finding"]] if d.get("finding") else None,
            reason=d.get("reason", ""),
        ),
    )
    plan = story["plan"]
    actions.do_submit_plan(
        _as(ctx, plan["by"], plan["at"]), opinion.id, plan["plan"], plan["mechanisms"]
    )
    return len(targets)
