"""Assessment reads: schemes, scores in the reader's scope, the facts behind a score."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eco263.actor import Actor, Role
from eco263.assessment.enums import Level
from eco263.assessment.models import (
    AssessmentScheme,
    AssessmentScore,
    AssessmentValue,
    ProvinceScore,
)
from eco263.assessment.rules import (
    Fact,
    OpenItemCost,
    Period,
    SchemeSpec,
    open_item_costs,
    parse_scheme,
)
from eco263.assessment.sources import SOURCES
from eco263.errors import Forbidden, NotFound
from eco263.registry.service import list_divisions

CITY_CODE = "320500"


def is_editor(actor: Actor) -> bool:
    return actor.is_system or actor.role == Role.CITY_OFFICE


def require_editor(actor: Actor) -> None:
    """Only the city office writes schemes, values and scores."""
    if not is_editor(actor):
        raise Forbidden("仅市263办可以维护考核方案和计算考核得分")


def require_reader(actor: Actor) -> None:
    """Scores are read by the offices, the 纪委 and the leaders (not units, not enterprises)."""
    if actor.role in (Role.ENTERPRISE, Role.DEPARTMENT):
        raise Forbidden("无权查看考核得分")


def spec_of(scheme: AssessmentScheme) -> SchemeSpec:
    return parse_scheme(scheme.spec, SOURCES)


def scheme_yaml(scheme: AssessmentScheme) -> str:
    return yaml.safe_dump(spec_of(scheme).as_dict(), allow_unicode=True, sort_keys=False)


def list_schemes(session: Session) -> list[AssessmentScheme]:
    query = select(AssessmentScheme).order_by(
        AssessmentScheme.year.desc(), AssessmentScheme.level, AssessmentScheme.version.desc()
    )
    return list(session.scalars(query))


def get_scheme(session: Session, scheme_id: int) -> AssessmentScheme:
    scheme = session.get(AssessmentScheme, scheme_id)
    if scheme is None:
        raise NotFound("考核方案不存在")
    return scheme


def latest_version(session: Session, year: int, level: Level) -> int:
    found = session.scalar(
        select(func.max(AssessmentScheme.version)).where(
            AssessmentScheme.year == year, AssessmentScheme.level == level.value
        )
    )
    return int(found or 0)


@dataclass(frozen=True, slots=True)
class Scored:
    code: str
    name: str


def scored_divisions(session: Session) -> list[Scored]:
    """The divisions the city assesses: its districts and county-level cities."""
    return [
        Scored(d.code, d.short_name or d.name)
        for d in list_divisions(session, CITY_CODE)
        if d.parent_code == CITY_CODE
    ]


def _owner(session: Session, scored: list[Scored]) -> dict[str, str]:
    """Every division code → the scored division whose subtree holds it."""
    paths = {d.code: d.path for d in list_divisions(session, CITY_CODE)}
    owner: dict[str, str] = {}
    for code, path in paths.items():
        for s in scored:
            if path.startswith(paths.get(s.code, "?")):
                owner[code] = s.code
    return owner


def gather_facts(
    session: Session, actor: Actor, spec: SchemeSpec, period: Period, today: date
) -> dict[str, dict[str, list[Fact]]]:
    """division → indicator → facts, each source run once."""
    scored = scored_divisions(session)
    owner = _owner(session, scored)
    out: dict[str, dict[str, list[Fact]]] = {s.code: defaultdict(list) for s in scored}
    cache: dict[str, list[tuple[str, Fact]]] = {}
    for ind in spec.indicators:
        if ind.source is None:
            continue
        if ind.source not in cache:
            cache[ind.source] = SOURCES[ind.source].run(session, actor, period, today)
        for code, fact in cache[ind.source]:
            division = owner.get(code)
            if division is not None:
                out[division][ind.key].append(fact)
    return out


def values_for(session: Session, scheme_id: int, period: str) -> dict[str, dict[str, float]]:
    rows = session.scalars(
        select(AssessmentValue).where(
            AssessmentValue.scheme_id == scheme_id, AssessmentValue.period == period
        )
    )
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for row in rows:
        out[row.division_code][row.indicator] = row.value
    return out


def scores(session: Session, actor: Actor, scheme_id: int, period: str) -> list[AssessmentScore]:
    """Stored scores, ranked; a district office reads its own division's only."""
    query = (
        select(AssessmentScore)
        .where(AssessmentScore.scheme_id == scheme_id, AssessmentScore.period == period)
        .order_by(AssessmentScore.rank, AssessmentScore.division_code)
    )
    return [s for s in session.scalars(query) if _may_read(actor, s.division_code)]


def _may_read(actor: Actor, code: str) -> bool:
    if actor.role in (Role.ENTERPRISE, Role.DEPARTMENT):
        return False
    return actor.covers(code) or actor.role in (Role.CITY_OFFICE, Role.VIEWER)


def score_of(
    session: Session, actor: Actor, scheme_id: int, period: str, division: str
) -> AssessmentScore:
    found = session.scalar(
        select(AssessmentScore).where(
            AssessmentScore.scheme_id == scheme_id,
            AssessmentScore.period == period,
            AssessmentScore.division_code == division,
        )
    )
    if found is None or not _may_read(actor, division):
        raise NotFound("该考核得分不存在（或不在本辖区）")
    return found


def what_if_costs(
    session: Session,
    actor: Actor,
    scheme: AssessmentScheme,
    period: Period,
    division: str,
    today: date,
) -> list[OpenItemCost]:
    """The division's open items, costliest first, if each stays open past its deadline."""
    if not _may_read(actor, division):
        raise NotFound("该考核得分不存在（或不在本辖区）")
    spec = spec_of(scheme)
    facts = gather_facts(session, actor, spec, period, today).get(division, {})
    values = values_for(session, scheme.id, period.key).get(division, {})
    return open_item_costs(spec, facts, values)


def detail_rows(score: AssessmentScore) -> list[dict[str, Any]]:
    return list(score.detail)


@dataclass(frozen=True, slots=True)
class Ranking:
    scheme: AssessmentScheme
    period: str
    rows: list[AssessmentScore]


def latest_ranking(session: Session, actor: Actor) -> Ranking | None:
    """The most recent stored scores of the city's scheme in use (the dashboard's ranking)."""
    found = session.execute(
        select(AssessmentScore.scheme_id, AssessmentScore.period)
        .join(AssessmentScheme, AssessmentScheme.id == AssessmentScore.scheme_id)
        .where(AssessmentScheme.level == Level.CITY_DISTRICT.value)
        .order_by(AssessmentScore.computed_at.desc(), AssessmentScore.id.desc())
        .limit(1)
    ).first()
    if found is None:
        return None
    scheme = get_scheme(session, found.scheme_id)
    return Ranking(scheme, found.period, scores(session, actor, scheme.id, found.period))


def province_table(session: Session, year: int) -> list[ProvinceScore]:
    """The province's published scores of the cities for ``year``, by rank."""
    query = (
        select(ProvinceScore)
        .where(ProvinceScore.year == year)
        .order_by(ProvinceScore.rank, ProvinceScore.id)
    )
    return list(session.scalars(query))


def latest_province_year(session: Session, up_to: int) -> int | None:
    """The latest year ≤ ``up_to`` whose published table was imported."""
    found = session.scalar(select(func.max(ProvinceScore.year)).where(ProvinceScore.year <= up_to))
    return int(found) if found is not None else None
