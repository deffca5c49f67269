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
    hour_edit: dict[str, tuple[int, int, float, float]] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)

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


def _production(rng: np.random.Generator, n: int, t0: datetime) -> F64:
    pattern = rng.choice(["continuous", "two_shift", "day_shift"], p=[0.35, 0.4, 0.25])
    minutes = np.arange(n)
    local_min = (minutes + t0.hour * 60 + t0.minute) % 1440
    day = (minutes + t0.hour * 60 + t0.minute) // 1440
    weekday = (t0.weekday() + day) % 7
    if pattern == "continuous":
        on = np.ones(n)
    else:
        a, b = (6 * 60, 22 * 60) if pattern == "two_shift" else (8 * 60, 18 * 60)
        on = ((local_min >= a) & (local_min < b)).astype(float)
        on = np.where(weekday >= 5, on * (0.4 if pattern == "two_shift" else 0.0), on)
        kernel = np.ones(45) / 45
        on = np.convolve(on, kernel, mode="same")
    return np.asarray(0.2 + 0.8 * on)


def _base_point(mn: str, rng: np.random.Generator, days: int, t0: datetime, high: float) -> _Point:
    n = days * 1440
    k = int(rng.integers(1, 3))
    pols = list(rng.choice(list(SPECS), size=k, replace=False))
    p = _Point(mn=mn, rng=rng, n=n, t0=t0, pollutants=[str(x) for x in pols])
    p.prod = _production(rng, n, t0)
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
