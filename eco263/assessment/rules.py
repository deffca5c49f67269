"""Pure scoring of the 263 assessment: schemes as data, points from facts, what-if.

A scheme is a list of indicators, each with a weight and one rule of a small set
(:class:`~eco263.assessment.enums.RuleKind`).  A *fact* is one record that bears on an
indicator for one division — a problem closed on time (``hit``), one closed late or still open
past its deadline (``miss``), one still open and not yet due (``pending``: it counts once it is
decided, and is what the what-if resolves).  Every point is the sum of facts' effects, so the
explanation lists exactly the records that earned or cost points.

Pure: no database, no web.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from eco263.assessment.enums import Level, RuleKind
from eco263.errors import InvalidInput

HIT, MISS, PENDING = "hit", "miss", "pending"
EPSILON = 1e-6
MAX_INDICATORS = 60


# -- periods -------------------------------------------------------------------------------------

_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})|Q([1-4]))?$")


@dataclass(frozen=True, slots=True)
class Period:
    key: str
    start: date
    end: date

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def label(self) -> str:
        if len(self.key) == 4:
            return f"{self.key}年度"
        if "Q" in self.key:
            return f"{self.key[:4]}年第{self.key[-1]}季度"
        return f"{self.key[:4]}年{int(self.key[5:])}月"


def parse_period(text: str) -> Period:
    """``2018`` (a year), ``2018-04`` (a month) or ``2018Q2`` (a quarter)."""
    match = _PERIOD.match(text.strip())
    if not match:
        raise InvalidInput("考核期间格式应为 2018、2018-04 或 2018Q2")
    year = int(match.group(1))
    if not 2000 <= year <= 2100:
        raise InvalidInput("考核年度应在 2000—2100 之间")
    if match.group(2):
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise InvalidInput("考核期间的月份应为 01—12")
        last = calendar.monthrange(year, month)[1]
        return Period(text.strip(), date(year, month, 1), date(year, month, last))
    if match.group(3):
        quarter = int(match.group(3))
        first = 3 * quarter - 2
        last_month = first + 2
        last = calendar.monthrange(year, last_month)[1]
        return Period(text.strip(), date(year, first, 1), date(year, last_month, last))
    return Period(text.strip(), date(year, 1, 1), date(year, 12, 31))


# -- schemes -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Indicator:
    key: str
    name: str
    weight: float
    rule: RuleKind
    source: str | None = None
    per_event: float = 0.0
    cap: float = 0.0
    target: float = 1.0
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key,
            "name": self.name,
            "weight": self.weight,
            "rule": self.rule.value,
        }
        if self.source:
            out["source"] = self.source
        if self.rule in (RuleKind.DEDUCTION, RuleKind.BONUS):
            out["per_event"] = self.per_event
            out["cap"] = self.cap
        if self.rule is RuleKind.RATIO:
            out["target"] = self.target
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True, slots=True)
class SchemeSpec:
    year: int
    level: Level
    title: str
    total: float
    indicators: tuple[Indicator, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "level": self.level.value,
            "title": self.title,
            "total": self.total,
            "indicators": [i.as_dict() for i in self.indicators],
        }

    def indicator(self, key: str) -> Indicator:
        for item in self.indicators:
            if item.key == key:
                return item
        raise InvalidInput(f"考核方案中没有指标 {key}")


def _number(raw: Mapping[str, Any], name: str, where: str, default: float | None = None) -> float:
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{where}：{name} 应为数字")
    if value < 0 or value > 1000:
        raise InvalidInput(f"{where}：{name} 应在 0—1000 之间")
    return float(value)


def _text(raw: Mapping[str, Any], name: str, where: str, limit: int) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{where}：缺少{name}")
    if len(value) > limit or any(ord(c) < 32 for c in value):
        raise InvalidInput(f"{where}：{name} 过长或含控制字符")
    return value.strip()


def parse_indicator(raw: Any, index: int, sources: Iterable[str]) -> Indicator:
    where = f"第{index}项指标"
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{where}格式错误")
    key = _text(raw, "key", where, 64)
    where = f"指标 {key}"
    name = _text(raw, "name", where, 100)
    rule_text = raw.get("rule")
    if not rule_text:
        raise InvalidInput(f"{where}没有计分规则（rule）")
    try:
        rule = RuleKind(rule_text)
    except ValueError as exc:
        allowed = "、".join(k.value for k in RuleKind)
        raise InvalidInput(f"{where}的计分规则 {rule_text} 不可用（可用：{allowed}）") from exc
    weight = _number(raw, "weight", where, 0 if rule is RuleKind.BONUS else None)
    source = raw.get("source")
    if rule is RuleKind.ENTERED:
        source = None
    elif source not in set(sources):
        raise InvalidInput(f"{where}的数据来源 {source} 未登记")
    per_event = cap = 0.0
    target = 1.0
    if rule in (RuleKind.DEDUCTION, RuleKind.BONUS):
        per_event = _number(raw, "per_event", where)
        cap = _number(raw, "cap", where, weight if rule is RuleKind.DEDUCTION else None)
        if rule is RuleKind.DEDUCTION and cap > weight + EPSILON:
            raise InvalidInput(f"{where}的扣分上限不能超过权重")
    if rule is RuleKind.RATIO:
        target = _number(raw, "target", where, 1.0)
        if not 0 < target <= 1:
            raise InvalidInput(f"{where}的目标比例应在 0—1 之间（不含 0）")
    note = raw.get("note", "")
    return Indicator(key, name, weight, rule, source, per_event, cap, target, str(note)[:200])


def parse_scheme(raw: Any, sources: Iterable[str]) -> SchemeSpec:
    """A scheme from its YAML/JSON form, or a Chinese :class:`InvalidInput`."""
    if not isinstance(raw, Mapping):
        raise InvalidInput("考核方案格式错误（应为 YAML 映射）")
    year = raw.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput("考核方案缺少年度（year）或年度无效")
    try:
        level = Level(str(raw.get("level")))
    except ValueError as exc:
        raise InvalidInput("考核层级（level）应为 province_city 或 city_district") from exc
    title = _text(raw, "title", "考核方案", 100)
    total = _number(raw, "total", "考核方案", 100)
    items = raw.get("indicators")
    if not isinstance(items, list) or not items:
        raise InvalidInput("考核方案没有指标")
    if len(items) > MAX_INDICATORS:
        raise InvalidInput(f"考核方案的指标不能超过 {MAX_INDICATORS} 项")
    known = list(sources)
    indicators = tuple(parse_indicator(item, n, known) for n, item in enumerate(items, 1))
    keys = [i.key for i in indicators]
    if len(set(keys)) != len(keys):
        raise InvalidInput("考核方案中指标编码重复")
    weights = sum(i.weight for i in indicators if i.rule is not RuleKind.BONUS)
    if abs(weights - total) > EPSILON:
        raise InvalidInput(f"指标权重之和为 {weights:g}，与方案总分 {total:g} 不符")
    return SchemeSpec(year, level, title, total, indicators)


# -- scoring -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fact:
    """One record bearing on an indicator for a division."""

    record_type: str
    record_id: int
    label: str
    outcome: str  # hit | miss | pending
    due: date | None = None
    link: str = ""


@dataclass(frozen=True, slots=True)
class FactEffect:
    fact: Fact
    points: float  # + earned, − cost (0: beyond a cap or not decided)


@dataclass(slots=True)
class IndicatorScore:
    key: str
    name: str
    rule: RuleKind
    weight: float
    points: float
    basis: str
    effects: list[FactEffect] = field(default_factory=list)


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def ratio_points(ind: Indicator, hits: int, decided: int) -> float:
    """weight × min(hits/decided ÷ target, 1); nothing decided yet: the full weight."""
    if decided == 0:
        return ind.weight
    return ind.weight * _clamp(hits / decided / ind.target, 0.0, 1.0)


def deduction_points(ind: Indicator, events: int) -> float:
    return ind.weight - min(ind.per_event * events, ind.cap, ind.weight)


def bonus_points(ind: Indicator, events: int) -> float:
    return min(ind.per_event * events, ind.cap)


def entered_points(ind: Indicator, value: float | None) -> float:
    """An entered completion rate in % (none entered yet: no points)."""
    if value is None:
        return 0.0
    return ind.weight * _clamp(value, 0.0, 100.0) / 100.0


def indicator_score(ind: Indicator, facts: Sequence[Fact], value: float | None) -> IndicatorScore:
    """The indicator's points and each fact's share of them."""
    if ind.rule is RuleKind.ENTERED:
        shown = "未录入" if value is None else f"录入完成率 {value:g}%"
        points = entered_points(ind, value)
        return IndicatorScore(ind.key, ind.name, ind.rule, ind.weight, points, shown)
    decided = [f for f in facts if f.outcome != PENDING]
    effects: list[FactEffect] = []
    if ind.rule is RuleKind.RATIO:
        hits = sum(1 for f in decided if f.outcome == HIT)
        points = ratio_points(ind, hits, len(decided))
        for f in facts:
            if f.outcome == MISS:
                cost = ratio_points(ind, hits + 1, len(decided)) - points
                effects.append(FactEffect(f, -cost))
            else:
                effects.append(FactEffect(f, 0.0))
        share = f"{hits}/{len(decided)}" if decided else "无到期事项"
        return IndicatorScore(ind.key, ind.name, ind.rule, ind.weight, points, share, effects)
    counted = MISS if ind.rule is RuleKind.DEDUCTION else HIT
    sign = -1.0 if ind.rule is RuleKind.DEDUCTION else 1.0
    limit = min(ind.cap, ind.weight) if ind.rule is RuleKind.DEDUCTION else ind.cap
    used = 0.0
    for f in facts:
        if f.outcome != counted:
            effects.append(FactEffect(f, 0.0))
            continue
        step = _clamp(limit - used, 0.0, ind.per_event)
        used += step
        effects.append(FactEffect(f, sign * step))
    events = sum(1 for f in facts if f.outcome == counted)
    if ind.rule is RuleKind.DEDUCTION:
        points = deduction_points(ind, events)
    else:
        points = bonus_points(ind, events)
    return IndicatorScore(ind.key, ind.name, ind.rule, ind.weight, points, f"{events} 项", effects)


@dataclass(slots=True)
class DivisionScore:
    division_code: str
    total: float
    indicators: list[IndicatorScore]


FactsByIndicator = Mapping[str, Sequence[Fact]]


def division_score(
    scheme: SchemeSpec,
    division_code: str,
    facts: FactsByIndicator,
    values: Mapping[str, float],
) -> DivisionScore:
    scores = [
        indicator_score(i, facts.get(i.key, ()), values.get(i.key)) for i in scheme.indicators
    ]
    return DivisionScore(division_code, round(sum(s.points for s in scores), 4), scores)


def rank(scores: Iterable[DivisionScore]) -> list[tuple[int, DivisionScore]]:
    """Highest first; equal totals share a rank (1, 2, 2, 4)."""
    ordered = sorted(scores, key=lambda s: (-s.total, s.division_code))
    out: list[tuple[int, DivisionScore]] = []
    for index, score in enumerate(ordered, 1):
        same = out and abs(out[-1][1].total - score.total) < EPSILON
        out.append((out[-1][0] if same else index, score))
    return out


# -- what-if -------------------------------------------------------------------------------------


def resolve(
    facts: FactsByIndicator, closed_by: date | None, stays_overdue: set[int]
) -> dict[str, list[Fact]]:
    """Pending facts decided: closed by ``closed_by`` is on time when it is not after the
    deadline; the problems in ``stays_overdue`` are never closed in time."""
    out: dict[str, list[Fact]] = {}
    for key, items in facts.items():
        decided = []
        for f in items:
            if f.outcome == PENDING:
                late = f.record_id in stays_overdue or (
                    closed_by is not None and f.due is not None and closed_by > f.due
                )
                f = replace(f, outcome=MISS if late else HIT)
            decided.append(f)
        out[key] = decided
    return out


@dataclass(frozen=True, slots=True)
class OpenItemCost:
    record_type: str
    record_id: int
    label: str
    link: str
    due: date | None
    points: float  # what the division loses if this item stays open past its deadline


def open_item_costs(
    scheme: SchemeSpec, facts: FactsByIndicator, values: Mapping[str, float]
) -> list[OpenItemCost]:
    """Each pending item: the score if all are closed in time minus the score if this one is not."""
    best = division_score(scheme, "", resolve(facts, None, set()), values).total
    seen: dict[tuple[str, int], Fact] = {}
    for items in facts.values():
        for f in items:
            if f.outcome == PENDING:
                seen.setdefault((f.record_type, f.record_id), f)
    costs = []
    for (_, record_id), f in seen.items():
        worse = division_score(scheme, "", resolve(facts, None, {record_id}), values).total
        costs.append(OpenItemCost(f.record_type, record_id, f.label, f.link, f.due, best - worse))
    return sorted(costs, key=lambda c: (-c.points, c.record_id))
