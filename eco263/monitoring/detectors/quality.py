"""Data-quality rules: ``missing_data`` and ``flag_abuse`` (category data_quality).

``missing_data`` — hours without enough readings that exist and are not fault-flagged
(TAMPER.md §1.4, Tianjin centre: lost power, SIM credit, a cut line), in runs long enough to
matter.  Maintenance/calibration (M, C) and stopped-source (F) hours are flagged, not missing:
they are counted in the evidence of the other rules and judged by ``flag_abuse`` — and so is a
gap the operator bracketed with M/C flags (a logged service with the analyser off), and the
hours of a planned stop in the point's schedule.

``flag_abuse`` — TAMPER.md §1.2 and §4.5: flags and gaps are an attack surface, so ask whether
they start when the true signal is likely high.  For each episode (a stretch without valid data:
M/C/D/B/F flags, impossible values, or no rows) we look at the level just before it, relative to
that hour's usual level (so a calibration scheduled at the daily peak is not suspicious), and at
its distance to the limit — and, when the flagged rows still carry values, at the median of
those values: an excursion near the limit visible under the flag is the direct trace.  Under
no manipulation episodes start at an excursion only as often as any moment looks like one (the
point's own base rate over all its 15-minute blocks, at least ``chance_rate``); many more of
them, or one that starts at a strong excursion near the limit, is the signature of hiding
exceedances behind flags.  A real stop (flow gone, or planned in the schedule) is not counted,
and flagged rows that read the same flat blank or standard as other episodes (a routine
zero/span check) are not taken for the process.
"""

from __future__ import annotations

import math

import numpy as np

from eco263.monitoring.detectors._util import (
    F64,
    I64,
    binom_sf,
    hod_median,
    robust_scale,
    runs,
    squash,
)
from eco263.monitoring.detectors.base import Alarm
from eco263.monitoring.detectors.validity import (
    BADVALUE,
    DAY,
    FAULT,
    HOUR,
    MAINT,
    STOP,
    VALID,
    PointData,
    Series,
)

BLOCK = 900


def run_missing(point: PointData) -> list[Alarm]:
    cfg = point.config.missing_data
    frac = point.config.validity.min_valid_fraction_hour
    out: list[Alarm] = []
    for pol, s in point.series.items():
        if s.t.size < 2:
            continue
        h = point.hourly(pol)
        c = h.counts
        present = c.sum(axis=1) - c[:, FAULT] - c[:, BADVALUE]
        first = (int(s.t[0]) - h.start) // HOUR
        last = (int(s.t[-1]) - h.start) // HOUR
        inside = np.zeros(h.n, dtype=bool)
        inside[first + 1 : last] = True  # edges of the export are not gaps
        missing = inside & (present < frac * h.expected) & ~point.planned_stop(HOUR, h.n)
        st, en = runs(missing)
        for a, b in zip(st.tolist(), en.tolist(), strict=True):
            if b - a < cfg.min_hours or _logged_maintenance(s, h.time(a), h.time(b)):
                continue
            seg = c[a:b]
            expected = h.expected * (b - a)
            out.append(
                point.alarm(
                    pol,
                    "missing_data",
                    (h.time(a), h.time(b)),
                    squash((b - a) / cfg.min_hours - 0.5),
                    h.time(a) + cfg.min_hours * HOUR,
                    {
                        "hours": b - a,
                        "rows_expected": round(expected),
                        "rows_received": int(seg.sum()),
                        "rows_fault_flag": int(seg[:, FAULT].sum()),
                        "rows_bad_value": int(seg[:, BADVALUE].sum()),
                        "rows_absent": max(0, round(expected) - int(seg.sum())),
                    },
                )
            )
    return out


def _logged_maintenance(s: Series, t0: int, t1: int) -> bool:
    """The longest stretch without rows in [t0 − 1 h, t1 + 1 h) begins and ends with
    maintenance/calibration flags (M, C): a logged service with the analyser off, which the
    operator declared — judged by ``flag_abuse``, not reported as missing data."""
    i0, i1 = np.searchsorted(s.t, [t0 - HOUR, t1 + HOUR])
    if i1 - i0 < 2:
        return False
    k = i0 + int(np.argmax(np.diff(s.t[i0:i1])))
    return bool(s.cls[k] == MAINT and s.cls[k + 1] == MAINT)


def _flow_stopped(point: PointData, t0: float, t1: float) -> bool:
    """True when the flow (if measured) shows no discharge over [t0, t1)."""
    if point.flow is None:
        return False
    q = point.series[point.flow]
    typical = np.median(q.v[q.cls == VALID]) if (q.cls == VALID).any() else math.nan
    i0, i1 = np.searchsorted(q.t, [t0, t1])
    seg = q.v[i0:i1]
    seg = seg[np.isfinite(seg)]
    if not math.isfinite(typical) or typical <= 0:
        return False
    if seg.size == 0:
        return bool(((q.cls[i0:i1] == STOP).mean() if i1 > i0 else 0.0) > 0.5)
    return bool(np.median(seg) < typical * point.config.flatline.flow_stop_fraction)


def run_flag_abuse(point: PointData) -> list[Alarm]:
    cfg = point.config.flag_abuse
    out: list[Alarm] = []
    for pol in point.pollutants:
        s = point.series[pol]
        ok = s.cls == VALID
        tv, vv = s.t[ok], s.v[ok]
        if tv.size < 10:
            continue
        gap = np.diff(tv)
        ep = np.flatnonzero(gap > max(cfg.min_episode_minutes * 60, 2 * s.step))
        if ep.size == 0:
            continue
        h = point.agg(pol, BLOCK, 0.5)  # blocks comparable to the pre-episode window
        hod = point.slot(BLOCK, h.n)
        floor = max(s.resolution, 1e-9)
        lh = np.log(np.maximum(h.mean, floor))
        prof = hod_median(lh, hod)
        sigma = max(robust_scale(lh - prof[hod]), 0.05)
        k = max(1, (cfg.pre_minutes * 60) // s.step)
        lim = point.limits.get(pol)
        planned = point.planned_stop(BLOCK, h.n)
        standards = _standard_values(s, tv, ep, floor, cfg.standard_tolerance)
        rows = []
        for i in ep.tolist():
            t0, t1 = int(tv[i]) + s.step, int(tv[i + 1])
            pre = float(np.median(vv[max(0, i - k + 1) : i + 1]))
            post = float(np.median(vv[i + 1 : i + 1 + k]))
            base = prof[hod[min((t0 - point.grid_start) // BLOCK, h.n - 1)]]
            z = (math.log(max(pre, floor)) - base) / sigma if math.isfinite(base) else 0.0
            near = lim is not None and lim.limit > 0 and pre >= cfg.near_limit_fraction * lim.limit
            if _flow_stopped(point, t0, t1) or planned[min((t0 - h.start) // BLOCK, h.n - 1)]:
                continue
            i0, i1 = np.searchsorted(s.t, [t0, t1])
            cls = s.cls[i0:i1]
            # the flagged rows' own values: an excursion near the limit visible *under* the
            # maintenance/fault flag is what hiding it looks like (TAMPER.md §1.2)
            hidden = s.v[i0:i1][(cls != STOP) & np.isfinite(s.v[i0:i1])]
            pre_z, pre_near = z, near
            if hidden.size and not _is_standard(hidden, standards, floor, cfg.standard_tolerance):
                inside = float(np.median(hidden))
                z_in = (math.log(max(inside, floor)) - base) / sigma if math.isfinite(base) else 0.0
                z = max(z, z_in)
                near = near or (
                    lim is not None
                    and lim.limit > 0
                    and inside >= cfg.near_limit_fraction * lim.limit
                )
            kinds = {
                "maintenance": int((cls == MAINT).sum()),
                "fault": int((cls == FAULT).sum()),
                "stop": int((cls == STOP).sum()),
                "bad_value": int((cls == BADVALUE).sum()),
                "absent": max(0, (t1 - t0) // s.step - int(cls.size)),
            }
            # known at the episode's start when the level before it suffices, else at its end
            pre_only = (pre_near and pre_z >= cfg.near_min_z) or pre_z >= cfg.z_suspicious
            known = t0 + cfg.min_episode_minutes * 60 if pre_only else t1
            rows.append((t0, t1, pre, post, z, near, kinds, known))
        chance = _base_rate(point, pol, lh - prof[hod], sigma, h.mean)
        out.extend(_judge_episodes(point, pol, rows, chance))
    return out


def _plateaus(vals: F64, floor: float, rel: float) -> F64 | None:
    """The one or two levels the values sit on (≥ 80 % of them), or None if they vary."""
    if vals.size == 0:
        return None
    q = max(rel * abs(float(np.median(vals))), 2 * floor)
    _, inverse, n = np.unique(np.round(vals / q), return_inverse=True, return_counts=True)
    top = np.argsort(n)[::-1][:2]
    if n[top].sum() < 0.8 * vals.size:
        return None
    return np.array([float(np.mean(vals[inverse == k])) for k in top])


def _standard_values(s: Series, tv: I64, ep: I64, floor: float, rel: float) -> F64:
    """Levels that the flagged rows of at least three episodes sit on: the blank and the
    standard solution of a routine zero/span check read the same flat value every time,
    while an excursion hidden under a flag is the process and moves (TAMPER.md §1.2)."""
    levels: list[float] = []
    for i in ep.tolist():
        i0, i1 = np.searchsorted(s.t, [int(tv[i]) + s.step, int(tv[i + 1])])
        vals = s.v[i0:i1][(s.cls[i0:i1] != STOP) & np.isfinite(s.v[i0:i1])]
        found = _plateaus(vals, floor, rel)
        if found is not None:
            levels.extend(found.tolist())
    if len(levels) < 3:
        return np.zeros(0)
    m = np.asarray(levels)
    tol = np.maximum(rel * np.abs(m), 2 * floor)
    close = np.abs(m[:, None] - m[None, :]) <= tol[:, None]
    return np.asarray(m[close.sum(axis=1) >= 3])  # itself and at least two others


def _is_standard(hidden: F64, standards: F64, floor: float, rel: float) -> bool:
    """The flagged rows sit on one or two flat levels, each a recurring standard level."""
    levels = _plateaus(hidden, floor, rel)
    if levels is None or standards.size == 0:
        return False
    tol = np.maximum(rel * np.abs(levels), 2 * floor)
    return bool((np.abs(standards[None, :] - levels[:, None]) <= tol[:, None]).any(axis=1).all())


def _base_rate(point: PointData, pol: str, resid: F64, sigma: float, level: F64) -> float:
    """How often any 15-minute block looks as suspicious as an episode start must (high for
    its hour, or near the limit and unusual): the chance that a flag scheduled regardless of
    the level starts at such a moment.  A plant that runs near its limit at its peak hours
    meets it often, and its daily checks must not look like hiding (TAMPER.md §4.5 asks
    whether flags are *more* likely when the level is high, not whether they ever are)."""
    cfg = point.config.flag_abuse
    ok = np.isfinite(resid)
    if int(ok.sum()) < 96:
        return cfg.chance_rate
    z = resid[ok] / sigma
    lim = point.limits.get(pol)
    susp = z >= cfg.z_suspicious
    if lim is not None and lim.limit > 0:
        susp |= (level[ok] >= cfg.near_limit_fraction * lim.limit) & (z >= cfg.near_min_z)
    return float(min(0.5, max(cfg.chance_rate, float(susp.mean()))))


def _judge_episodes(
    point: PointData,
    pol: str,
    rows: list[tuple[int, int, float, float, float, bool, dict[str, int], int]],
    chance: float,
) -> list[Alarm]:
    cfg = point.config.flag_abuse
    if not rows:
        return []
    t0s = np.array([r[0] for r in rows], dtype=np.int64)
    z = np.array([r[4] for r in rows])
    near = np.array([r[5] for r in rows])
    lim = point.limits.get(pol)
    has_limit = lim is not None and lim.limit > 0
    # near the limit only counts when that is unusual for the point at that hour: a plant that
    # always runs close to its limit calibrates close to it too
    near = near & (z >= cfg.near_min_z)
    susp = (z >= cfg.z_suspicious) | near
    strong = (z >= cfg.z_single) & (near | (not has_limit))
    win = int(cfg.window_days * DAY)
    fire = np.zeros(len(rows), dtype=bool)
    pvals = np.ones(len(rows))
    for j in np.flatnonzero(susp).tolist():
        lo = np.searchsorted(t0s, t0s[j] - win)
        n_all = j - lo + 1
        n_s = int(susp[lo : j + 1].sum())
        pvals[j] = binom_sf(n_s, n_all, chance)
        if strong[j] or (n_s >= cfg.min_episodes and pvals[j] <= cfg.max_p_value):
            fire[j] = True
    out: list[Alarm] = []
    st, en = runs(fire)
    for a, b in zip(st.tolist(), en.tolist(), strict=True):
        lo = int(np.searchsorted(t0s, t0s[a] - win))
        members = [i for i in range(lo, b) if susp[i]]
        first = members[0]
        kinds: dict[str, int] = {}
        for i in members:
            for key, val in rows[i][6].items():
                kinds[key] = kinds.get(key, 0) + val
        out.append(
            point.alarm(
                pol,
                "flag_abuse",
                (rows[first][0], rows[b - 1][1]),
                squash(-math.log10(max(float(pvals[a:b].min()), 1e-12)) / 6 + float(z.max()) / 10),
                rows[a][7],
                {
                    "episodes_suspicious": len(members),
                    "episodes_in_window": b - lo,
                    "p_value": float(pvals[a:b].min()),
                    "chance_rate": chance,
                    "pre_levels": [rows[i][2] for i in members][:20],
                    "post_levels": [rows[i][3] for i in members][:20],
                    "pre_z": [rows[i][4] for i in members][:20],
                    "near_limit": int(near[members].sum()),
                    "rows_by_kind": kinds,
                    "baseline": point.baseline_evidence(rows[first][0]),
                    **point.limit_evidence(pol),
                },
            )
        )
    return out
