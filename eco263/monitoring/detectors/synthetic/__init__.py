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

from datetime import datetime

import numpy as np
import pandas as pd

from eco263.monitoring.detectors.base import Limit
from eco263.monitoring.detectors.synthetic.base import (
    SPECS,
    TAMPER_KINDS,
    TZ,
    Dataset,
    Event,
    Spec,
    _base_point,
)
from eco263.monitoring.detectors.synthetic.emit import _emit
from eco263.monitoring.detectors.synthetic.lookalikes import _benign, _more_benign
from eco263.monitoring.detectors.synthetic.tamper import _inject

__all__ = ["SPECS", "STARTS", "TAMPER_KINDS", "Dataset", "Event", "Spec", "generate"]

#: Start dates by seed: Qingming and Labour Day 2018 (调休 4/8, 4/28); Mid-autumn and National
#: Day 2018 (调休 9/29, 9/30); Spring Festival 2019 (调休 2/2, 2/3); Qingming and Labour Day
#: 2019 (调休 4/28, 5/5); Mid-autumn and National Day 2019 (调休 9/29, 10/12).
STARTS = (
    "2018-04-01T00:00:00+08:00",
    "2018-09-10T00:00:00+08:00",
    "2019-01-20T00:00:00+08:00",
    "2019-04-01T00:00:00+08:00",
    "2019-09-05T00:00:00+08:00",
)


def generate(
    seed: int,
    n_points: int = 40,
    days: int = 40,
    *,
    start: str | None = None,
    clean_share: float = 0.3,
    second_event_share: float = 0.3,
    with_logger_aggregates: bool = True,
    kinds: tuple[str, ...] = TAMPER_KINDS,
) -> Dataset:
    """A labelled data set: ``n_points`` points × ``days`` of minute data (see module doc).

    ``start`` defaults to one of :data:`STARTS` chosen by the seed, each a stretch of the
    2018 or 2019 calendar with public holidays and 调休 make-up working days in it.
    """
    rng = np.random.default_rng(seed)
    t0 = datetime.fromisoformat(start or STARTS[seed % len(STARTS)]).astimezone(TZ)
    schedules: dict[str, dict[str, object]] = {}
    traits: dict[str, list[str]] = {}
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
        inflow = prng.random() < 0.5
        _benign(p, inflow=inflow)
        _more_benign(p, inflow=inflow)
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
        traits[mn] = p.traits
        if prng.random() < 0.7 or p.stops:  # what an officer entered for the point
            entry: dict[str, object] = {"stops": p.stops}
            if not p.stops or prng.random() < 0.7:
                entry["calendar"] = p.calendar
                entry["shifts"] = [_shift_text(a, b) for a, b in p.shifts]
            schedules[mn] = entry
        for code in p.pollutants:
            spec = SPECS[code]
            limits.append((mn, Limit(code, spec.limit, spec.unit, spec.standard)))
    df = pd.concat(frames, ignore_index=True)
    df["time"] = pd.to_datetime(df.pop("t"), unit="s", utc=True).dt.tz_convert(TZ)
    df["received"] = pd.to_datetime(df.pop("rx"), unit="s", utc=True).dt.tz_convert(TZ)
    df = df[["mn", "time", "pollutant", "value", "flag", "cn", "received"]]
    return Dataset(df, events, limits, points, t0, days, schedules, traits)


def _shift_text(a: int, b: int) -> str:
    return f"{a // 60 % 24:02d}:{a % 60:02d}-{(b // 60) % 24 if b != 1440 else 24:02d}:{b % 60:02d}"
