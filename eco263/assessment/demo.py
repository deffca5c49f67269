"""The demo's 2018 assessment (``eco263/data/demo_assessment.yaml``) through the real actions,
as the city office at its own times: the 2018 scheme imported and put in use, the districts'
scores for April 2018 computed from the demo's record, the province's 2017 table imported.
Each step is skipped when its result is there already (a second replay changes nothing)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from eco263.assessment import actions, service
from eco263.assessment.enums import Level, SchemeState
from eco263.assessment.models import AssessmentScheme, AssessmentScore
from eco263.auth.replay import acting_as as _as
from eco263.context import Ctx


def _data(name: str) -> str:
    return Path(str(resources.files("eco263") / "data" / name)).read_text(encoding="utf-8")


def load() -> dict[str, Any]:
    story: dict[str, Any] = yaml.safe_load(_data("demo_assessment.yaml"))
    return story


def _scheme(ctx: Ctx, story: dict[str, Any]) -> tuple[AssessmentScheme, bool]:
    """The year's city scheme in use, imported and activated when there is none."""
    text = _data(story["scheme"])
    year = int(yaml.safe_load(text)["year"])
    found = ctx.session.scalars(
        select(AssessmentScheme)
        .where(
            AssessmentScheme.year == year,
            AssessmentScheme.level == Level.CITY_DISTRICT.value,
        )
        .order_by(AssessmentScheme.version.desc())
    ).all()
    in_use = [s for s in found if s.state == SchemeState.IN_USE.value]
    if in_use:
        return in_use[0], False
    scheme = actions.do_import_scheme(_as(ctx, story["by"], story["import_at"]), text)
    activating = _as(ctx, story["by"], story["activate_at"])
    return actions.do_activate_scheme(activating, scheme.id), True


def replay(ctx: Ctx) -> int:
    """Run the missing steps; returns how many ran (0 on a second replay)."""
    story = load()
    scheme, imported = _scheme(ctx, story)
    ran = int(imported)
    period = str(story["compute"]["period"])
    stored = ctx.session.scalar(
        select(AssessmentScore.id).where(
            AssessmentScore.scheme_id == scheme.id, AssessmentScore.period == period
        )
    )
    if stored is None:
        actions.do_compute_scores(_as(ctx, story["by"], story["compute"]["at"]), scheme.id, period)
        ran += 1
    province = story["province"]
    if not service.province_table(ctx.session, int(province["year"])):
        actions.do_import_province(
            _as(ctx, story["by"], province["at"]),
            int(province["year"]),
            _data(province["file"]),
            "yaml",
        )
        ran += 1
    return ran
