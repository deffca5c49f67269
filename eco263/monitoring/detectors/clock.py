"""``clock``: DataTime drifting away from receive time, or a shifted daily cycle.

TAMPER.md §3 "Clock / timestamp forensics" and §4.7.  A logger clock moved on purpose (to slide
an exceedance into a flagged window, or to back-fill fabricated data) shows as a *steady*
offset between the data time and when the platform received the packet.  Two benign patterns
look similar and are excluded: network latency (the point's usual offset is the baseline) and
back-filling after an outage (a late batch arrives in a burst, its offset shrinking as it
catches up — positive, and received within a small fraction of the hour).  Data stamped in the
future of its own receipt cannot be innocent.

Without receive times (a CSV export) the rule falls back to the phase of the daily cycle: each
day's hourly profile is cross-correlated with the point's usual profile; a best lag other than
zero for several consecutive days is a clock shift.  Alarms are for the whole point
(pollutant ``*``): one logger stamps every pollutant.
"""

from __future__ import annotations

import math

import numpy as np

from eco263.monitoring.detectors._util import runs, squash
from eco263.monitoring.detectors.base import Alarm
from eco263.monitoring.detectors.validity import DAY, HOUR, PointData, Series


def run(point: PointData) -> list[Alarm]:
    with_rx = [s for s in point.series.values() if s.received is not None]
    if with_rx:
        ref = max(with_rx, key=lambda s: int(np.isfinite(s.received).sum()))  # type: ignore[arg-type]
        return _offsets(point, ref)
    return _phase(point)


def _offsets(point: PointData, s: Series) -> list[Alarm]:
    cfg = point.config.clock
    if s.received is None:
        return []
    ok = np.isfinite(s.received)
    if ok.sum() < 10:
        return []
    t, rx = s.t[ok], s.received[ok]
    off = rx - t
    base = float(np.median(off))
    n = (point.grid_end - point.grid_start) // HOUR
    idx = (t - point.grid_start) // HOUR
    order = np.argsort(idx, kind="stable")
    idx, off_s, rx_s = idx[order], off[order], rx[order]
    bounds = np.flatnonzero(np.diff(idx)) + 1
    starts = np.r_[0, bounds]
    med = np.full(n, np.nan)
    spread = np.full(n, np.nan)
    for a, b in zip(starts.tolist(), np.r_[bounds, idx.size].tolist(), strict=True):
        med[idx[a]] = np.median(off_s[a:b])
        spread[idx[a]] = rx_s[a:b].max() - rx_s[a:b].min()
    dev = med - base
    limit = cfg.max_offset_minutes * 60
    burst = np.nan_to_num(spread < cfg.burst_max_spread_fraction * HOUR, nan=True) & (dev > 0)
    bad = np.nan_to_num((np.abs(dev) > limit) & ~burst, nan=False)
    bad |= np.nan_to_num(med < -limit, nan=False)
    st, en = runs(bad)
    out: list[Alarm] = []
    for a, b in zip(st.tolist(), en.tolist(), strict=True):
        if b - a < cfg.min_hours:
            continue
        t0 = point.grid_start + a * HOUR
        dups = s.duplicate_times
        n_dup = int(((dups >= t0 - DAY) & (dups < t0 + (b - a) * HOUR + DAY)).sum())
        shift = float(np.nanmedian(dev[a:b]))
        out.append(
            point.alarm(
                "*",
                "clock",
                (t0, point.grid_start + b * HOUR),
                squash(abs(shift) / limit - 0.5),
                t0 + cfg.min_hours * HOUR,
                {
                    "kind": "receive_offset",
                    "offset_minutes": -shift / 60,
                    "usual_latency_seconds": base,
                    "hours": b - a,
                    "duplicate_timestamps_nearby": n_dup,
                    "reference_pollutant": s.pollutant,
                },
            )
        )
    return out


def _phase(point: PointData) -> list[Alarm]:
    cfg = point.config.clock
    code = point.flow or (point.pollutants[0] if point.pollutants else None)
    if code is None:
        return []
    h = point.hourly(code)
    days = h.n // 24
    if days < cfg.phase_min_days + 3:
        return []
    m = h.mean[: days * 24].reshape(days, 24)
    with np.errstate(all="ignore"):
        prof = np.nanmedian(m, axis=0)
        level = float(np.nanmean(prof))
    if not np.isfinite(prof).all() or level <= 0:
        return []
    if (prof.max() - prof.min()) / level < cfg.phase_min_amplitude:
        return []
    p = (prof - prof.mean()) / (prof.std() or 1.0)
    lags = np.arange(-6, 7)
    shifted = np.stack([np.roll(p, k) for k in lags])  # profile delayed by k hours
    lag_of = np.zeros(days, dtype=np.int64)
    gain = np.zeros(days)
    for d in range(days):
        row = m[d]
        if not np.isfinite(row).all() or row.std() == 0:
            continue
        z = (row - row.mean()) / row.std()
        corr = shifted @ z / 24
        k = int(np.argmax(corr))
        lag_of[d] = lags[k]
        gain[d] = corr[k] - corr[6]
    flagged = (lag_of != 0) & (gain >= cfg.phase_min_gain)
    st, en = runs(flagged)
    out: list[Alarm] = []
    for a, b in zip(st.tolist(), en.tolist(), strict=True):
        if b - a < cfg.phase_min_days or len(set(lag_of[a:b].tolist())) > 2:
            continue
        t0 = point.grid_start + a * DAY
        shift = float(np.median(lag_of[a:b]))
        out.append(
            point.alarm(
                "*",
                "clock",
                (t0, point.grid_start + b * DAY),
                squash(float(np.mean(gain[a:b])) * 2 + math.fabs(shift) / 12),
                t0 + cfg.phase_min_days * DAY,
                {
                    "kind": "daily_cycle_shift",
                    "offset_minutes": shift * 60,
                    "days": b - a,
                    "correlation_gain": float(np.mean(gain[a:b])),
                    "reference_pollutant": code,
                },
            )
        )
    return out
