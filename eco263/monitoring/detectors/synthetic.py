"""A labelled generator of minute monitoring data, for tests and the tamper evaluation.

Not a detector and not the HJ 212 simulator: it makes *long-form readings* with known truth.
Base signals follow TAMPER.md's description of real wastewater outlets — a production calendar
(shifts, weekends), a daily cycle, day-to-day variation, process and instrument noise at the
instrument's resolution, batch analysers that hold a result for their cycle, drift reset by
weekly logged calibrations, monthly maintenance, short communication blips, and the logger's own
hourly/daily values and receive times.  Benign look-alikes (rain diluting an inflow, a logged
recalibration, a production stop) are labelled ``benign``; injected manipulations are labelled
with the rule meant to find them, at varied strengths (dilution 1.5×–40×, all hours or some
hours, night only, onset after an inspection), sized on the enforcement cases of TAMPER.md §1.5.

Everything is drawn from ``numpy.random.default_rng(seed)``: the seed is a parameter.
"""

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


# ------------------------------------------------------------------------- benign look-alikes


def _benign(p: _Point, inflow: bool) -> None:
    rng = p.rng
    days = p.n // 1440
    if inflow:
        for _ in range(int(rng.integers(0, 3))):
            a = int(rng.integers(2 * 1440, p.n - 1440))
            dur = int(rng.integers(3 * 60, 12 * 60))
            f = float(rng.uniform(1.5, 3.0))
            shape = (
                np.interp(np.arange(dur), [0, 60, dur - 180, dur], [1, f, f, 1])
                if dur > 300
                else np.full(dur, f)
            )
            p.flow[a : a + dur] *= shape
            for code in p.pollutants:
                p.truth[code][a : a + dur] /= shape
            p.events.append(
                Event(p.mn, "*", "benign_rain", p.when(a), p.when(a + dur), {"factor": f})
            )
    if rng.random() < 0.35:
        code = str(rng.choice(p.pollutants))
        a = int(rng.integers(3, days - 2)) * 1440 + int(rng.integers(9 * 60, 15 * 60))
        g = float(rng.choice([rng.uniform(0.72, 0.85), rng.uniform(1.15, 1.3)]))
        p.flags[code][a : a + 40] = ord("C")
        p.gain[code][a + 40 :] *= g
        p.events.append(
            Event(p.mn, code, "benign_recalibration", p.when(a), p.when(a + 40), {"gain": g})
        )
    if rng.random() < 0.3:
        a = int(rng.integers(3, days - 4)) * 1440 + int(rng.integers(0, 1440))
        dur = int(rng.integers(1440, 3 * 1440))
        p.flow[a : a + dur] = p.level[FLOW] * 0.01 * (1 + 0.2 * rng.random(dur))
        flagged = rng.random() < 0.7
        for code in p.pollutants:
            p.truth[code][a : a + dur] = p.level[code] * 0.15 * (1 + 0.1 * rng.random(dur))
            if flagged:
                p.flags[code][a : a + dur] = ord("F")
        p.events.append(
            Event(p.mn, "*", "benign_stop", p.when(a), p.when(a + dur), {"flagged": flagged})
        )


# ---------------------------------------------------------------------------- manipulations


def _inject_dilution(p: _Point, code: str, a: int, b: int) -> tuple[str, int, int, dict[str, Any]]:
    rng = p.rng
    params: dict[str, Any] = {}
    k = float(math.exp(rng.uniform(math.log(1.5), math.log(40))))
    pattern = str(rng.choice(["all", "night", "some_hours", "after_inspection"]))
    mask = np.zeros(p.n, dtype=bool)
    local = (np.arange(p.n) + p.t0.hour * 60) % 1440
    if pattern == "all":
        mask[a:b] = True
    elif pattern == "night":
        mask[a:b] = (local[a:b] >= 22 * 60) | (local[a:b] < 6 * 60)
    elif pattern == "some_hours":
        h0 = int(rng.integers(8, 16)) * 60
        mask[a:b] = (local[a:b] >= h0) & (local[a:b] < h0 + int(rng.integers(3, 7)) * 60)
    else:  # resumes right after an inspection day's visit, then runs on
        a = (a // 1440) * 1440 + int(rng.integers(17 * 60, 19 * 60))
        mask[a:b] = True
    first = np.flatnonzero(mask)
    a = int(first[0]) if first.size else a
    shared = rng.random() < 0.3
    targets = p.pollutants if shared else [code]
    for c in targets:
        blank = SPECS[c].blank
        # mixing with (k − 1) parts of clean water that carries the blank level
        p.truth[c][mask] = p.truth[c][mask] / k + blank * (k - 1) / k
    code = "*" if shared else code
    params = {"factor": k, "pattern": pattern, "shared_line": shared}
    return code, a, b, params


def _inject_flatline(p: _Point, code: str, a: int, b: int) -> tuple[str, int, int, dict[str, Any]]:
    rng = p.rng
    params: dict[str, Any] = {}
    jitter = rng.random() < 0.3
    value = float(p.level[code] * rng.uniform(0.4, 0.9))
    b = min(b, a + int(rng.uniform(0.25, 3.0) * 1440))
    p.post.append(("const", code, a, b, value, jitter))
    params = {"value": value, "jitter": jitter}
    return code, a, b, params


def _inject_replay(p: _Point, code: str, a: int, b: int) -> tuple[str, int, int, dict[str, Any]]:
    rng = p.rng
    params: dict[str, Any] = {}
    lag = int(rng.integers(1, 8)) * 1440
    whole_days = rng.random() < 0.6
    if whole_days:
        a = (a // 1440) * 1440
        b = min(a + int(rng.integers(1, 4)) * 1440, p.n)
    else:
        b = min(a + int(rng.integers(4, 13)) * 60, p.n)
    noisy = rng.random() < 0.3
    p.post.append(("replay", code, a, b, lag, noisy))
    params = {"lag_days": lag / 1440, "noisy": noisy, "whole_days": whole_days}
    return code, a, b, params


def _inject_pinning(p: _Point, code: str, a: int, b: int) -> tuple[str, int, int, dict[str, Any]]:
    params: dict[str, Any] = {}
    spec = SPECS[code]
    p.post.append(("pin", code, a, b, spec.limit, 0.0))
    params = {"limit": spec.limit}
    return code, a, b, params


def _inject_parameter_edit(
    p: _Point, code: str, a: int, b: int
) -> tuple[str, int, int, dict[str, Any]]:
    rng = p.rng
    params: dict[str, Any] = {}
    level = p.level[code]
    form = str(rng.choice(["offset", "gain", "mixed"]))
    if form == "offset":
        slope, icpt = 1.0, -float(rng.uniform(0.35, 0.6)) * level
    elif form == "gain":
        slope, icpt = float(rng.uniform(0.25, 0.45)), float(rng.uniform(0.2, 0.4)) * level
    else:
        slope, icpt = float(rng.uniform(0.4, 0.6)), -float(rng.uniform(0.05, 0.15)) * level
    p.post.append(("affine", code, a, b, slope, icpt))
    params = {"form": form, "slope": slope, "intercept": icpt}
    return code, a, b, params


def _inject_aggregate_mismatch(
    p: _Point, code: str, a: int, b: int
) -> tuple[str, int, int, dict[str, Any]]:
    rng = p.rng
    params: dict[str, Any] = {}
    b = min(b, a + int(rng.uniform(1, 4) * 1440))
    cap = float(rng.uniform(0.5, 0.8))
    p.hour_edit[code] = (a, b, cap, p.level[code])
    params = {"scale": cap}
    return code, a, b, params


def _inject_clock(p: _Point, code: str, a: int, b: int) -> tuple[str, int, int, dict[str, Any]]:
    rng = p.rng
    params: dict[str, Any] = {}
    b = min(b, a + int(rng.uniform(1, 4) * 1440))
    minutes = int(rng.choice([-1, 1]) * rng.choice([30, 60, 120, 360]))
    p.shift[a:b] = minutes
    code = "*"
    params = {"shift_minutes": minutes}
    return code, a, b, params


def _inject_missing_data(
    p: _Point, code: str, a: int, b: int
) -> tuple[str, int, int, dict[str, Any]]:
    rng = p.rng
    params: dict[str, Any] = {}
    b = min(b, a + int(rng.uniform(4, 36) * 60))
    if rng.random() < 0.6:
        p.absent[a:b] = True
        code = "*"
    else:
        p.flags[code][a:b] = ord(str(rng.choice(["D", "B"])))
    params = {"hours": (b - a) / 60}
    return code, a, b, params


def _inject_flag_abuse(
    p: _Point, code: str, a: int, b: int
) -> tuple[str, int, int, dict[str, Any]]:
    rng = p.rng
    params: dict[str, Any] = {}
    spec = SPECS[code]
    react = float(rng.uniform(0.75, 0.95)) * spec.limit
    starts = []
    for d in range(a // 1440, b // 1440):
        for _ in range(int(rng.integers(1, 3))):
            s0 = d * 1440 + int(rng.integers(8 * 60, 20 * 60))
            dur = int(rng.integers(90, 240))
            peak = float(rng.uniform(1.1, 1.8)) * spec.limit
            base = p.truth[code][s0 : s0 + dur]
            bump = np.sin(np.linspace(0, math.pi, base.size)) ** 0.7
            p.truth[code][s0 : s0 + dur] = np.maximum(base, base + (peak - base) * bump)
            starts.append((s0, s0 + dur))
    p.post.append(("hide", code, a, b, react, str(rng.choice(["M", "D", "absent"]))))
    if starts:
        a = starts[0][0]
    params = {"react_at": react, "excursions": len(starts)}
    return code, a, b, params


_INJECT = {
    "dilution": _inject_dilution,
    "flatline": _inject_flatline,
    "replay": _inject_replay,
    "pinning": _inject_pinning,
    "parameter_edit": _inject_parameter_edit,
    "aggregate_mismatch": _inject_aggregate_mismatch,
    "clock": _inject_clock,
    "missing_data": _inject_missing_data,
    "flag_abuse": _inject_flag_abuse,
}


def _inject(p: _Point, kind: str, window: tuple[int, int]) -> Event:
    a, b = window
    code = str(p.rng.choice(p.pollutants))
    code, a, b, params = _INJECT[kind](p, code, a, b)
    ev = Event(p.mn, code, kind, p.when(a), p.when(b), params)
    p.events.append(ev)
    return ev


def _analyser(p: _Point, code: str) -> F64:
    """What the analyser reports: truth × drift gain + instrument noise, held per cycle."""
    spec = SPECS[code]
    rng = p.rng
    x = p.truth[code] * p.gain[code]
    noise = rng.normal(0, 0.015 * p.level[code] + spec.blank * 0.2, p.n)
    y = np.maximum(x + noise, 0.0)
    if spec.cycle > 1:
        idx = (np.arange(p.n) // spec.cycle) * spec.cycle
        y = y[np.minimum(idx + spec.cycle - 1, p.n - 1)]  # result at the end of the cycle
        y = np.r_[np.full(spec.cycle, y[0]), y[: -spec.cycle]]  # reported after the cycle
    return np.asarray(np.round(y / spec.resolution) * spec.resolution)


def _post(p: _Point, values: dict[str, F64]) -> None:
    rng = p.rng
    for op in p.post:
        kind, code, a, b = op[0], op[1], op[2], op[3]
        spec = SPECS[code]
        y = values[code]
        if kind == "const":
            value, jitter = op[4], op[5]
            y[a:b] = value
            if jitter:
                y[a:b] += rng.integers(-1, 2, b - a) * spec.resolution
        elif kind == "replay":
            lag, noisy = op[4], op[5]
            src = y[a - lag : b - lag].copy()
            if noisy:
                src = np.round(src * (1 + rng.normal(0, 0.005, src.size)) / spec.resolution)
                src = src * spec.resolution
            y[a:b] = src
            p.flags[code][a:b] = p.flags[code][a - lag : b - lag]
        elif kind == "pin":
            lim = op[4]
            seg = y[a:b]
            high = seg > 0.9 * lim
            seg[high] = np.round(lim * rng.uniform(0.9, 0.99, int(high.sum())) / spec.resolution)
            seg[high] *= spec.resolution
        elif kind == "affine":
            slope, icpt = op[4], op[5]
            y[a:b] = np.maximum(np.round((slope * y[a:b] + icpt) / spec.resolution), 0)
            y[a:b] *= spec.resolution
        elif kind == "hide":
            react, how = op[4], op[5]
            over = np.zeros(p.n, dtype=bool)
            over[a:b] = y[a:b] >= react
            idx = np.flatnonzero(over)
            # keep hidden until the value is back below 0.8 × react
            for s0 in idx[np.r_[True, np.diff(idx) > 1]].tolist():
                e0 = s0
                while e0 < b and y[e0] >= 0.8 * react:
                    e0 += 1
                e0 = min(e0 + 10, p.n)
                if how == "absent":
                    p.dropped.setdefault(code, np.zeros(p.n, dtype=bool))[s0:e0] = True
                else:
                    p.flags[code][s0:e0] = ord(how)


def _logger_aggregates(
    p: _Point, code: str, y: F64, flags: NDArray[np.uint8], times: NDArray[np.int64]
) -> list[pd.DataFrame]:
    valid = (flags == ord("N")) & ~p.absent & ~p.dropped.get(code, np.zeros(p.n, dtype=bool))
    hours = p.n // 60
    ok = valid.reshape(hours, 60)
    vals = np.where(ok, y.reshape(hours, 60), 0.0)
    n_ok = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        hourly = vals.sum(axis=1) / n_ok
    good = n_ok >= 45
    if code in p.hour_edit:
        a, b, cap, level = p.hour_edit[code]
        h = np.arange(hours)
        sel = (h >= a // 60) & (h < b // 60)
        hourly = np.where(sel & (hourly > cap * 1.2 * level), hourly * cap, hourly)
        hourly = np.where(sel, np.minimum(hourly, 1.2 * level), hourly)
    hourly = np.round(hourly, 4)
    ht = times[::60][:hours] + p.shift[::60][:hours] * 60
    frames = [
        pd.DataFrame(
            {
                "t": ht[good],
                "pollutant": code,
                "value": hourly[good],
                "flag": "N",
                "cn": "2061",
                "rx": ht[good] + 3600 + 30,
            }
        )
    ]
    days = hours // 24
    hv = np.where(good, hourly, 0.0)[: days * 24].reshape(days, 24)
    hn = good[: days * 24].reshape(days, 24).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        daily = np.round(hv.sum(axis=1) / hn, 4)
    dt = times[::1440][:days]
    dgood = hn >= 18
    frames.append(
        pd.DataFrame(
            {
                "t": dt[dgood],
                "pollutant": code,
                "value": daily[dgood],
                "flag": "N",
                "cn": "2031",
                "rx": dt[dgood] + 86400 + 60,
            }
        )
    )
    return frames


def _emit(p: _Point, with_logger_aggregates: bool) -> pd.DataFrame:
    rng = p.rng
    base_s = int(p.t0.timestamp())
    times = base_s + np.arange(p.n, dtype=np.int64) * MIN
    values = {c: _analyser(p, c) for c in p.pollutants}
    values[FLOW] = np.round(p.flow, 2)
    _post(p, values)
    latency = rng.integers(2, 30, p.n)
    data_t = times + p.shift * 60
    rx = times + latency
    frames = []
    for code, y in values.items():
        keep = ~p.absent
        if code in p.dropped:
            keep &= ~p.dropped[code]
        flags = p.flags[code]
        frames.append(
            pd.DataFrame(
                {
                    "t": data_t[keep],
                    "pollutant": code,
                    "value": y[keep],
                    "flag": flags[keep].view("S1").astype(str),
                    "cn": "2051",
                    "rx": rx[keep],
                }
            )
        )
        if with_logger_aggregates and code != FLOW:
            frames.extend(_logger_aggregates(p, code, y, flags, times))
    df = pd.concat(frames, ignore_index=True)
    df.insert(0, "mn", p.mn)
    return df


def generate(
    seed: int,
    n_points: int = 40,
    days: int = 40,
    *,
    start: str = "2018-04-01T00:00:00+08:00",
    clean_share: float = 0.3,
    second_event_share: float = 0.3,
    with_logger_aggregates: bool = True,
    kinds: tuple[str, ...] = TAMPER_KINDS,
) -> Dataset:
    """A labelled data set: ``n_points`` points × ``days`` of minute data (see module doc)."""
    rng = np.random.default_rng(seed)
    t0 = datetime.fromisoformat(start).astimezone(TZ)
    frames: list[pd.DataFrame] = []
    events: list[Event] = []
    limits: list[tuple[str, Limit]] = []
    points: list[str] = []
    cycle = list(kinds)
    rng.shuffle(cycle)
    k = 0
    for i in range(n_points):
        mn = f"88888880{seed % 1000:03d}{i:05d}"
        prng = np.random.default_rng([seed, i])
        clean = prng.random() < clean_share
        plan: list[str] = []
        if not clean:
            plan.append(cycle[k % len(cycle)])
            k += 1
            if prng.random() < second_event_share:
                plan.append(cycle[k % len(cycle)])
                k += 1
        # a plant whose true values often exceed the limit (pinning hides that), or a clean
        # plant run close to its limit (must not look like pinning)
        high = 0.8 if "pinning" in plan else (0.55 if clean and prng.random() < 0.2 else 0.0)
        p = _base_point(mn, prng, days, t0, high)
        _benign(p, inflow=prng.random() < 0.5)
        if plan:
            half = p.n // 2
            slots = [(8 * 1440, half - 1440), (half + 1440, p.n - 1440)]
            prng.shuffle(slots)
            for kind, (lo, hi) in zip(plan, slots, strict=False):
                span = {"pinning": (6, 12), "flag_abuse": (3, 8)}.get(kind, (1, 6))
                dur = int(prng.uniform(*span) * 1440)
                a = int(prng.integers(lo, max(lo + 1, hi - min(dur, hi - lo - 60))))
                _inject(p, kind, (a, min(a + dur, hi if len(plan) > 1 else p.n - 60)))
        frames.append(_emit(p, with_logger_aggregates))
        events.extend(p.events)
        points.append(mn)
        for code in p.pollutants:
            spec = SPECS[code]
            limits.append((mn, Limit(code, spec.limit, spec.unit, spec.standard)))
    df = pd.concat(frames, ignore_index=True)
    df["time"] = pd.to_datetime(df.pop("t"), unit="s", utc=True).dt.tz_convert(TZ)
    df["received"] = pd.to_datetime(df.pop("rx"), unit="s", utc=True).dt.tz_convert(TZ)
    df = df[["mn", "time", "pollutant", "value", "flag", "cn", "received"]]
    return Dataset(df, events, limits, points, t0, days)
