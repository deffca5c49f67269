"""Benign look-alikes: what a real plant does that resembles tampering (labelled benign)."""

from __future__ import annotations

import numpy as np

from eco263.monitoring.detectors.synthetic.base import F64, FLOW, SPECS, Event, _Point


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


# Look-alikes added for issue 17, written before the detectors were changed or tuned: what a
# real plant does that the detectors were not designed around.  Each is labelled benign.


def _more_benign(p: _Point, inflow: bool) -> None:
    rng = p.rng
    days = p.n // 1440
    if rng.random() < 0.25:
        _planned_stop(p, days)
    if inflow and rng.random() < 0.35:
        _rain_spell(p, days)
    for code in p.pollutants:
        if rng.random() < 0.25:
            _span_checks(p, code, days)
    for m in range(0, p.n, 30 * 1440):
        if rng.random() < 0.5:
            _maintenance(p, m, days)
    if rng.random() < 0.15:
        _new_analyser(p, days)


def _planned_stop(p: _Point, days: int) -> None:
    """停产 of 2–6 days: flow falls to 2–30 % after a ramp-down of 2–8 h, the analyser then
    measures standing water (10–50 % of the usual level); F flags on half of them; 70 % are
    entered in the schedule (rounded to the hour, up to 2 h off)."""
    rng = p.rng
    dur = int(rng.uniform(2, 6) * 1440)
    a = int(rng.integers(3 * 1440, max(3 * 1440 + 1, p.n - dur - 1440)))
    ramp = int(rng.integers(2 * 60, 8 * 60))
    b = min(a + dur, p.n)
    q_left = float(rng.uniform(0.02, 0.3))
    c_left = float(rng.uniform(0.1, 0.5))
    shape = np.ones(b - a)
    shape[:ramp] = np.linspace(1.0, q_left, ramp)
    shape[ramp:] = q_left
    up = min(int(rng.integers(60, 4 * 60)), b - a - ramp)
    if up > 0:
        shape[-up:] = np.linspace(q_left, 1.0, up)
    p.flow[a:b] *= shape * (1 + 0.1 * rng.random(b - a))
    c_shape = 1 - (1 - shape) / (1 - q_left) * (1 - c_left)
    flagged = rng.random() < 0.5
    for code in p.pollutants:
        p.truth[code][a:b] *= c_shape
        if flagged:
            p.flags[code][a + ramp : b - max(up, 0)] = ord("F")
    recorded = rng.random() < 0.7
    if recorded:
        err = int(rng.integers(-120, 121))
        s0 = ((a + err) // 60) * 60
        e0 = ((b + err) // 60 + 1) * 60
        p.stops.append(
            {
                "start": p.when(s0).strftime("%Y-%m-%d %H:%M"),
                "end": p.when(e0).strftime("%Y-%m-%d %H:%M"),
                "reason": "计划停产检修",
            }
        )
    p.events.append(
        Event(
            p.mn,
            "*",
            "benign_planned_stop",
            p.when(a),
            p.when(b),
            {"days": (b - a) / 1440, "flow_left": q_left, "flagged": flagged, "recorded": recorded},
        )
    )


def _rain_spell(p: _Point, days: int) -> None:
    """A rainy spell of 1–3 days: 2–5 flow peaks of ×1.5–4 lasting 1–4 h each on an outlet
    that takes rainwater; concentration diluted by the same factor (load unchanged)."""
    rng = p.rng
    a0 = int(rng.integers(2 * 1440, p.n - 3 * 1440))
    span = int(rng.uniform(1, 3) * 1440)
    peaks = int(rng.integers(2, 6))
    for _ in range(peaks):
        a = a0 + int(rng.integers(0, span))
        dur = int(rng.integers(60, 4 * 60))
        f = float(rng.uniform(1.5, 4.0))
        rise = min(30, dur // 3)
        shape = np.interp(np.arange(dur), [0, rise, dur - rise, dur], [1, f, f * 0.8, 1])
        b = min(a + dur, p.n)
        p.flow[a:b] *= shape[: b - a]
        for code in p.pollutants:
            p.truth[code][a:b] /= shape[: b - a]
    p.events.append(
        Event(
            p.mn,
            "*",
            "benign_rain",
            p.when(a0),
            p.when(min(a0 + span + 300, p.n)),
            {"peaks": peaks, "spell": True},
        )
    )


def _span_checks(p: _Point, code: str, days: int) -> None:
    """A daily automatic zero and span check (flag C, 20–30 min, at a fixed hour, often at
    night): the analyser reads the blank, then a standard at 50–120 % of the limit."""
    rng = p.rng
    spec = SPECS[code]
    hour = int(rng.choice([1, 2, 3, 4, 13]))
    span_value = float(rng.uniform(0.5, 1.2)) * spec.limit
    for d in range(days):
        a = d * 1440 + hour * 60 + int(rng.integers(0, 5))
        zero, span = int(rng.integers(10, 15)), int(rng.integers(10, 15))
        if a + zero + span >= p.n:
            break
        p.flags[code][a : a + zero + span] = ord("C")
        p.benign_post.append((code, a, a + zero + span, zero, span_value))
        p.events.append(
            Event(
                p.mn,
                code,
                "benign_span_check",
                p.when(a),
                p.when(a + zero + span),
                {"span_value": span_value},
            )
        )


def _maintenance(p: _Point, month_start: int, days: int) -> None:
    """Maintenance of one analyser (flag M): with a gap (M, then 1–6 h with no rows, then M,
    then a level 5–15 % different: the cell was cleaned), or without (M rows for 3–8 h whose
    values are the blank or stuck)."""
    rng = p.rng
    code = str(rng.choice(p.pollutants))
    a = month_start + int(rng.integers(1, 28)) * 1440 + int(rng.integers(8 * 60, 17 * 60))
    if a + 9 * 60 >= p.n:
        return
    if rng.random() < 0.5:
        m1, gap, m2 = (
            int(rng.integers(10, 30)),
            int(rng.integers(60, 6 * 60)),
            int(rng.integers(10, 20)),
        )
        p.flags[code][a : a + m1] = ord("M")
        p.dropped.setdefault(code, np.zeros(p.n, dtype=bool))[a + m1 : a + m1 + gap] = True
        b = a + m1 + gap + m2
        p.flags[code][a + m1 + gap : b] = ord("M")
        p.gain[code][b:] *= float(rng.choice([rng.uniform(0.85, 0.95), rng.uniform(1.05, 1.15)]))
        params = {"gap_hours": gap / 60}
    else:
        b = a + int(rng.integers(3 * 60, 8 * 60))
        p.flags[code][a:b] = ord("M")
        p.benign_post.append((code, a, b, b - a, 0.0))  # reads the blank while serviced
        params = {"gap_hours": 0.0}
    p.events.append(Event(p.mn, code, "benign_maintenance", p.when(a), p.when(b), params))


def _new_analyser(p: _Point, days: int) -> None:
    """A new analyser: 2–6 h of M flags while it is installed, then a different noise level
    (×0.3–0.5 or ×2–3), for half of them a finer resolution, and a level within ±10 %."""
    rng = p.rng
    code = str(rng.choice(p.pollutants))
    a = int(rng.integers(5, days - 5)) * 1440 + int(rng.integers(9 * 60, 15 * 60))
    b = a + int(rng.integers(2 * 60, 6 * 60))
    p.flags[code][a:b] = ord("M")
    scale = float(rng.choice([rng.uniform(0.3, 0.5), rng.uniform(2.0, 3.0)]))
    p.noise_scale[code][b:] *= scale
    finer = rng.random() < 0.5
    if finer:
        p.resolution[code][b:] /= 10
    p.gain[code][b:] *= float(rng.uniform(0.9, 1.1))
    p.events.append(
        Event(
            p.mn,
            code,
            "benign_new_analyser",
            p.when(a),
            p.when(b),
            {"noise_scale": scale, "finer_resolution": finer},
        )
    )


def _apply_benign(p: _Point, values: dict[str, F64]) -> None:
    """What the analyser reads during a zero/span check or a service: the blank, then the
    standard (applied after any manipulation: the check overrides what the line carries)."""
    for code, a, b, zero, value in p.benign_post:
        y = values[code]
        y[a : a + zero] = SPECS[code].blank
        y[a + zero : b] = value
