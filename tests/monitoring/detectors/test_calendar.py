"""Issue 17: production calendars (holidays, 调休, planned stops) and the look-alikes a real
plant produces — routine zero/span checks, logged maintenance with the analyser off."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from eco263.monitoring.detectors import DetectorConfig, Limit, Schedule, detect_point
from eco263.monitoring.detectors.schedule import (
    REST,
    STOP,
    WORK,
    ScheduleError,
    day_info,
    parse_schedule,
)
from eco263.workdays import get_calendar

from .conftest import at, minute_frame

TAMPER = ("dilution", "flatline", "replay", "pinning", "parameter_edit", "clock")
SEP10 = pd.Timestamp("2018-09-10T00:00", tz="Asia/Shanghai")  # a Monday


def _types(schedule: Schedule, days: int = 30) -> np.ndarray:
    info = day_info(schedule, date(2018, 9, 10), days, int(SEP10.timestamp()), get_calendar())
    return info.day_type


def test_day_types_follow_the_official_calendar_and_the_plant() -> None:
    t = _types(Schedule("official"))
    # 2018: 中秋 9/22–24 (Sat–Mon), 国庆 10/1–7, 调休 Saturday 9/29 and Sunday 9/30 worked
    assert t[12] == REST and t[14] == REST  # 9/22 Sat, 9/24 Mon (holiday)
    assert t[19] == WORK and t[20] == WORK  # 9/29, 9/30: make-up working days
    assert (t[21:28] == REST).all()  # 10/1–10/7
    assert (_types(Schedule("every_day")) == WORK).all()
    off = _types(Schedule("holidays_off"))
    assert off[5] == WORK and off[6] == WORK  # an ordinary weekend (9/15–16) is worked
    assert off[14] == REST and (off[21:28] == REST).all()  # holiday blocks are not
    mon_sat = _types(Schedule("mon_sat"))
    assert mon_sat[5] == WORK and mon_sat[6] == REST  # Saturday on, Sunday off
    assert mon_sat[26] == REST  # Saturday 10/6 inside the National Day block


def test_schedule_file_and_its_errors() -> None:
    book = parse_schedule(
        """
default: {calendar: official, shifts: ["08:00-20:00"]}
points:
  "P1":
    calendar: every_day
    shifts: ["20:00-06:00"]
    stops:
      - {start: "2018-09-12 08:00", end: "2018-09-14 18:00", reason: 检修}
""",
        "test.yaml",
    )
    p1 = book.for_point("P1")
    assert p1.calendar == "every_day" and p1.shifts == ((1200, 1800),)
    assert p1.stops[0].start.utcoffset() == pd.Timedelta(hours=8)
    assert book.for_point("other").shifts == ((480, 1200),)
    t = _types(p1)
    assert t[2] == STOP and t[3] == STOP and t[4] == STOP and t[1] == WORK
    assert p1.describe()["shifts"] == ["20:00-06:00"]
    for text, message in [
        ("points: {P: {calendar: weekly}}", "calendar 应为"),
        ("points: {P: {shifts: ['8-20']}}", "HH:MM"),
        ("points: {P: {stops: [{start: '2018-09-12 08:00'}]}}", "start 与 end"),
        ("nonsense: 1", "顶层"),
    ]:
        with pytest.raises(ScheduleError, match=message):
            parse_schedule(text, "bad.yaml")


def plant(days: int, *, flow: bool, seed: int = 1, start: pd.Timestamp = SEP10) -> pd.DataFrame:
    """A day-shift plant on the official calendar: it runs 08:00–18:00 on working days
    (调休 included), stops over weekends and public holidays, leaves at 14:00 on the eve of a
    holiday; concentration and flow follow production."""
    rng = np.random.default_rng(seed)
    cal = get_calendar()
    n = days * 1440
    minute = np.arange(n)
    on = np.zeros(n)
    for d in range(days):
        day = cal.add_days(start.date(), d)
        if cal.is_workday(day):
            eve = not cal.is_workday(cal.add_days(day, 1)) and not cal.is_workday(
                cal.add_days(day, 2)
            )
            end = 14 * 60 if eve and not cal.is_workday(cal.add_days(day, 3)) else 18 * 60
            on[d * 1440 + 8 * 60 : d * 1440 + end] = 1.0
    on = np.convolve(on, np.ones(45) / 45, mode="same")
    prod = 0.2 + 0.8 * on
    slow = np.repeat(rng.normal(0, 0.05, n // 60 + 1), 60)[:n]
    c = 2.0 * (0.45 + 0.55 * prod) * np.exp(slow) * (1 + rng.normal(0, 0.04, n))
    times = start + pd.to_timedelta(minute, unit="min")
    frames = [pd.DataFrame({"time": times, "pollutant": "w21003", "value": np.round(c, 2)})]
    if flow:
        q = 50 * (0.25 + 0.75 * prod) * (1 + rng.normal(0, 0.02, n))
        frames.append(pd.DataFrame({"time": times, "pollutant": "w00000", "value": q.round(2)}))
    df = pd.concat(frames, ignore_index=True)
    df.insert(0, "mn", "88888880000000000009")
    df["flag"] = "N"
    return df


@pytest.mark.parametrize("flow", [True, False])
def test_a_plant_that_stops_for_national_day_is_not_tampering(
    config: DetectorConfig, limits: dict[str, Limit], flow: bool
) -> None:
    df = plant(35, flow=flow)
    alarms = detect_point(df, limits, TAMPER, config)
    assert alarms == [], [(a.rule, a.start, a.evidence.get("kind")) for a in alarms]


def test_a_dilution_on_a_working_day_says_what_it_was_compared_with(
    config: DetectorConfig, limits: dict[str, Limit]
) -> None:
    df = plant(35, flow=True)
    m = at(df, "w21003", "2018-10-09T10:00", "2018-10-11T10:00")
    df.loc[m, "value"] = np.round(df.loc[m, "value"] / 5, 2)
    found = [a for a in detect_point(df, limits, TAMPER, config) if a.rule == "dilution"]
    assert found
    baseline = found[0].evidence["baseline"]
    assert baseline["compared_with"] == "working_day"
    assert baseline["schedule"]["source"] == "official_calendar_default"


def test_a_planned_stop_in_the_schedule_is_production_not_dilution(
    config: DetectorConfig, limits: dict[str, Limit]
) -> None:
    """No flow meter: a 3-day stop (standing water, a fifth of the usual level) looks like a
    dilution from the data alone; entered in the schedule, it is production."""
    df = minute_frame(days=14, flow=False)
    m = at(df, "w21003", "2018-04-10T09:00", "2018-04-13T09:00")
    df.loc[m, "value"] = np.round(df.loc[m, "value"] / 5, 2)
    assert [a for a in detect_point(df, limits, TAMPER, config) if a.rule == "dilution"]
    book = parse_schedule(
        "points: {'88888880000000000001': {stops: [{start: '2018-04-10 10:00', "
        "end: '2018-04-13 08:00', reason: 停产检修}]}}",
        "s.yaml",
    )
    schedule = book.for_point("88888880000000000001")
    assert detect_point(df, limits, TAMPER, config, schedule=schedule) == []
    missing = detect_point(
        df.drop(index=df.index[m.to_numpy()]), limits, ("missing_data",), config, schedule=schedule
    )
    assert missing == []  # a stop entered in the schedule explains the absent data too


def test_daily_zero_and_span_checks_are_not_flag_abuse(
    config: DetectorConfig, limits: dict[str, Limit]
) -> None:
    """An automatic check every night: flag C, the analyser reads the blank, then a standard
    near the limit — the same flat values every day, unlike a hidden excursion."""
    df = minute_frame(days=12)
    for d in range(12):
        day = f"2018-04-{2 + d:02d}"
        zero = at(df, "w21003", f"{day}T02:00", f"{day}T02:12")
        span = at(df, "w21003", f"{day}T02:12", f"{day}T02:25")
        df.loc[zero, "value"], df.loc[span, "value"] = 0.05, 7.6
        df.loc[zero | span, "flag"] = "C"
    assert detect_point(df, limits, ("flag_abuse",), config) == []


def test_a_logged_service_with_the_analyser_off_is_not_missing_data(
    config: DetectorConfig, limits: dict[str, Limit]
) -> None:
    df = minute_frame(days=4)
    df.loc[at(df, "w21003", "2018-04-03T09:00", "2018-04-03T09:20"), "flag"] = "M"
    df.loc[at(df, "w21003", "2018-04-03T14:00", "2018-04-03T14:15"), "flag"] = "M"
    off = at(df, "w21003", "2018-04-03T09:20", "2018-04-03T14:00")
    assert detect_point(df[~off], limits, ("missing_data",), config) == []
    unlogged = df[~off].assign(flag="N")
    assert len(detect_point(unlogged, limits, ("missing_data",), config)) == 1


def test_a_shift_of_one_series_only_is_not_a_clock_fault(
    config: DetectorConfig, limits: dict[str, Limit]
) -> None:
    """A clock moves every series of the logger; a pollutant whose daily pattern moves while
    flow keeps its own is the process, not the clock."""
    df = minute_frame(days=14)
    late = (df["pollutant"] == "w21003") & (
        df["time"] >= pd.Timestamp("2018-04-10T00:00", tz="Asia/Shanghai")
    )
    df.loc[late, "time"] = df.loc[late, "time"] + pd.Timedelta(hours=4)
    assert detect_point(df, limits, ("clock",), config) == []


def test_without_a_flow_meter_the_other_pollutants_are_the_reference(
    config: DetectorConfig, limits: dict[str, Limit]
) -> None:
    """Two analysers, no flow: rain (or a stop nobody entered) divides both at once and is
    not dilution; clean water on the line of one analyser is."""
    a = minute_frame(days=14, flow=False, seed=1)
    b = minute_frame(days=14, flow=False, seed=2, level=30.0, pollutant="w01018", resolution=0.1)
    df = pd.concat([a, b], ignore_index=True)
    rain = (df["time"] >= pd.Timestamp("2018-04-10T09:00", tz="Asia/Shanghai")) & (
        df["time"] < pd.Timestamp("2018-04-10T20:00", tz="Asia/Shanghai")
    )
    df.loc[rain, "value"] = df.loc[rain, "value"] / 2.5
    assert [x for x in detect_point(df, limits, TAMPER, config) if x.rule == "dilution"] == []
    m = at(df, "w21003", "2018-04-12T09:00", "2018-04-13T20:00")
    df.loc[m, "value"] = np.round(df.loc[m, "value"] / 4, 2)
    found = [x for x in detect_point(df, limits, TAMPER, config) if x.rule == "dilution"]
    assert [(x.pollutant, x.evidence["reference"]) for x in found] == [("w21003", "co_pollutants")]
