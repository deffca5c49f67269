"""Pure scoring: the rules' bounds, caps and weights (property tests), bad schemes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from eco263.assessment.enums import RuleKind
from eco263.assessment.rules import (
    HIT,
    MISS,
    PENDING,
    Fact,
    Indicator,
    division_score,
    indicator_score,
    open_item_costs,
    parse_period,
    parse_scheme,
    rank,
    resolve,
)
from eco263.assessment.sources import SOURCES
from eco263.errors import InvalidInput

DEMO = Path(__file__).parents[2] / "eco263" / "data" / "assessment_2018.yaml"
outcomes = st.sampled_from([HIT, MISS, PENDING])
facts = st.lists(
    st.builds(
        Fact,
        st.just("problem"),
        st.integers(1, 10_000),
        st.just("问题"),
        outcomes,
        st.dates(date(2018, 1, 1), date(2018, 12, 31)),
    ),
    max_size=40,
)
weights = st.floats(0, 100, allow_nan=False)


@given(weights, st.floats(0, 20, allow_nan=False), st.floats(0, 100, allow_nan=False), facts)
def test_deduction_stays_within_weight_and_cap(
    w: float, per: float, cap: float, fs: list[Fact]
) -> None:
    cap = min(cap, w)
    ind = Indicator("d", "扣分", w, RuleKind.DEDUCTION, "ledger.overdue", per, cap)
    score = indicator_score(ind, fs, None)
    assert w - cap - 1e-9 <= score.points <= w + 1e-9
    # every point lost is traced to a record
    assert abs((w - score.points) + sum(e.points for e in score.effects)) < 1e-6


@given(st.floats(0, 5, allow_nan=False), st.floats(0, 10, allow_nan=False), facts)
def test_bonus_never_passes_its_cap(per: float, cap: float, fs: list[Fact]) -> None:
    ind = Indicator("b", "加分", 0, RuleKind.BONUS, "ledger.closed_on_time", per, cap)
    score = indicator_score(ind, fs, None)
    assert 0 <= score.points <= cap + 1e-9
    assert abs(score.points - sum(e.points for e in score.effects)) < 1e-6


@given(weights, st.floats(0.01, 1, allow_nan=False), facts)
def test_ratio_between_zero_and_weight(w: float, target: float, fs: list[Fact]) -> None:
    ind = Indicator("r", "比例", w, RuleKind.RATIO, "ledger.on_time", target=target)
    score = indicator_score(ind, fs, None)
    assert -1e-9 <= score.points <= w + 1e-9
    assert all(e.points <= 1e-9 for e in score.effects)


@given(facts)
def test_closing_open_items_in_time_never_lowers_the_score(fs: list[Fact]) -> None:
    spec = parse_scheme(yaml.safe_load(DEMO.read_text(encoding="utf-8")), SOURCES)
    by_indicator = {"on_time": fs, "overdue": [f for f in fs if f.outcome != HIT]}
    now = division_score(spec, "x", by_indicator, {}).total
    best = division_score(spec, "x", resolve(by_indicator, None, set()), {}).total
    worst = division_score(spec, "x", resolve(by_indicator, date(2100, 1, 1), set()), {}).total
    assert worst <= best + 1e-9
    assert 0 <= now <= spec.total + 2 + 1e-9
    costs = open_item_costs(spec, by_indicator, {})
    assert all(c.points >= -1e-9 for c in costs)
    assert [c.points for c in costs] == sorted((c.points for c in costs), reverse=True)


def test_demo_scheme_parses_and_weights_sum() -> None:
    spec = parse_scheme(yaml.safe_load(DEMO.read_text(encoding="utf-8")), SOURCES)
    assert spec.total == 100
    assert parse_scheme(spec.as_dict(), SOURCES) == spec  # export → import round trip


def _demo() -> dict:
    return yaml.safe_load(DEMO.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["indicators"][0].update(weight=41), "权重之和为 101"),
        (lambda s: s["indicators"][0].pop("rule"), "没有计分规则"),
        (lambda s: s["indicators"][0].update(rule="magic"), "计分规则 magic 不可用"),
        (lambda s: s["indicators"][0].update(source="nowhere"), "数据来源 nowhere 未登记"),
        (lambda s: s["indicators"][1].update(cap=99), "扣分上限不能超过权重"),
        (lambda s: s["indicators"].append(dict(s["indicators"][0], weight=0)), "指标编码重复"),
        (lambda s: s.update(indicators=[]), "没有指标"),
        (lambda s: s.update(year="二〇一八"), "年度"),
    ],
)
def test_bad_schemes_are_refused_in_chinese(change, message: str) -> None:  # type: ignore[no-untyped-def]
    scheme = _demo()
    change(scheme)
    with pytest.raises(InvalidInput, match=message):
        parse_scheme(scheme, SOURCES)


def test_periods() -> None:
    assert parse_period("2018").end == date(2018, 12, 31)
    assert parse_period("2018-04").end == date(2018, 4, 30)
    assert parse_period("2018Q2").start == date(2018, 4, 1)
    for bad in ("2018-13", "18", "2018-4", "去年"):
        with pytest.raises(InvalidInput):
            parse_period(bad)


def test_equal_totals_share_a_rank() -> None:
    a, b, c = (division_score(parse_scheme(_demo(), SOURCES), code, {}, {}) for code in "abc")
    ranked = rank([a, b, c])
    assert [r for r, _ in ranked] == [1, 1, 1]
