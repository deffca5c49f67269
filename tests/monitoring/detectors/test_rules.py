"""Every rule: data that should fire it and data that should not, plus benign look-alikes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from eco263.monitoring.detectors import Alarm, DetectorConfig, Limit, detect_point

from .conftest import at

Frame = Callable[..., pd.DataFrame]
TAMPER = (
    "dilution",
    "flatline",
    "replay",
    "pinning",
    "parameter_edit",
    "aggregate_mismatch",
    "clock",
)


def run(
    df: pd.DataFrame, limits: dict[str, Limit], config: DetectorConfig, *rules: str
) -> list[Alarm]:
    return detect_point(df, limits, rules or TAMPER, config)


def fired(alarms: list[Alarm], rule: str, start: str | None = None) -> list[Alarm]:
    out = [a for a in alarms if a.rule == rule]
    if start is not None:
        t = pd.Timestamp(start, tz="Asia/Shanghai")
        out = [
            a
            for a in out
            if a.start - pd.Timedelta(hours=24) <= t <= a.end + pd.Timedelta(hours=24)
        ]
    return out


# ------------------------------------------------------------------------------- clean data


def test_clean_point_raises_no_tamper_alarm(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    for seed in (1, 2):
        for cycle in (1, 60):
            df = frame(days=12, seed=seed, cycle=cycle)
            alarms = run(df, limits, config)
            assert alarms == [], [(a.rule, a.start, a.evidence) for a in alarms]


# ------------------------------------------------------------------------------ exceedance


def test_exceedance_on_valid_hours_only(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    df = frame(days=3)
    df.loc[at(df, "w21003", "2018-04-03T10:00", "2018-04-03T12:00"), "value"] = 12.0
    # an hour over the limit but flagged maintenance does not count (MEE 2022 No. 21)
    m = at(df, "w21003", "2018-04-03T15:00", "2018-04-03T16:00")
    df.loc[m, "value"] = 20.0
    df.loc[m, "flag"] = "M"
    alarms = run(df, limits, config, "exceedance")
    hourly = [a for a in alarms if a.evidence["basis"] == "hour"]
    assert len(hourly) == 1
    assert hourly[0].start == pd.Timestamp("2018-04-03T10:00", tz="Asia/Shanghai")
    assert hourly[0].evidence["hours_over"] == 2
    assert hourly[0].evidence["limit"] == 8.0
    assert hourly[0].category.value == "exceedance"
    assert not [a for a in alarms if a.evidence["basis"] == "day"]  # the day's mean is fine


def test_hour_needs_enough_valid_minutes(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    df = frame(days=2)
    m = at(df, "w21003", "2018-04-02T10:00", "2018-04-02T11:00")
    df.loc[m, "value"] = 12.0
    idx = df.index[m][:20]  # only 40 of 60 minutes left: not a valid hour (HJ 75: 45)
    df = df.drop(idx)
    assert run(df, limits, config, "exceedance") == []


# ---------------------------------------------------------------------------- data quality


def test_missing_data_fires_on_a_long_gap_not_a_blip(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    df = frame(days=3)
    gap = at(df, "w21003", "2018-04-03T02:00", "2018-04-03T08:00")
    blip = at(df, "w21003", "2018-04-03T12:00", "2018-04-03T12:20")
    df = df[~(gap | blip)]
    alarms = run(df, limits, config, "missing_data")
    assert len(alarms) == 1
    assert alarms[0].start == pd.Timestamp("2018-04-03T02:00", tz="Asia/Shanghai")
    assert alarms[0].evidence["hours"] == 6
    assert alarms[0].category.value == "data_quality"


def test_maintenance_flags_are_not_missing(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    df = frame(days=3)
    df.loc[at(df, "w21003", "2018-04-03T02:00", "2018-04-03T08:00"), "flag"] = "M"
    assert run(df, limits, config, "missing_data") == []


def _excursions(df: pd.DataFrame, days: list[int], hide: bool) -> pd.DataFrame:
    for d in days:
        start = f"2018-04-{2 + d:02d}T14:00"
        end = f"2018-04-{2 + d:02d}T16:30"
        m = at(df, "w21003", start, end)
        ramp = np.linspace(4.0, 11.0, int(m.sum()))
        df.loc[m, "value"] = np.round(ramp, 2)
        if hide:  # flagged "maintenance" from the moment the value nears the limit
            near = m & (df["value"] >= 6.5)
            df.loc[near, "flag"] = "M"
    return df


def test_flag_abuse_when_flags_hide_high_values(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    df = _excursions(frame(days=12), [5, 6, 8], hide=True)
    alarms = run(df, limits, config, "flag_abuse")
    assert len(alarms) == 1
    ev = alarms[0].evidence
    assert ev["episodes_suspicious"] >= 1 and ev["rows_by_kind"]["maintenance"] > 0


def test_scheduled_calibration_is_not_flag_abuse(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    df = frame(days=12)
    for d in range(12):  # daily calibration at the daily peak: scheduled, not reactive
        df.loc[
            at(df, "w21003", f"2018-04-{2 + d:02d}T09:00", f"2018-04-{2 + d:02d}T09:30"), "flag"
        ] = "C"
    assert run(df, limits, config, "flag_abuse") == []


# --------------------------------------------------------------------------------- dilution


@pytest.mark.parametrize("factor", [2.0, 5.0, 40.0])
def test_dilution_with_flow_unchanged(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig, factor: float
) -> None:
    df = frame(days=10)
    m = at(df, "w21003", "2018-04-08T10:00", "2018-04-10T10:00")
    df.loc[m, "value"] = np.round(df.loc[m, "value"] / factor + 0.02, 2)
    alarms = run(df, limits, config, "dilution", "parameter_edit")
    assert len(alarms) == 1, [(a.rule, a.start, a.evidence) for a in alarms]
    a = alarms[0]
    assert a.rule == "dilution"
    assert abs(a.start - pd.Timestamp("2018-04-08T10:00", tz="Asia/Shanghai")) <= pd.Timedelta(
        hours=1
    )
    assert a.detected_at - pd.Timestamp("2018-04-08T10:00", tz="Asia/Shanghai") <= pd.Timedelta(
        hours=3
    )
    assert a.evidence["factor"] == pytest.approx(factor, rel=0.35)
    assert a.evidence["flow_ratio"] == pytest.approx(1.0, abs=0.1)


def test_night_only_dilution_is_one_alarm(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    # 20 days: a working night is compared with the plant's other working nights (its
    # production calendar), so the five diluted nights must not be most of them
    df = frame(days=20)
    hour = df["time"].dt.hour
    m = (df["pollutant"] == "w21003") & (
        df["time"] >= pd.Timestamp("2018-04-08", tz="Asia/Shanghai")
    )
    m &= df["time"] < pd.Timestamp("2018-04-13T06:00", tz="Asia/Shanghai")
    m &= (hour >= 22) | (hour < 5)
    df.loc[m, "value"] = np.round(df.loc[m, "value"] / 4, 2)
    alarms = run(df, limits, config, "dilution")
    assert 1 <= len(alarms) <= 2  # nightly steps merge into one alarm (a missed night splits it)
    assert alarms[0].start <= pd.Timestamp("2018-04-09T06:00", tz="Asia/Shanghai")
    hours = np.sum([a.evidence["affected_hours_of_day"] for a in alarms], axis=0)
    assert hours[22:].sum() + hours[:5].sum() > 0.8 * hours.sum()


def test_rain_on_the_inflow_is_not_dilution(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    df = frame(days=10)
    c = at(df, "w21003", "2018-04-08T10:00", "2018-04-08T20:00")
    q = at(df, "w00000", "2018-04-08T10:00", "2018-04-08T20:00")
    df.loc[c, "value"] = np.round(df.loc[c, "value"] / 2.5, 2)
    df.loc[q, "value"] = np.round(df.loc[q, "value"] * 2.5, 2)
    assert run(df, limits, config) == []


def test_production_stop_is_not_tampering(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    df = frame(days=10)
    c = at(df, "w21003", "2018-04-08T00:00", "2018-04-09T12:00")
    q = at(df, "w00000", "2018-04-08T00:00", "2018-04-09T12:00")
    df.loc[c, "value"] = 0.2
    df.loc[q, "value"] = 0.3
    assert run(df, limits, config) == []


def test_logged_recalibration_is_not_parameter_edit(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    df = frame(days=10)
    df.loc[at(df, "w21003", "2018-04-07T10:00", "2018-04-07T10:40"), "flag"] = "C"
    after = at(df, "w21003", "2018-04-07T10:40", "2018-04-12T00:00")
    df.loc[after, "value"] = np.round(df.loc[after, "value"] * 0.7, 2)
    assert run(df, limits, config) == []


# --------------------------------------------------------------------------- parameter edit


def test_offset_edit_is_parameter_edit(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    df = frame(days=10, noise=0.1)
    m = at(df, "w21003", "2018-04-08T09:00", "2018-04-10T09:00")
    df.loc[m, "value"] = np.round(np.maximum(df.loc[m, "value"] - 1.2, 0.0), 2)  # "修正值+"
    alarms = run(df, limits, config, "dilution", "parameter_edit")
    assert [a.rule for a in alarms] == ["parameter_edit"]
    assert alarms[0].evidence["kind"] == "offset"
    assert alarms[0].evidence["intercept"] < 0


# -------------------------------------------------------------------------------- flatline


def test_flatline_constant_and_jittered(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    df = frame(days=10, noise=0.1)
    m = at(df, "w21003", "2018-04-06T00:00", "2018-04-06T12:00")
    df.loc[m, "value"] = 0.32  # Taizhou: a constant after a parameter edit
    j = at(df, "w21003", "2018-04-09T00:00", "2018-04-09T12:00")
    rng = np.random.default_rng(3)
    df.loc[j, "value"] = 1.5 + rng.integers(-1, 2, int(j.sum())) * 0.01
    alarms = run(df, limits, config, "flatline")
    kinds = sorted(a.evidence["kind"] for a in alarms)
    assert kinds == ["constant", "low_variance"]


def test_batch_analyser_holding_results_is_not_flatline(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    df = frame(days=8, cycle=120, pollutant="w01018", level=20.0, resolution=0.1)
    assert run(df, limits, config, "flatline") == []
    m = at(df, "w01018", "2018-04-06T00:00", "2018-04-07T12:00")
    df.loc[m, "value"] = 18.0  # 36 h = 18 identical results
    alarms = run(df, limits, config, "flatline")
    assert len(alarms) == 1 and alarms[0].evidence["typical_result_minutes"] == 120


# ---------------------------------------------------------------------------------- replay


def test_replayed_day_exact_and_noisy(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    df = frame(days=12)
    for src, dst, noisy in (("04-04", "04-08", False), ("04-05", "04-11", True)):
        s = at(df, "w21003", f"2018-{src}T00:00", f"2018-{src}T23:59:59")
        d = at(df, "w21003", f"2018-{dst}T00:00", f"2018-{dst}T23:59:59")
        vals = df.loc[s, "value"].to_numpy()
        if noisy:
            vals = np.round(vals * (1 + np.random.default_rng(1).normal(0, 0.003, vals.size)), 2)
        df.loc[d, "value"] = vals
    alarms = run(df, limits, config, "replay")
    starts = sorted(a.start.strftime("%m-%d") for a in alarms)
    assert starts == ["04-08", "04-11"], [(a.start, a.evidence) for a in alarms]


# --------------------------------------------------------------------------------- pinning


def test_pinning_below_the_limit(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    df = frame(days=14, level=6.5, noise=0.08)
    assert run(df, limits, config, "pinning") == []
    m = (df["pollutant"] == "w21003") & (df["value"] > 7.2)
    rng = np.random.default_rng(5)
    df.loc[m, "value"] = np.round(rng.uniform(7.25, 7.9, int(m.sum())), 2)
    alarms = run(df, limits, config, "pinning")
    assert alarms and alarms[0].evidence["hours_at_or_above"] == 0


# ----------------------------------------------------------------------- aggregate mismatch


def _logger_hours(df: pd.DataFrame, scale_from: str | None = None) -> pd.DataFrame:
    m = df[df["pollutant"] == "w21003"]
    h = m.groupby(m["time"].dt.floor("h"))["value"].mean().round(3).reset_index()
    if scale_from is not None:
        late = h["time"] >= pd.Timestamp(scale_from, tz="Asia/Shanghai")
        h.loc[late, "value"] = h.loc[late, "value"] * 0.6
    h["pollutant"], h["flag"], h["cn"], h["mn"] = "w21003", "N", "2061", df["mn"].iloc[0]
    return h


def test_aggregate_mismatch(frame: Frame, limits: dict[str, Limit], config: DetectorConfig) -> None:
    df = frame(days=4)
    honest = pd.concat([df, _logger_hours(df)], ignore_index=True)
    assert run(honest, limits, config, "aggregate_mismatch") == []
    edited = pd.concat([df, _logger_hours(df, "2018-04-04T06:00")], ignore_index=True)
    alarms = run(edited, limits, config, "aggregate_mismatch")
    assert alarms and alarms[0].start == pd.Timestamp("2018-04-04T06:00", tz="Asia/Shanghai")
    assert alarms[0].evidence["median_sent_over_computed"] == pytest.approx(0.6, abs=0.02)


# ----------------------------------------------------------------------------------- clock


def test_clock_offset_against_receive_time(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    df = frame(days=4)
    df["received"] = df["time"] + pd.Timedelta(seconds=20)
    assert run(df, limits, config, "clock") == []
    late = df["time"] >= pd.Timestamp("2018-04-04T08:00", tz="Asia/Shanghai")
    df.loc[late, "time"] = df.loc[late, "time"] - pd.Timedelta(hours=2)  # clock set back 2 h
    alarms = run(df, limits, config, "clock")
    assert len(alarms) == 1
    assert alarms[0].pollutant == "*"
    assert alarms[0].evidence["offset_minutes"] == pytest.approx(-120, abs=1)


def test_backfill_after_outage_is_not_clock(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    df = frame(days=4)
    df["received"] = df["time"] + pd.Timedelta(seconds=20)
    late = (df["time"] >= pd.Timestamp("2018-04-03T02:00", tz="Asia/Shanghai")) & (
        df["time"] < pd.Timestamp("2018-04-03T06:00", tz="Asia/Shanghai")
    )
    df.loc[late, "received"] = pd.Timestamp(
        "2018-04-03T09:00", tz="Asia/Shanghai"
    )  # resent at once
    assert run(df, limits, config, "clock") == []


def test_clock_phase_shift_without_receive_time(
    frame: Frame, limits: dict[str, Limit], config: DetectorConfig
) -> None:
    df = frame(days=14)
    assert run(df, limits, config, "clock") == []
    late = df["time"] >= pd.Timestamp("2018-04-10T00:00", tz="Asia/Shanghai")
    df.loc[late, "time"] = df.loc[late, "time"] + pd.Timedelta(hours=4)
    alarms = run(df, limits, config, "clock")
    assert alarms and alarms[0].evidence["kind"] == "daily_cycle_shift"
