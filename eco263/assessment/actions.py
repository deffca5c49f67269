"""Assessment writes: import a scheme (a new version), edit a draft, put a version in use
(the previous one superseded), enter a value, compute and store the scores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml
from sqlalchemy import delete, select

from eco263.assessment import service
from eco263.assessment.enums import AuditAction, SchemeState
from eco263.assessment.models import (
    AssessmentScheme,
    AssessmentScore,
    AssessmentValue,
    ProvinceScore,
)
from eco263.assessment.published import check_year, parse_table
from eco263.assessment.rules import (
    DivisionScore,
    Period,
    division_score,
    parse_period,
    parse_scheme,
    rank,
)
from eco263.assessment.sources import SOURCES
from eco263.context import Ctx
from eco263.errors import Conflict, InvalidInput

MAX_YAML = 200_000


def _load_yaml(text: str) -> Any:
    if len(text) > MAX_YAML:
        raise InvalidInput("考核方案文件过大")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput("考核方案不是有效的 YAML") from exc


def do_import_scheme(ctx: Ctx, text: str) -> AssessmentScheme:
    """A new version (a draft) of the year's scheme at its level."""
    service.require_editor(ctx.actor)
    spec = parse_scheme(_load_yaml(text), SOURCES)
    version = service.latest_version(ctx.session, spec.year, spec.level) + 1
    scheme = AssessmentScheme(
        year=spec.year,
        level=spec.level.value,
        version=version,
        title=spec.title,
        state=SchemeState.DRAFT.value,
        spec=spec.as_dict(),
        created_at=ctx.now,
        created_by=ctx.actor.user_id,
    )
    ctx.session.add(scheme)
    ctx.session.flush()
    after = {"year": spec.year, "level": spec.level.value, "version": version}
    ctx.audit(AuditAction.SCHEME_IMPORT, "assessment_scheme", scheme.id, None, after)
    return scheme


def do_update_scheme(ctx: Ctx, scheme_id: int, text: str) -> AssessmentScheme:
    """Edit a draft; a scheme in use (or superseded) is never edited, only superseded."""
    service.require_editor(ctx.actor)
    scheme = service.get_scheme(ctx.session, scheme_id)
    if scheme.state != SchemeState.DRAFT.value:
        raise Conflict("考核方案已启用，不能修改；请导入新版本取代它")
    spec = parse_scheme(_load_yaml(text), SOURCES)
    if (spec.year, spec.level.value) != (scheme.year, scheme.level):
        raise InvalidInput("修改草稿不能改变年度或考核层级")
    before = scheme.spec
    scheme.spec, scheme.title = spec.as_dict(), spec.title
    ctx.audit(AuditAction.SCHEME_UPDATE, "assessment_scheme", scheme.id, before, scheme.spec)
    return scheme


def do_activate_scheme(ctx: Ctx, scheme_id: int) -> AssessmentScheme:
    service.require_editor(ctx.actor)
    scheme = service.get_scheme(ctx.session, scheme_id)
    if scheme.state != SchemeState.DRAFT.value:
        raise Conflict("只有草稿可以启用")
    in_use = ctx.session.scalars(
        select(AssessmentScheme).where(
            AssessmentScheme.year == scheme.year,
            AssessmentScheme.level == scheme.level,
            AssessmentScheme.state == SchemeState.IN_USE.value,
        )
    )
    for old in in_use:
        old.state = SchemeState.SUPERSEDED.value
        ctx.audit(
            AuditAction.SCHEME_ACTIVATE,
            "assessment_scheme",
            old.id,
            {"state": SchemeState.IN_USE.value},
            {"state": old.state, "by": scheme.id},
        )
    scheme.state = SchemeState.IN_USE.value
    ctx.audit(
        AuditAction.SCHEME_ACTIVATE,
        "assessment_scheme",
        scheme.id,
        {"state": SchemeState.DRAFT.value},
        {"state": scheme.state},
    )
    return scheme


def do_enter_value(
    ctx: Ctx, scheme_id: int, period: str, division: str, indicator: str, value: float
) -> None:
    """An entered completion rate (0–100 %) of an ``entered`` indicator."""
    service.require_editor(ctx.actor)
    scheme = service.get_scheme(ctx.session, scheme_id)
    parse_period(period)
    if service.spec_of(scheme).indicator(indicator).source is not None:
        raise InvalidInput(f"指标 {indicator} 由系统计算，不能录入")
    if division not in {s.code for s in service.scored_divisions(ctx.session)}:
        raise InvalidInput("被考核地区不存在")
    if not 0 <= value <= 100:
        raise InvalidInput("完成率应在 0—100 之间")
    key = (
        AssessmentValue.scheme_id == scheme_id,
        AssessmentValue.period == period,
        AssessmentValue.division_code == division,
        AssessmentValue.indicator == indicator,
    )
    ctx.session.execute(delete(AssessmentValue).where(*key))
    ctx.session.add(
        AssessmentValue(
            scheme_id=scheme_id,
            period=period,
            division_code=division,
            indicator=indicator,
            value=value,
            entered_at=ctx.now,
        )
    )
    after = {"period": period, "division": division, "indicator": indicator, "value": value}
    ctx.audit(AuditAction.VALUE_ENTER, "assessment_scheme", scheme_id, None, after)


@dataclass(frozen=True, slots=True)
class Computed:
    period: Period
    ranked: list[tuple[int, DivisionScore]]


def compute(ctx: Ctx, scheme: AssessmentScheme, period: Period, today: date) -> Computed:
    """The scores without storing them (the CLI's --dry-run, the what-if)."""
    spec = service.spec_of(scheme)
    facts = service.gather_facts(ctx.session, ctx.actor, spec, period, today)
    values = service.values_for(ctx.session, scheme.id, period.key)
    results = [division_score(spec, code, f, values.get(code, {})) for code, f in facts.items()]
    return Computed(period, rank(results))


def _detail(score: DivisionScore) -> list[dict[str, Any]]:
    return [
        {
            "key": s.key,
            "name": s.name,
            "rule": s.rule.value,
            "weight": s.weight,
            "points": round(s.points, 4),
            "basis": s.basis,
            "facts": [
                {
                    "type": e.fact.record_type,
                    "id": e.fact.record_id,
                    "label": e.fact.label,
                    "outcome": e.fact.outcome,
                    "due": e.fact.due.isoformat() if e.fact.due else None,
                    "link": e.fact.link,
                    "points": round(e.points, 4),
                }
                for e in s.effects
            ],
        }
        for s in score.indicators
    ]


def do_compute_scores(ctx: Ctx, scheme_id: int, period_text: str) -> Computed:
    """Compute and store every division's score for the period (replacing earlier ones)."""
    service.require_editor(ctx.actor)
    scheme = service.get_scheme(ctx.session, scheme_id)
    if scheme.state == SchemeState.DRAFT.value:
        raise Conflict("考核方案尚未启用，不能据以计算得分")
    period = parse_period(period_text)
    if period.year != scheme.year:
        raise InvalidInput(f"考核期间 {period.label} 不在方案年度 {scheme.year} 内")
    computed = compute(ctx, scheme, period, ctx.today)
    ctx.session.execute(
        delete(AssessmentScore).where(
            AssessmentScore.scheme_id == scheme.id, AssessmentScore.period == period.key
        )
    )
    for position, score in computed.ranked:
        ctx.session.add(
            AssessmentScore(
                scheme_id=scheme.id,
                period=period.key,
                division_code=score.division_code,
                total=score.total,
                rank=position,
                detail=_detail(score),
                computed_at=ctx.now,
            )
        )
    totals = {s.division_code: s.total for _, s in computed.ranked}
    ctx.audit(
        AuditAction.COMPUTE,
        "assessment_scheme",
        scheme.id,
        None,
        {"period": period.key, "totals": totals},
    )
    return computed


def do_import_province(ctx: Ctx, year: int, text: str, fmt: str) -> list[ProvinceScore]:
    """The province's published scores of the cities for ``year`` (CSV or YAML); a re-import
    of the same year replaces the earlier table. Any bad row: nothing is changed."""
    service.require_editor(ctx.actor)
    check_year(year)
    rows = parse_table(text, fmt)
    old = service.province_table(ctx.session, year)
    before = (
        {"year": year, "rows": [{"city": r.city, "score": r.score, "rank": r.rank} for r in old]}
        if old
        else None
    )
    ctx.session.execute(delete(ProvinceScore).where(ProvinceScore.year == year))
    added = [
        ProvinceScore(
            year=year,
            city=r.city,
            score=r.score,
            rank=r.rank,
            imported_at=ctx.now,
            imported_by=ctx.actor.user_id,
        )
        for r in rows
    ]
    ctx.session.add_all(added)
    ctx.session.flush()
    table = [{"city": r.city, "score": r.score, "rank": r.rank} for r in rows]
    after = {"year": year, "rows": table}
    ctx.audit(AuditAction.PUBLISHED_IMPORT, "assessment_province_score", year, before, after)
    return added
