"""Cases added with the issue-4 analytics round: each fixed miss and its benign look-alike."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from eco263.monitoring.detectors import Alarm, DetectorConfig, Limit, detect_point
from eco263.monitoring.detectors._util import poisson_cdf

from .conftest import at

Frame = Callable[..., pd.DataFrame]


def _rules(
    df: pd.DataFrame, limits: dict[str, Limit], config: DetectorConfig, *rules: str
) -> list[Alarm]:
    return detect_point(df, limits, rules, config)


# --------------------------------------------------------------------------------- pinning


def test_ceiling_below_the_limit_found_on_hourly_maxima(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    """Hour means of a pinned record spread over both bands below L (the density test does
    not see a pile-up), but the hours' maxima never reach L although they used to."""
    df = frame(days=14, level=6.0, noise=0.12)
    assert _rules(df, limits, config, "pinning") == []
    m = at(df, "w21003", "2018-04-09T00:00", "2018-04-16T00:00") & (df["value"] > 7.2)
    rng = np.random.default_rng(7)
    df.loc[m, "value"] = np.round(rng.uniform(7.2, 7.92, int(m.sum())), 2)
    alarms = _rules(df, limits, config, "pinning")
    assert alarms, "a ceiling just below the limit must fire"
    tail = [a for a in alarms if a.evidence["test"] == "hourly_max_tail"]
    assert tail and tail[0].evidence["hours_at_or_above"] == 0
    assert tail[0].evidence["expected_hours_at_or_above"] > 5


def test_plant_close_to_its_limit_without_a_ceiling_is_not_pinning(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    for seed in (1, 2, 3):
        df = frame(days=14, level=5.8, noise=0.1, seed=seed)
        assert _rules(df, limits, config, "pinning") == [], seed


def test_poisson_cdf() -> None:
    assert poisson_cdf(0, 5.0) == np.exp(-5.0)
    assert abs(poisson_cdf(3, 2.0) - 0.857123460) < 1e-8
    assert poisson_cdf(-1, 2.0) == 0.0


# ------------------------------------------------------------------------------ flag abuse


def test_flag_abuse_seen_in_the_flagged_rows(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    """Flagged from the first minute of each excursion (the level before it is ordinary), but
    the maintenance-flagged rows themselves show values near the limit."""
    df = frame(days=12)
    for d in (5, 6, 8):
        m = at(df, "w21003", f"2018-04-{2 + d:02d}T13:00", f"2018-04-{2 + d:02d}T15:30")
        bump = np.sin(np.linspace(0, np.pi, int(m.sum()))) * 8.0
        df.loc[m, "value"] = np.round(df.loc[m, "value"] + bump, 2)
        df.loc[m, "flag"] = "M"
    alarms = _rules(df, limits, config, "flag_abuse")
    assert len(alarms) == 1
    # known only once an episode has ended (its flagged values are the evidence)
    assert alarms[0].detected_at >= pd.Timestamp("2018-04-07T15:30", tz="Asia/Shanghai")


def test_maintenance_with_ordinary_values_is_not_flag_abuse(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    df = frame(days=12)
    for d in (2, 5, 6, 8):  # long maintenance at production time, values ordinary
        df.loc[
            at(df, "w21003", f"2018-04-{2 + d:02d}T13:00", f"2018-04-{2 + d:02d}T16:00"), "flag"
        ] = "M"
    assert _rules(df, limits, config, "flag_abuse") == []


# ----------------------------------------------------------------------- dilution / edits


def test_end_of_an_excursion_is_not_a_step_down(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    """An exceedance episode (×2.5 for four hours) ends with a drop back to the usual level:
    that drop is not dilution nor a parameter edit (the demo's exceedance logger)."""
    df = frame(days=8)
    m = at(df, "w21003", "2018-04-08T10:00", "2018-04-08T14:00")
    df.loc[m, "value"] = np.round(df.loc[m, "value"] * 2.5, 2)
    assert _rules(df, limits, config, "dilution", "parameter_edit") == []


def test_night_dilution_after_the_evening_ramp_is_dilution_not_gain_edit(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    """A batch analyser diluted 3× from 22:00: the evening before has production ramps, so the
    spread must be compared with the same hours' usual spread, not with the evening's."""
    df = frame(days=10, cycle=60, pollutant="w20122", level=0.15, resolution=0.001, noise=0.08)
    hour = df["time"].dt.hour
    m = (df["pollutant"] == "w20122") & (df["time"] >= pd.Timestamp("2018-04-09T22:00+08:00"))
    m &= df["time"] < pd.Timestamp("2018-04-10T06:00+08:00")
    m &= (hour >= 22) | (hour < 6)
    df.loc[m, "value"] = np.round(df.loc[m, "value"] / 3.0, 3)
    alarms = _rules(df, limits, config, "dilution", "parameter_edit")
    assert [a.rule for a in alarms] == ["dilution"], [(a.rule, a.evidence) for a in alarms]
    assert alarms[0].evidence["kind"] == "multiplicative"
