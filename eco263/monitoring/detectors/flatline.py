"""``flatline``: identical results for too long, or variance far below the instrument's noise.

TAMPER.md §3 ("Flatline / replay detection") and §4.2: a constant output (Taizhou: NH3-N stuck at
0.32 mg/L after a parameter edit) or clean water in front of the probe.  Two pitfalls shape the
rule (the §3 note on quantisation):

* batch analysers (COD, heavy metals) legitimately hold one result for a whole cycle, so the rule
  works on *analyser results* — runs of equal consecutive readings — never on minute rows, and
  the allowed run length is scaled to the point's own typical result duration;
* quantised sensors repeat values (pH at 0.01 repeats 49 % of the time), so the threshold is
  also a multiple of the point's own 95th-percentile run length.

The second signature is a jittered constant: the rolling spread of consecutive results falls to
a small fraction of what that hour of day usually shows.  A stopped discharge (flow gone, or
zero flow itself) is a real constant and is not reported.
"""

from __future__ import annotations

import math

import numpy as np

from eco263.monitoring.detectors._util import I64, hod_median, runs, squash
from eco263.monitoring.detectors.base import Alarm
from eco263.monitoring.detectors.validity import HOUR, PointData, Series, analyser_results


def results(s: Series) -> tuple[I64, I64, np.ndarray]:
    """Analyser results of a series (see :func:`validity.analyser_results`)."""
    return analyser_results(s)


def _stopped_mask(point: PointData, t: I64) -> np.ndarray:
    """Per time: is the discharge stopped (flow far below its typical level)?"""
    if t.size == 0:
        return np.zeros(0, dtype=bool)
    if point.flow is None:  # only the schedule can say the plant was stopped
        planned = point.planned_stop(HOUR, point.n_hours)
        return np.asarray(planned[np.clip((t - point.grid_start) // HOUR, 0, planned.size - 1)])
    q = point.hourly(point.flow)
    typical = float(np.nanmedian(q.mean)) if np.isfinite(q.mean).any() else math.nan
    if not math.isfinite(typical) or typical <= 0:
        return np.zeros(t.size, dtype=bool)
    idx = np.clip((t - q.start) // HOUR, 0, q.n - 1)
    frac = point.config.flatline.flow_stop_fraction
    low = np.nan_to_num(q.mean < typical * frac, nan=False) | (q.counts[:, 3] > q.counts[:, 0])
    low |= point.planned_stop(HOUR, q.n)
    return np.asarray(low[idx])


def run(point: PointData) -> list[Alarm]:
    out: list[Alarm] = []
    for pol, s in point.series.items():
        r0, r1, rv = point.results(pol)
        if rv.size < 10:
            continue
        out.extend(_constant_runs(point, pol, s, r0, r1, rv))
        out.extend(_low_variance(point, pol, r0, r1, rv))
    return out


def _constant_runs(
    point: PointData, pol: str, s: Series, r0: I64, r1: I64, rv: np.ndarray
) -> list[Alarm]:
    cfg = point.config.flatline
    dur = r1 - r0
    cycle, q99 = point.result_durations(pol)
    thr = max(cfg.min_hours * HOUR, cfg.min_cycles * cycle, cfg.run_quantile_factor * q99)
    long = np.flatnonzero(dur >= thr)
    if long.size == 0:
        return []
    stopped = _stopped_mask(point, (r0[long] + r1[long]) // 2)
    out: list[Alarm] = []
    for i, stop in zip(long.tolist(), stopped.tolist(), strict=True):
        if stop or (pol == point.flow and rv[i] <= 0):
            continue
        out.append(
            point.alarm(
                pol,
                "flatline",
                (int(r0[i]), int(r1[i])),
                squash(float(dur[i]) / thr - 0.5),
                int(r0[i]) + thr,
                {
                    "kind": "constant",
                    "value": float(rv[i]),
                    "hours": float(dur[i]) / HOUR,
                    "threshold_hours": thr / HOUR,
                    "typical_result_minutes": cycle / 60,
                    "p95_run_minutes": q99 / 60,
                    "resolution": s.resolution,
                },
            )
        )
    return out


def _low_variance(point: PointData, pol: str, r0: I64, r1: I64, rv: np.ndarray) -> list[Alarm]:
    cfg = point.config.flatline
    k = cfg.window_results
    if rv.size < 4 * k:
        return []
    x = rv - float(np.mean(rv))
    c1 = np.concatenate(([0.0], np.cumsum(x)))
    c2 = np.concatenate(([0.0], np.cumsum(x * x)))
    s1 = c1[k:] - c1[:-k]
    sd = np.sqrt(np.maximum((c2[k:] - c2[:-k]) / k - (s1 / k) ** 2, 0.0))
    t_w0, t_w1 = r0[: sd.size], r1[k - 1 :]
    slot = point.slot(HOUR, point.n_hours)[
        np.clip((t_w0 - point.grid_start) // HOUR, 0, point.n_hours - 1)
    ]
    ref = hod_median(sd[::4], slot[::4])[slot]  # neighbouring windows overlap: a sample will do
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = sd / ref
    quiet = np.nan_to_num(ratio < cfg.low_variance_ratio, nan=False)
    quiet &= ~_stopped_mask(point, (t_w0 + t_w1) // 2)
    st, en = runs(quiet)
    out: list[Alarm] = []
    for a, b in zip(st.tolist(), en.tolist(), strict=True):
        t0, t1 = int(t_w0[a]), int(t_w1[b - 1])
        if t1 - t0 < cfg.low_variance_min_hours * HOUR:
            continue
        reach = np.flatnonzero(t_w1[a:b] - t0 >= cfg.low_variance_min_hours * HOUR)
        detected = int(t_w1[a + int(reach[0])]) if reach.size else t1
        med_ratio = float(np.median(ratio[a:b]))
        out.append(
            point.alarm(
                pol,
                "flatline",
                (t0, t1),
                squash(math.log(cfg.low_variance_ratio / max(med_ratio, 1e-6))),
                detected,
                {
                    "kind": "low_variance",
                    "hours": (t1 - t0) / HOUR,
                    "spread_ratio": med_ratio,
                    "spread": float(np.median(sd[a:b])),
                    "usual_spread": float(np.nanmedian(ref[a:b])),
                    "window_results": k,
                    "level": float(np.median(rv[a : b + k - 1])),
                    "baseline": point.baseline_evidence(t0),
                },
            )
        )
    return out
