"""``clock``: DataTime drifting away from receive time, or a shifted daily cycle.

TAMPER.md §3 "Clock / timestamp forensics" and §4.7.  A logger clock moved on purpose (to slide
an exceedance into a flagged window, or to back-fill fabricated data) shows as a *steady*
offset between the data time and when the platform received the packet.  Two benign patterns
look similar and are excluded: network latency (the point's usual offset is the baseline) and
back-filling after an outage (a late batch arrives in a burst, its offset shrinking as it
catches up — positive, and received within a small fraction of the hour).  Data stamped in the
future of its own receipt cannot be innocent.

Without receive times (a CSV export) the rule falls back to the phase of the daily cycle, and
asks for what a clock fault produces and a production change does not: on consecutive working
days, every series of the point (each pollutant and flow) matches its working-day profile best
at the *same* non-zero offset, with the shape kept (``_phase``).  An offset of 0 is never a
clock finding.  Alarms are for the whole point (pollutant ``*``): one logger stamps every
pollutant.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from eco263.monitoring.detectors._util import runs, squash
from eco263.monitoring.detectors.base import Alarm
from eco263.monitoring.detectors.schedule import WORK
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
    """The daily pattern of *every* series (each pollutant and flow) shifted by the same
    non-zero offset, with its shape kept, on consecutive working days.  A clock moves all of a
    logger's series at once and keeps their shapes; a production change (an early stop before
    a holiday, a stop, a different shift) changes the shape, and a holiday or a weekend is
    compared with nothing here — only working days with the plant's working-day pattern."""
    cfg = point.config.clock
    width = cfg.phase_block_minutes * 60
    days = (point.grid_end - point.grid_start) // DAY
    work = point.day_type(DAY, days) == WORK
    if int(work.sum()) < cfg.phase_min_days + 3:
        return []
    max_lag = int(cfg.phase_max_lag_hours * HOUR // width)
    lags = np.arange(-max_lag, max_lag + 1)
    found = [
        (code, lag)
        for code in point.series
        if (lag := _day_lags(point, code, width, days, work, lags)) is not None
    ]
    if len(found) < cfg.phase_min_series:
        return []
    lag = np.stack([f[1] for f in found])  # series × days, 0 = no shift found that day
    tol = max(0, int(cfg.phase_lag_tolerance_minutes * 60 // width))
    agree = (lag != 0).all(axis=0) & (lag.max(axis=0) - lag.min(axis=0) <= tol)
    wd = np.flatnonzero(work)
    st, en = runs(agree[wd])
    out: list[Alarm] = []
    for a, b in zip(st.tolist(), en.tolist(), strict=True):
        if b - a < cfg.phase_min_days:
            continue
        sel = wd[a:b]
        shift = float(np.median(lag[:, sel])) * width / 60
        t0 = point.grid_start + int(sel[0]) * DAY
        out.append(
            point.alarm(
                "*",
                "clock",
                (t0, point.grid_start + (int(sel[-1]) + 1) * DAY),
                squash(math.fabs(shift) / 60 * (b - a) / cfg.phase_min_days),
                point.grid_start + (int(sel[cfg.phase_min_days - 1]) + 1) * DAY,
                {
                    "kind": "daily_cycle_shift",
                    "offset_minutes": shift,
                    "working_days": b - a,
                    "series": [f[0] for f in found],
                    "baseline": point.baseline_evidence(t0),
                },
            )
        )
    return out


def _day_lags(
    point: PointData, code: str, width: int, days: int, work: np.ndarray, lags: np.ndarray
) -> np.ndarray | None:
    """Per day: the offset (in blocks) at which the day best matches the series' working-day
    profile, when it beats no offset by ``phase_min_gain`` and keeps the shape (correlation
    ≥ ``phase_min_corr``); 0 otherwise.  None for a series without a clear daily cycle."""
    cfg = point.config.clock
    per_day = DAY // width
    agg = point.agg(code, width, 0.5)
    m = agg.mean[: days * per_day].reshape(days, per_day)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        prof = np.nanmedian(m[work], axis=0)
    level = float(np.nanmean(prof)) if np.isfinite(prof).any() else math.nan
    if not np.isfinite(prof).all() or not level > 0:
        return None
    if (prof.max() - prof.min()) / level < cfg.phase_min_amplitude:
        return None
    p = (prof - prof.mean()) / (prof.std() or 1.0)
    shifted = np.stack([np.roll(p, int(k)) for k in lags])  # profile delayed by k blocks
    zero = int(np.flatnonzero(lags == 0)[0])
    out = np.zeros(days, dtype=np.int64)
    for d in np.flatnonzero(work).tolist():
        row = m[d]
        ok = np.isfinite(row)
        if ok.sum() < 0.8 * per_day or row[ok].std() == 0:
            continue
        z = (row[ok] - row[ok].mean()) / row[ok].std()
        corr = shifted[:, ok] @ z / ok.sum()
        k = int(np.argmax(corr))
        if corr[k] - corr[zero] >= cfg.phase_min_gain and corr[k] >= cfg.phase_min_corr:
            out[d] = int(lags[k])
    return out
