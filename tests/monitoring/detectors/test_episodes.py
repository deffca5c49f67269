"""Issue 17: one alarm per event — the rules' alarms merge into episodes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from eco263.monitoring.detectors import (
    Alarm,
    DetectorConfig,
    Limit,
    detect_point,
    episodes,
)
from eco263.monitoring.detectors.base import EpisodeConfig

from .conftest import at

T0 = datetime(2018, 4, 2, tzinfo=ZoneInfo("Asia/Shanghai"))


def alarm(
    rule: str, start_h: float, end_h: float, score: float = 0.5, pol: str = "w21003"
) -> Alarm:
    start, end = T0 + timedelta(hours=start_h), T0 + timedelta(hours=end_h)
    return Alarm("P", pol, rule, start, end, score, start + timedelta(hours=1), {"k": rule})


def test_overlapping_and_close_alarms_merge_with_every_rule_and_its_evidence() -> None:
    found = [
        alarm("flatline", 0, 5, 0.4),
        alarm("flatline", 8, 12, 0.6),  # 3 h later: same event
        alarm("pinning", 2, 30, 0.9),
        alarm("parameter_edit", 20, 22, 0.3),
        alarm("flatline", 60, 62),  # 30 h after the end: another event
    ]
    eps = episodes(found, EpisodeConfig(merge_gap_hours=12))
    assert len(eps) == 2
    first = eps[0]
    assert first.rules == ("flatline", "pinning", "parameter_edit")
    assert first.start == T0 and first.end == T0 + timedelta(hours=30)
    assert first.score == 0.9 and first.rule == "pinning"
    assert first.detected_at == T0 + timedelta(hours=1)
    rec = first.to_json()
    assert rec["alarms"] == 4 and rec["by_rule"]["flatline"]["alarms"] == 2
    assert rec["by_rule"]["parameter_edit"]["evidence"] == {"k": "parameter_edit"}
    assert rec["category"] == "tamper"


def test_gap_pollutants_and_exceedances_stay_apart() -> None:
    found = [
        alarm("dilution", 0, 2),
        alarm("dilution", 5, 6),
        alarm("dilution", 0, 2, pol="w01018"),
        alarm("clock", 0, 48, pol="*"),
        alarm("exceedance", 1, 3),
    ]
    assert len(episodes(found, EpisodeConfig(merge_gap_hours=2))) == 5
    merged = episodes(found, EpisodeConfig(merge_gap_hours=3))
    assert len(merged) == 4
    exceed = [e for e in merged if e.category.value == "exceedance"]
    assert len(exceed) == 1 and exceed[0].rules == ("exceedance",)


def test_a_clean_water_substitution_is_one_episode(
    frame: object, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    """Clean water in front of the probe for three days: a low value that barely moves.
    The rules may fire many times; the officer gets one episode."""
    from .conftest import minute_frame

    df = minute_frame(days=12)
    m = at(df, "w21003", "2018-04-08T10:00", "2018-04-11T10:00")
    rng = np.random.default_rng(3)
    df.loc[m, "value"] = np.round(0.05 + rng.integers(0, 2, int(m.sum())) * 0.01, 2)
    found = detect_point(df, limits, config=config)
    eps = [e for e in episodes(found, config.episodes) if e.pollutant == "w21003"]
    tampering = [e for e in eps if e.category.value == "tamper"]
    assert len(tampering) == 1, [(e.rules, e.start, e.end) for e in eps]
    assert tampering[0].start <= pd.Timestamp("2018-04-08T12:00", tz="Asia/Shanghai")
    assert tampering[0].end >= pd.Timestamp("2018-04-11T08:00", tz="Asia/Shanghai")
