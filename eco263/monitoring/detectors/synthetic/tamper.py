"""Injected manipulations, one per tamper/data-quality rule, and their post-processing."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from eco263.monitoring.detectors.synthetic.base import F64, SPECS, Event, _Point


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
