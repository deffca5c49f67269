"""The generator's types, base signal of a point, its calibrations and maintenance."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from eco263.monitoring.detectors.base import CATEGORY, Limit
from eco263.workdays import get_calendar

TZ = ZoneInfo("Asia/Shanghai")
MIN = 60
F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Spec:
    code: str
    limit: float
    unit: str
    standard: str
    cycle: int  # minutes an analyser result is held (1 = continuous)
    resolution: float
    blank: float


SPECS: dict[str, Spec] = {
    "w20122": Spec(
        "w20122", 0.3, "mg/L", "GB 21900-2008 表3（太湖流域特别排放限值）", 60, 0.001, 0.004
    ),
    "w01018": Spec("w01018", 50.0, "mg/L", "GB 21900-2008 表3", 60, 0.1, 2.0),
    "w21003": Spec("w21003", 8.0, "mg/L", "GB 21900-2008 表3", 1, 0.01, 0.05),
}
FLOW = "w00000"
TAMPER_KINDS = (
    "dilution",
    "flatline",
    "replay",
    "pinning",
    "parameter_edit",
    "aggregate_mismatch",
    "clock",
    "missing_data",
    "flag_abuse",
)


@dataclass
class Event:
    mn: str
    pollutant: str  # "*" = the whole point
    kind: str  # a rule name, or benign_rain / benign_recalibration / benign_stop
    start: datetime
    end: datetime
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return "benign" if self.kind.startswith("benign") else CATEGORY[self.kind].value


@dataclass
class Dataset:
    frame: pd.DataFrame
    events: list[Event]
    limits: list[tuple[str, Limit]]
    points: list[str]
    start: datetime
    days: int
    schedules: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per MN, the production schedule an officer would have entered (the
    ``--schedule`` file's ``points`` entries)."""
    traits: dict[str, list[str]] = field(default_factory=dict)
    """Per MN, point-level look-alike categories (schedule, no flow meter …)."""


@dataclass
class _Point:
    mn: str
    rng: np.random.Generator
    n: int
    t0: datetime
    pollutants: list[str]
    prod: F64 = field(default_factory=lambda: np.zeros(0))
    flow: F64 = field(default_factory=lambda: np.zeros(0))
    truth: dict[str, F64] = field(default_factory=dict)
    gain: dict[str, F64] = field(default_factory=dict)
    flags: dict[str, NDArray[np.uint8]] = field(default_factory=dict)
    level: dict[str, float] = field(default_factory=dict)
    shift: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    absent: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))
    dropped: dict[str, NDArray[np.bool_]] = field(default_factory=dict)
    post: list[Any] = field(default_factory=list)
    benign_post: list[tuple[str, int, int, int, float]] = field(default_factory=list)
    hour_edit: dict[str, tuple[int, int, float, float]] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    works: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))
    holiday: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))
    makeup: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))
    calendar: str = "official"
    shifts: list[tuple[int, int]] = field(default_factory=list)
    rest_level: float = 0.0
    has_flow: bool = True
    has_received: bool = True
    noise_scale: dict[str, F64] = field(default_factory=dict)
    resolution: dict[str, F64] = field(default_factory=dict)
    stops: list[dict[str, str]] = field(default_factory=list)
    traits: list[str] = field(default_factory=list)

    def when(self, minute: int) -> datetime:
        return self.t0 + timedelta(minutes=int(minute))


def _smooth_days(rng: np.random.Generator, days: int, sigma: float, n: int) -> F64:
    """A day-level log factor, AR(1) across days, interpolated so midnight is no step."""
    x = np.zeros(days + 2)
    for d in range(1, days + 2):
        x[d] = 0.6 * x[d - 1] + rng.normal(0, sigma * 0.8)
    return np.interp(np.arange(n) / 1440.0, np.arange(days + 2) - 0.5, x)


def _ar1(rng: np.random.Generator, n: int, phi: float, sigma: float) -> F64:
    e = rng.normal(0, sigma * math.sqrt(1 - phi * phi), n)
    # y[t] = phi*y[t-1] + e[t] solved in chunks with powers of phi (exact, vectorised)
    out = np.empty(n)
    chunk = 256
    powers = phi ** np.arange(chunk)
    prev = rng.normal(0, sigma)
    for a in range(0, n, chunk):
        seg = e[a : a + chunk]
        k = seg.size
        conv = np.convolve(seg, powers[:k])[:k]
        out[a : a + k] = conv + prev * phi * powers[:k]
        prev = out[a + k - 1]
    return out


SHIFTS: dict[str, list[tuple[int, int]]] = {
    "continuous": [(0, 1440)],
    "two_shift": [(6 * 60, 22 * 60)],
    "day_shift": [(8 * 60, 18 * 60)],
    "night_shift": [(20 * 60, 30 * 60)],  # 20:00–06:00, belongs to the day it starts
}


def _official_days(t0: datetime, days: int) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """Official working-day flags and weekdays of the generated days (2018/2019 calendars,
    holidays and 调休, from the project's WorkCalendar)."""
    cal = get_calendar()
    first = t0.date()
    dates = [cal.add_days(first, i) for i in range(days + 1)]
    return (
        np.array([cal.is_workday(d) for d in dates], dtype=bool),
        np.array([d.weekday() for d in dates], dtype=np.int64),
    )


def _plant_days(
    calendar: str, official: NDArray[np.bool_], weekday: NDArray[np.int64]
) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]:
    """(works, holiday, makeup) per day for a plant calendar (own rule, written from the
    official arrangement: a public holiday is a rest weekday or a run of ≥ 3 rest days)."""
    rest = ~official
    holiday = rest & (weekday < 5)
    i = 0
    while i < rest.size:
        j = i
        while j < rest.size and rest[j]:
            j += 1
        if j - i >= 3:
            holiday[i:j] = True
        i = j + 1 if j == i else j
    makeup = official & (weekday >= 5)
    if calendar == "every_day":
        works = np.ones(rest.size, dtype=bool)
    elif calendar == "holidays_off":
        works = ~holiday
    elif calendar == "mon_sat":
        works = official | ((weekday == 5) & ~holiday)
    else:
        works = official.copy()
    return works, holiday, makeup


def _production(p: _Point, days: int) -> F64:
    """Activity in [0.2, 1]: the plant's shifts on its working days, ``rest_level`` of them
    on rest days, smoothed by 45 min ramps."""
    rng = p.rng
    pattern = str(rng.choice(list(SHIFTS), p=[0.3, 0.3, 0.25, 0.15]))
    if pattern == "continuous":
        p.calendar = str(rng.choice(["every_day", "holidays_off"], p=[0.6, 0.4]))
    else:
        p.calendar = str(
            rng.choice(
                ["official", "mon_sat", "holidays_off", "every_day"], p=[0.55, 0.2, 0.1, 0.15]
            )
        )
    p.shifts = SHIFTS[pattern]
    p.rest_level = float(rng.choice([0.0, 0.4]))
    official, weekday = _official_days(p.t0, days)
    p.works, p.holiday, p.makeup = _plant_days(p.calendar, official, weekday)
    level = np.where(p.works, 1.0, p.rest_level)
    on = np.zeros(p.n + 1440)
    for d in range(days + 1):
        for a, b in p.shifts:
            lo, hi = d * 1440 + a, min(d * 1440 + b, p.n + 1440)
            if lo < p.n:
                on[lo:hi] = level[d]
    on = on[: p.n]
    _holiday_eves(p, on, days)
    if pattern != "continuous":
        on = np.convolve(on, np.ones(45) / 45, mode="same")
    if pattern == "night_shift":
        p.traits.append("night_shift")
    if (~p.works[:days]).any() and p.calendar != "every_day":
        p.traits.append("weekend_rest" if p.calendar in ("official", "mon_sat") else "holiday_rest")
    return np.asarray(0.2 + 0.8 * on)


def _holiday_eves(p: _Point, on: F64, days: int) -> None:
    """Around a public holiday the plant stops early on the eve (an afternoon hour) and, after
    a long one, restarts over a few hours; labelled ``benign_holiday``.  调休 make-up days
    worked and ordinary weekends are labelled too (``benign_makeup_day``, ``benign_weekend``)."""
    rng = p.rng
    rest_on = p.rest_level
    d = 0
    while d < days:
        if p.works[d]:
            if p.makeup[d] and p.calendar in ("official", "mon_sat"):
                p.events.append(
                    Event(p.mn, "*", "benign_makeup_day", p.when(d * 1440), p.when((d + 1) * 1440))
                )
            d += 1
            continue
        e = d
        while e < days and not p.works[e]:
            e += 1
        if not p.holiday[d:e].any():
            p.events.append(Event(p.mn, "*", "benign_weekend", p.when(d * 1440), p.when(e * 1440)))
            d = e
            continue
        start = d * 1440
        if d > 0 and p.works[d - 1]:
            stop_at = (d - 1) * 1440 + int(rng.integers(11 * 60, 17 * 60))
            on[stop_at:start] = np.minimum(on[stop_at:start], rest_on)
            start = stop_at
        end = e * 1440
        if e - d >= 5 and e < days:
            first = p.shifts[0][0] if p.shifts else 0
            ramp = int(rng.integers(4 * 60, 8 * 60))
            a = e * 1440 + first
            on[a : a + ramp] *= np.linspace(rest_on, 1.0, on[a : a + ramp].size)
            end = a + ramp
        p.events.append(
            Event(
                p.mn,
                "*",
                "benign_holiday",
                p.when(start),
                p.when(min(end, p.n)),
                {"days": e - d, "calendar": p.calendar},
            )
        )
        d = e


def _base_point(mn: str, rng: np.random.Generator, days: int, t0: datetime, high: float) -> _Point:
    n = days * 1440
    k = int(rng.integers(1, 3))
    pols = list(rng.choice(list(SPECS), size=k, replace=False))
    p = _Point(mn=mn, rng=rng, n=n, t0=t0, pollutants=[str(x) for x in pols])
    p.prod = _production(p, days)
    p.has_flow = rng.random() >= 0.15  # some outlets have no flow meter on line
    p.has_received = rng.random() >= 0.3  # some exports carry no receive time
    if not p.has_flow:
        p.traits.append("no_flow_meter")
    if not p.has_received:
        p.traits.append("no_receive_time")
    q0 = float(rng.uniform(20, 200))
    p.flow = (
        q0
        * (0.25 + 0.75 * p.prod)
        * np.exp(_smooth_days(rng, days, 0.08, n) + _ar1(rng, n, 0.98, 0.04))
    )
    p.level[FLOW] = q0
    minutes = np.arange(n)
    local_min = (minutes + t0.hour * 60) % 1440
    for code in p.pollutants:
        spec = SPECS[code]
        level = spec.limit * (rng.uniform(high, high + 0.15) if high else rng.uniform(0.15, 0.45))
        p.level[code] = level
        phase = rng.uniform(0, 2 * math.pi)
        cyc = 1 + rng.uniform(0.05, 0.25) * np.sin(2 * math.pi * local_min / 1440 + phase)
        log_noise = _smooth_days(rng, days, 0.1, n) + _ar1(rng, n, 0.995, 0.12)
        p.truth[code] = level * (0.45 + 0.55 * p.prod) * cyc * np.exp(log_noise)
        # drift since the last weekly calibration, reset by it (logged, flag C)
        p.gain[code] = np.ones(n)
        p.flags[code] = np.full(n, ord("N"), dtype=np.uint8)
        p.noise_scale[code] = np.ones(n)
        p.resolution[code] = np.full(n, spec.resolution)
    p.flags[FLOW] = np.full(n, ord("N"), dtype=np.uint8)
    p.shift = np.zeros(n, dtype=np.int64)
    p.absent = np.zeros(n, dtype=bool)
    _calibration_and_maintenance(p)
    return p


def _calibration_and_maintenance(p: _Point) -> None:
    rng = p.rng
    for code in p.pollutants:
        gain = p.gain[code]
        cal_min = int(rng.integers(9 * 60, 15 * 60))
        cal_day = int(rng.integers(0, 7))
        rate = rng.uniform(-0.03, 0.03) / (7 * 1440)
        last = 0
        for d in range(cal_day, p.n // 1440, 7):
            a = d * 1440 + cal_min
            gain[last:a] = 1 + rate * np.arange(a - last)
            dur = int(rng.integers(20, 45))
            p.flags[code][a : a + dur] = ord("C")
            last = a + dur
            rate = rng.uniform(-0.03, 0.03) / (7 * 1440)
        gain[last:] = 1 + rate * np.arange(p.n - last)
        for m in range(0, p.n, 30 * 1440):
            a = m + int(rng.integers(2, 28)) * 1440 + int(rng.integers(9 * 60, 16 * 60))
            p.flags[code][a : a + int(rng.integers(60, 180))] = ord("M")
    n_blips = rng.poisson(1.5 * p.n / 1440)
    for a in rng.integers(0, p.n, n_blips).tolist():
        p.absent[a : a + int(rng.integers(1, 8))] = True
