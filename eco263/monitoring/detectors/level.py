"""``dilution`` and ``parameter_edit``: a sudden level or spread break the process can't explain.

TAMPER.md §4.1 (the Kunshan, Zhenjiang and Juye cases): dilution or clean-water substitution
divides the concentration by a factor while flow and production do not change.  §4.4: a
parameter edit (the Taizhou "修正值×/修正值+") applies y' = a·y + b.  Both are *steps*, so one
detector finds them and the shape of the step says which:

1. Work on short blocks (``block_minutes``) of valid data, in logs, minus the point's own
   hour-of-day profile — so a night-only or peak-hours-only dilution shows as a drop against
   what those hours usually read, and the daily cycle is not a step.
2. Step statistic D(t) = median of the next ``right_hours`` − median of the previous
   ``left_hours`` (a two-window change-point test, robust to spikes).  The same is computed for
   flow: a concentration drop explained by more water (rain on an inflow: flow ×f, concentration
   ÷f) is subtracted; a drop that comes with a flow collapse (production change or stop) is not
   judged.  The threshold is the larger of a physical factor (``min_factor``) and ``z_step``
   times the point's own natural spread of D — self-scaled per point (TAMPER.md §3 note).
3. Classify the step by how the short-term spread moved with the level: λ is the level ratio,
   and the spread of log values one analyser result apart is compared with the usual spread of
   the *same hours of day* (``_spread_ratio``; ρ = that ratio × λ is the spread ratio in
   linear units).  Multiplicative (log spread kept, ρ ≈ λ, or ρ > λ as values approach the
   blank and instrument noise dominates) is dilution; spread kept in linear units while the
   level dropped (ρ ≥ √λ) is an offset edit (b < 0); spread shrinking faster than the level
   (ρ < ``compression_ratio`` · λ) is a gain/compression edit.  A drop must also end below the
   usual level of those hours: the end of an excursion (an exceedance episode) only returns to
   it.  An optional second channel (``spread_test``, off) looks for compression that keeps
   the level.
4. A drop of at most ``calibration_max_factor`` right after a logged calibration (C/M flags) is
   the benign look-alike of a recalibration and is not reported.
5. Production calendar (schedule.py): the profiles of step 1 are per day type, so a holiday is
   compared with the plant's rest days; a planned stop is not judged; a drop that begins on
   the eve of rest days or on the first working day after them, at a plant that changes pace
   between its working and other days, is judged only once it has outlasted the wind-down or
   the restart; without a flow meter only once it has outlasted a rain peak
   (``no_flow_min_hours``).  ``detected_at`` then moves to that confirmation.
6. Without a flow meter, a point's other pollutants are the reference (TAMPER.md §4.1: the
   concentration drops "while flow, production and co-parameters stay the same"): the step
   test works on each pollutant minus the median of the others, so rain or a stop, which
   divides them all, cancels, and a line feeding one analyser does not.  The evidence names
   the reference (``flow``, ``co_pollutants`` or ``none``).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from eco263.monitoring.detectors._util import (
    F64,
    B,
    hod_median,
    merge,
    robust_scale,
    rolling,
    squash,
)
from eco263.monitoring.detectors.base import Alarm
from eco263.monitoring.detectors.validity import HOUR, MAINT, Agg, PointData


@dataclass(frozen=True)
class _Flow:
    d: F64
    stopped: B
    rq: F64


@dataclass
class _Segment:
    rule: str
    a: int
    b: int
    detected: int
    evidence: dict[str, Any]
    strength: float


def _log_residual(point: PointData, agg: Agg, floor: float) -> F64:
    lc = np.log(np.maximum(agg.mean, floor))
    slot = point.slot(agg.width, agg.n)
    return np.asarray(lc - hod_median(lc, slot)[slot])


def _flow(point: PointData, width: int, n_l: int, n_r: int) -> _Flow | None:
    if point.flow is None:
        return None
    cfg = point.config.level
    q = point.agg(point.flow, width, cfg.min_valid_fraction_block)
    typical = float(np.nanmedian(q.mean)) if np.isfinite(q.mean).any() else math.nan
    if not math.isfinite(typical) or typical <= 0:
        return None
    stopped = np.asarray(np.isfinite(q.mean) & (q.mean < typical / cfg.flow_stop_factor))
    stopped |= q.counts[:, 3] > q.counts[:, 0]  # F-flagged blocks
    stopped |= point.planned_stop(width, q.n)
    rq = _log_residual(point, q, typical * 1e-3)
    rq[stopped] = np.nan
    d = rolling(rq, n_r, "median", ahead=True) - rolling(rq, n_l, "median", ahead=False)
    return _Flow(d=d, stopped=stopped, rq=rq)


def run(point: PointData, want: set[str]) -> list[Alarm]:
    cfg = point.config.level
    width = cfg.block_minutes * 60
    n_l = max(2, int(cfg.left_hours * HOUR / width))
    n_r = max(2, int(cfg.right_hours * HOUR / width))
    flow = _flow(point, width, n_l, n_r)
    rcs: dict[str, tuple[F64, float]] = {}
    for pol in point.pollutants:
        agg = point.agg(pol, width, cfg.min_valid_fraction_block)
        if int(agg.valid.sum()) < 2 * n_l:
            continue
        s = point.series[pol]
        level = float(np.nanmedian(agg.mean))
        floor = max(s.resolution, 1e-3 * abs(level), 1e-9)
        rc = _log_residual(point, agg, floor)
        rc[point.planned_stop(width, agg.n)] = np.nan  # a planned stop is production
        if flow is not None:
            rc[flow.stopped] = np.nan
        rcs[pol] = (rc, floor)
    out: list[Alarm] = []
    for pol, (rc, floor) in rcs.items():
        agg = point.agg(pol, width, cfg.min_valid_fraction_block)
        if flow is not None:
            x = rc + flow.rq  # log load: unchanged when extra water dilutes (rain on inflow)
            reference = "flow"
        elif len(rcs) >= 2:
            # no flow meter: the point's other pollutants are the reference — rain (or a stop)
            # divides them all at once, a changed sampling line only the one it feeds
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                co = np.nanmedian(np.stack([r for p, (r, _) in rcs.items() if p != pol]), axis=0)
            x = rc - co
            reference = "co_pollutants"
        else:
            x, reference = rc, "none"
        segs = _level_steps(point, pol, agg, x, flow, n_l, n_r, floor, reference)
        if "parameter_edit" in want and cfg.spread_test:
            segs += _spread_steps(point, pol, agg, rc, flow, n_l, floor)
        segs = [g for g in segs if g.rule in want]
        out.extend(_alarms(point, pol, agg, segs))
    return out


def _cycle_blocks(point: PointData, pol: str, width: int) -> int:
    """Blocks per analyser result (batch analysers hold a value for their cycle)."""
    cycle, _ = point.result_durations(pol)
    return max(1, round(cycle / width))


def _level_steps(
    point: PointData,
    pol: str,
    agg: Agg,
    x: F64,
    flow: _Flow | None,
    n_l: int,
    n_r: int,
    floor: float,
    reference: str,
) -> list[_Segment]:
    """Two-window step test on the valid blocks only (a stop or an outage is skipped over, so
    the level after it is compared with the level before it), kept only when the drop is
    abrupt — a natural swing builds up over hours, a changed sampling line or edited parameter
    acts at once (TAMPER.md §4.4 "sudden onset")."""
    cfg = point.config.level
    pos_v = np.flatnonzero(np.isfinite(x))
    cyc = _cycle_blocks(point, pol, agg.width)
    n_r = max(n_r, cfg.min_results_right * cyc)
    n_l = max(n_l, cfg.min_results_left * cyc)
    if pos_v.size < n_l + n_r:
        return []
    xv = x[pos_v]
    med_l = rolling(xv, n_l, "median", ahead=False, min_frac=0.75)
    d = rolling(xv, n_r, "median", ahead=True, min_frac=0.75) - med_l
    k = max(2, 2 * cyc)
    jump = rolling(xv, k, "median", ahead=True) - rolling(xv, k, "median", ahead=False)
    gate = np.ones(xv.size, dtype=bool)
    if flow is not None:  # a flow drop (production change) explains a load drop: not judged
        rqv = flow.rq[pos_v]
        dq = rolling(rqv, n_r, "median", ahead=True) - rolling(rqv, n_l, "median", ahead=False)
        bad = np.nan_to_num(dq, nan=0.0) < -math.log(cfg.flow_change_tolerance)
        near = np.convolve(bad.astype(np.int64), np.ones(2 * n_r + 1, dtype=np.int64), "same")
        gate = near == 0  # flow changing nearby (lagged analyser response) also explains it
    sig = robust_scale(d)
    thr = max(math.log(cfg.min_factor), cfg.z_step * (sig if math.isfinite(sig) else 0.0))
    trig = gate & np.nan_to_num(d <= -thr, nan=False)
    smooth = rolling(xv, n_r, "median", ahead=True, min_frac=0.25)
    min_len = max(1, n_r // 2)
    out: list[_Segment] = []
    pos = 0
    for t in np.flatnonzero(trig).tolist():
        if t < pos:
            continue
        base, step = float(med_l[t]), float(d[t])
        lo = max(0, t - k)
        jw = jump[lo : t + n_r]
        if not np.isfinite(jw).any():
            continue
        j = lo + int(np.nanargmin(jw))
        if not jump[j] <= cfg.abrupt_fraction * step:
            pos = t + 1
            continue
        half = base + step / 2
        a = j
        high = np.nan_to_num(smooth[a:] >= half, nan=False)
        b = a + int(np.argmax(high)) if high.any() else xv.size
        pos = max(b, t + 1)
        if b - a < min_len:
            continue
        a_g, b_g = int(pos_v[a]), int(pos_v[b - 1]) + 1
        # a step down that only returns to the usual level (the end of an excursion, e.g. an
        # exceedance episode) is not a manipulation: the level after it must sit below what
        # those hours usually read
        # (judged on the window the step test used, so it is known at detection time)
        if not base + step <= -cfg.below_usual_fraction * thr:
            continue
        confirmed = _confirmed(point, pol, agg.time(a_g), agg.time(b_g), reference == "none")
        if confirmed == -1:
            continue
        seg = _classify(point, pol, agg, x, flow, a_g, b_g, base, n_l, floor)
        if seg is not None:
            # causal: the step window [t, t + n_r) and the onset window [j, j + k) are complete
            last = min(max(t + n_r, j + k), xv.size) - 1
            seg.detected = agg.time(int(pos_v[last]) + 1)
            if confirmed:
                seg.detected = max(seg.detected, confirmed)
                seg.evidence["confirmed_after_hours"] = (confirmed - agg.time(a_g)) / HOUR
            seg.evidence["reference"] = reference
            seg.evidence["threshold_log"] = thr
            seg.evidence["step_log"] = step
            seg.evidence["onset_jump_log"] = float(jump[j])
            out.append(seg)
    return out


def _confirmed(point: PointData, pol: str, t0: int, t1: int, no_flow: bool) -> int:
    """0: judge the drop [t0, t1) now; -1: not a manipulation (it did not outlast what
    production or rain does); else the time from which it is confirmed."""
    confirmed = _transition_confirmed(point, pol, t0, t1)
    if confirmed == -1 or not no_flow:
        return confirmed
    # no reference (no flow meter, no other pollutant): rain on an inflow looks the same in
    # the concentration, but passes
    until = t0 + int(point.config.level.no_flow_min_hours * HOUR)
    return -1 if t1 < until else max(confirmed, until)


def _transition_confirmed(point: PointData, pol: str, t0: int, t1: int) -> int:
    """A plant that works a calendar winds down on the eve of rest days or a stop (an early
    stop before a holiday) and starts up slowly after them.  A drop that begins on such a day
    (for a restart: in its first ``restart_window_hours``) is judged only once it has outlasted
    that: ``eve_confirm_hours`` into the rest days (compared there with the plant's rest
    days), or ``restart_confirm_hours`` from its onset.  Returns 0 (not such a day), -1 (not
    outlasted: production) or the time from which it is confirmed."""
    cfg = point.config.level
    change = point.transition(t0, pol)
    if change is None:
        return 0
    kind, at = change
    if kind == "restart" and t0 >= at + cfg.restart_window_hours * HOUR:
        return 0
    hours = cfg.eve_confirm_hours if kind == "eve" else cfg.restart_confirm_hours
    until = int(at + hours * HOUR) if kind == "eve" else int(t0 + hours * HOUR)
    return until if t1 >= until else -1


def _spread_ratio(point: PointData, pol: str, agg: Agg, a: int, b: int, floor: float) -> float:
    """Short-term spread of log values in [a, b) over its usual value in the same slots.

    Differences are taken one analyser result apart (a batch analyser's blocks within one
    result are equal), in logs, so a multiplicative change (dilution) leaves the ratio at ≈ 1,
    a gain edit y' = s·y + b (b > 0) compresses it to s·y/(s·y + b) and an offset edit (b < 0)
    widens it.  The reference is the median |Δ log| of the same hour-of-day slots over the
    whole record, so the production ramps of the evening before a night-only step are not
    mistaken for the spread the step lost.
    """
    lag = _cycle_blocks(point, pol, agg.width)
    lm = np.log(np.maximum(agg.mean, floor))
    d = np.full(lm.size, np.nan)
    d[lag:] = np.abs(lm[lag:] - lm[:-lag])
    slot = point.slot(agg.width, agg.n)
    typical = hod_median(d, slot)[slot]
    seg, ref = d[a:b], typical[a:b]
    ok = np.isfinite(seg) & np.isfinite(ref)
    if int(ok.sum()) < 4:
        return math.nan
    usual = float(np.median(ref[ok]))
    if usual <= 0:
        return math.nan
    return float(np.median(seg[ok])) / usual


def _calibrated_before(point: PointData, pol: str, t0: int) -> bool:
    cfg = point.config.level
    s = point.series[pol]
    lo, hi = np.searchsorted(s.t, [t0 - cfg.calibration_window_hours * HOUR, t0])
    return bool((s.cls[lo:hi] == MAINT).any())


def _classify(
    point: PointData,
    pol: str,
    agg: Agg,
    rc: F64,
    flow: _Flow | None,
    a: int,
    b: int,
    base: float,
    n_l: int,
    floor: float,
) -> _Segment | None:
    cfg = point.config.level
    seg = rc[a:b]
    if not np.isfinite(seg).any():
        return None
    lam = math.exp(float(np.nanmedian(seg)) - base)
    if _calibrated_before(point, pol, agg.time(a)) and 1 / lam <= cfg.calibration_max_factor:
        return None
    m = agg.mean
    per_day = int(24 * HOUR / agg.width)
    right = m[a : min(b, a + per_day)]
    left = m[max(0, a - n_l) : a]
    rho = _spread_ratio(point, pol, agg, a, min(b, a + per_day), floor) * lam
    if rho == 0.0:
        return None  # no spread at all: a frozen value, which ``flatline`` reports
    rule, kind = "dilution", "multiplicative"
    if math.isfinite(rho):
        # spread nearer to "kept" than to "scaled with the level" (geometric midpoint)
        if rho >= max(math.sqrt(lam), cfg.offset_spread_ratio) and lam <= 0.8:
            if 1 / lam < cfg.offset_min_factor:
                return None  # a level swing that keeps its spread: what natural variation does
            rule, kind = "parameter_edit", "offset"
        elif rho < cfg.compression_ratio * lam:
            rule, kind = "parameter_edit", "gain"
    left_mean = float(np.nanmean(left)) if np.isfinite(left).any() else math.nan
    right_mean = float(np.nanmean(right)) if np.isfinite(right).any() else math.nan
    slope = rho if math.isfinite(rho) else lam
    hod = point.hod(agg.width, agg.n)[a:b]
    low = np.nan_to_num(seg < base + math.log(lam) / 2, nan=False)
    ev: dict[str, Any] = {
        "kind": kind,
        "factor": 1 / lam,
        "level_before": left_mean,
        "level_after": right_mean,
        "spread_ratio": rho,
        "slope": slope,
        "intercept": right_mean - slope * left_mean,
        "hours": (b - a) * agg.width / HOUR,
        "affected_hours_of_day": np.bincount(hod[low], minlength=24),
        "baseline": point.baseline_evidence(agg.time(a)),
    }
    if flow is not None:
        fr = flow.rq[a:b]
        fl = flow.rq[max(0, a - n_l) : a]
        if np.isfinite(fr).any() and np.isfinite(fl).any():
            ev["flow_ratio"] = math.exp(float(np.nanmedian(fr) - np.nanmedian(fl)))
    else:
        ev["flow_ratio"] = None
    return _Segment(rule, a, b, 0, ev, abs(math.log(lam)))


def _spread_steps(
    point: PointData, pol: str, agg: Agg, rc: F64, flow: _Flow | None, n_l: int, floor: float
) -> list[_Segment]:
    """Gain edit y' = s·y + b (s < 1, b > 0) that keeps most of the level: the spread of log
    values one result apart collapses to s·y/(s·y + b) of what the same hours usually show,
    while the level drops a little (TAMPER.md §4.4).  Dilution keeps that spread (≈ 1) and a
    natural quiet spell does not come with a level drop; a flow change or a logged calibration
    nearby explains it."""
    cfg = point.config.level
    lag = _cycle_blocks(point, pol, agg.width)
    n_s = max(4, int(cfg.spread_right_hours * HOUR / agg.width), cfg.spread_min_results * lag)
    lm = np.log(np.maximum(agg.mean, floor))
    d = np.full(lm.size, np.nan)
    d[lag:] = np.abs(lm[lag:] - lm[:-lag])
    slot = point.slot(agg.width, agg.n)
    typical = hod_median(d, slot)[slot]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = rolling(d, n_s, "median", ahead=True, min_frac=0.75) / rolling(
            typical, n_s, "median", ahead=True, min_frac=0.75
        )
        lr = np.log(ratio)
    finite = lr[np.isfinite(lr)]
    if finite.size < 4 * n_s:
        return []
    center = float(np.median(finite))
    scale = robust_scale(finite)
    if not math.isfinite(scale):
        return []
    drop = rolling(rc, n_s, "median", ahead=True, min_frac=0.5) - rolling(
        rc, n_l, "median", ahead=False, min_frac=0.5
    )
    trig = np.nan_to_num(
        (lr <= math.log(cfg.spread_max_ratio))
        & (lr - center <= -cfg.spread_z * scale)
        & (drop <= -math.log(cfg.spread_min_level_factor)),
        nan=False,
    )
    if flow is not None:
        trig &= np.nan_to_num(np.abs(flow.d) <= math.log(cfg.flow_change_tolerance), nan=True)
    out: list[_Segment] = []
    pos = 0
    for t in np.flatnonzero(trig).tolist():
        if t < pos:
            continue
        quiet = np.nan_to_num(lr[t:] <= math.log(cfg.spread_max_ratio) / 2, nan=True)
        b = t + (int(np.argmin(quiet)) if not quiet.all() else len(quiet)) + n_s - 1
        b = min(max(b, t + 1), agg.n)
        pos = b
        r = float(ratio[t])
        if _calibrated_before(point, pol, agg.time(t)) or not r > 0:
            continue  # r = 0: no movement at all, a constant — left to ``flatline``
        left = agg.mean[max(0, t - n_l) : t]
        right = agg.mean[t:b]
        lm_ = float(np.nanmean(left)) if np.isfinite(left).any() else math.nan
        rm = float(np.nanmean(right)) if np.isfinite(right).any() else math.nan
        lam = math.exp(float(drop[t]))
        ev: dict[str, Any] = {
            "kind": "gain",
            "log_spread_ratio": r,
            "spread_ratio": r * lam,
            "slope": r * lam,
            "intercept": rm - r * lam * lm_,
            "level_before": lm_,
            "level_after": rm,
            "factor": 1 / lam,
            "hours": (b - t) * agg.width / HOUR,
            "window_results": n_s // lag,
        }
        out.append(_Segment("parameter_edit", t, b, agg.time(t + n_s), ev, -math.log(r)))
    return out


def _alarms(point: PointData, pol: str, agg: Agg, segs: list[_Segment]) -> list[Alarm]:
    cfg = point.config.level
    gap = int(cfg.merge_gap_hours * HOUR / agg.width)
    out: list[Alarm] = []
    for rule in ("dilution", "parameter_edit"):
        mine = sorted((g for g in segs if g.rule == rule), key=lambda g: g.a)
        if not mine:
            continue
        starts = np.array([g.a for g in mine], dtype=np.int64)
        ends = np.array([g.b for g in mine], dtype=np.int64)
        ms, me = merge(starts, ends, gap)
        for a, b in zip(ms.tolist(), me.tolist(), strict=True):
            group = [g for g in mine if a <= g.a < b]
            first = group[0]
            ev = dict(first.evidence)
            if len(group) > 1:
                ev["episodes"] = len(group)
                ev["factors"] = [g.evidence.get("factor") for g in group][:30]
                hours = np.zeros(24, dtype=np.int64)
                for g in group:
                    hours += np.asarray(
                        g.evidence.get("affected_hours_of_day", np.zeros(24)), dtype=np.int64
                    )
                ev["affected_hours_of_day"] = hours
            out.append(
                point.alarm(
                    pol,
                    rule,
                    (agg.time(a), agg.time(b)),
                    squash(max(g.strength for g in group)),
                    min(g.detected for g in group),
                    ev,
                )
            )
    return out
