"""Benign look-alikes: what a real plant does that resembles tampering (labelled benign)."""

from __future__ import annotations

import numpy as np

from eco263.monitoring.detectors.synthetic.base import FLOW, Event, _Point


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
