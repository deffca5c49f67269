"""``replay``: a day or a window copied from earlier data (TAMPER.md §3, §4.2).

Two complementary tests:

* **exact copies at any offset** — hash every window of W consecutive analyser results
  (quantised to the instrument's resolution) and look for the same window at two different
  times (the "hash of quantised profiles" of §4.2).  W is chosen so a window carries at least
  ``min_bits`` of information, measured from the point's own result-to-result changes, so that a
  coarse or quiet sensor does not collide by chance; windows that barely move (flatline, flicker
  between two levels) are left to ``flatline``.
* **near-exact copies at the same time of day** (a copied day with a little noise added) —
  compare each block of each day with the same block 1…``max_lag_days`` days earlier (7): the
  difference must be far smaller than the day's own deviation from the usual daily shape (the
  shape cancels in the difference, so a strong daily cycle is not mistaken for a copy).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from eco263.monitoring.detectors._util import merge, runs, squash
from eco263.monitoring.detectors.base import Alarm
from eco263.monitoring.detectors.validity import DAY, HOUR, VALID, PointData, Series

_MOD = 1 << 64
_BASES = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F)  # odd, so invertible modulo 2**64


def _window_hashes(q: np.ndarray, w: int, base: int) -> np.ndarray:
    """Polynomial hash of every window of ``w`` values in O(n), wrapping modulo 2**64:
    window i is Σ q[i+j]·B^(i+j) = prefix difference, then multiplied by B^-i."""
    n = q.size
    powers = np.cumprod(np.full(n, base, dtype=np.uint64))  # B^1 … B^n, wrapping
    powers = np.r_[np.uint64(1), powers[:-1]]
    inv = pow(base, -1, _MOD)
    inv_powers = np.r_[np.uint64(1), np.cumprod(np.full(n - 1, inv, dtype=np.uint64))]
    prefix = np.r_[np.uint64(0), np.cumsum(q.astype(np.uint64) * powers, dtype=np.uint64)]
    return np.asarray((prefix[w:] - prefix[:-w]) * inv_powers[: n - w + 1])


Hit = tuple[int, int, int, dict[str, Any]]


def run(point: PointData) -> list[Alarm]:
    out: list[Alarm] = []
    for pol in point.pollutants:
        s = point.series[pol]
        hits = _exact(point, s) + _aligned(point, s)
        if not hits:
            continue
        hits.sort(key=lambda h: h[0])
        st = np.array([h[0] for h in hits], dtype=np.int64)
        en = np.array([h[1] for h in hits], dtype=np.int64)
        ms, me = merge(st, en, HOUR)
        for a, b in zip(ms.tolist(), me.tolist(), strict=True):
            group = [h for h in hits if a <= h[0] < b]
            ev = dict(group[0][3])
            ev["hours"] = (b - a) / HOUR
            ev["matches"] = len(group)
            out.append(
                point.alarm(
                    pol,
                    "replay",
                    (a, b),
                    squash((b - a) / HOUR / 2),
                    min(h[2] for h in group),
                    ev,
                )
            )
    return out


def _window_results(point: PointData, q: np.ndarray, cycle: float) -> int:
    cfg = point.config.replay
    d = np.diff(q[:20000])
    _, counts = np.unique(d, return_counts=True)
    p = counts / counts.sum()
    bits = float(-(p * np.log2(p)).sum()) if p.size > 1 else 0.0
    w = round(cfg.window_minutes * 60 / max(cycle, 1.0))
    if bits > 0:
        w = max(w, math.ceil(cfg.min_bits / bits))
    return int(min(max(w, cfg.min_results), cfg.max_results))


def _exact(point: PointData, s: Series) -> list[Hit]:
    cfg = point.config.replay
    r0, r1, rv = point.results(s.pollutant)
    res = s.resolution if s.resolution > 0 else 1e-9
    if rv.size < 20:
        return []
    q = np.round(rv / res).astype(np.int64)
    w = _window_results(point, q, point.result_durations(s.pollutant)[0])
    if q.size < 3 * w:
        return []
    qs = pd.Series(q)
    span = (qs.rolling(w).max() - qs.rolling(w).min()).to_numpy()[w - 1 :]
    informative = span >= cfg.min_range_steps
    with np.errstate(over="ignore"):
        h1 = _window_hashes(q, w, _BASES[0])
        h2 = _window_hashes(q, w, _BASES[1])
    idx = np.flatnonzero(informative)
    if idx.size < 2:
        return []
    order = idx[np.argsort(h1[idx], kind="stable")]  # equal hashes stay in time order
    same = (h1[order][1:] == h1[order][:-1]) & (h2[order][1:] == h2[order][:-1])
    copied = np.zeros(q.size, dtype=bool)
    source: dict[int, int] = {}
    for k in np.flatnonzero(same).tolist():
        i, j = int(order[k]), int(order[k + 1])  # i earlier than j (lexsort on idx last)
        if r0[j] - r0[i] < r1[i + w - 1] - r0[i] or not np.array_equal(q[i : i + w], q[j : j + w]):
            continue
        copied[j : j + w] = True
        source.setdefault(j, i)
    st, en = runs(copied)
    hits: list[Hit] = []
    for a, b in zip(st.tolist(), en.tolist(), strict=True):
        firsts = [j for j in range(a, b) if j in source]
        j = firsts[0] if firsts else a
        i = source.get(j, a)
        hits.append(
            (
                int(r0[a]),
                int(r1[b - 1]),
                int(r1[min(j + w - 1, r1.size - 1)]),
                {
                    "kind": "exact",
                    "source_start": point.to_datetime(int(r0[i])).isoformat(),
                    "lag_hours": (int(r0[j]) - int(r0[i])) / HOUR,
                    "results_copied": b - a,
                    "window_results": w,
                },
            )
        )
    return hits


def _aligned(point: PointData, s: Series) -> list[Hit]:
    with warnings.catch_warnings():  # all-NaN blocks (gaps) are expected and skipped
        warnings.simplefilter("ignore", RuntimeWarning)
        return _aligned_blocks(point, s)


def _aligned_blocks(point: PointData, s: Series) -> list[Hit]:
    cfg = point.config.replay
    step = s.step
    if DAY % step or s.t.size < 10:
        return []
    per_day = DAY // step
    n_days = (point.grid_end - point.grid_start) // DAY
    if n_days < 2:
        return []
    ok = (s.cls == VALID) & ((s.t - point.grid_start) % step == 0)
    grid = np.full(n_days * per_day, np.nan)
    pos = (s.t[ok] - point.grid_start) // step
    inside = (pos >= 0) & (pos < grid.size)
    grid[pos[inside]] = s.v[ok][inside]
    cycle = point.result_durations(s.pollutant)[0]
    block_h = max(cfg.aligned_block_hours, cfg.aligned_min_results * cycle / HOUR)
    per_block = int(min(per_day, max(1, round(block_h * HOUR / step))))
    n_blocks = per_day // per_block
    if n_blocks == 0:
        return []
    use = n_blocks * per_block
    m = grid.reshape(n_days, per_day)[:, :use]
    fin = np.isfinite(m)
    m0 = np.where(fin, m, 0.0)
    prof = np.nanmedian(m, axis=0) if n_days >= 3 else np.nanmean(m, axis=0)
    resid = np.where(fin, m - prof, 0.0).reshape(n_days, n_blocks, per_block)
    cnt = fin.reshape(n_days, n_blocks, per_block).sum(axis=2)
    mean_r = resid.sum(axis=2) / np.maximum(cnt, 1)
    own = np.sqrt(np.maximum((resid**2).sum(axis=2) / np.maximum(cnt, 1) - mean_r**2, 0.0))
    vals = m.reshape(n_days, n_blocks, per_block)
    rng = np.nanmax(vals, axis=2) - np.nanmin(vals, axis=2)
    res = s.resolution if s.resolution > 0 else 0.0
    moving = np.nan_to_num(rng >= cfg.min_range_steps * res, nan=False) & (own > 0)
    best = np.full((n_days, n_blocks), np.inf)
    best_lag = np.zeros((n_days, n_blocks), dtype=np.int64)
    for lag in range(1, min(cfg.max_lag_days, n_days - 1) + 1):
        both = (fin[lag:] & fin[:-lag]).reshape(n_days - lag, n_blocks, per_block)
        d = (m0[lag:] - m0[:-lag]).reshape(n_days - lag, n_blocks, per_block)
        n_ok = both.sum(axis=2)
        ss = np.where(both, d * d, 0.0).sum(axis=2)
        rel = np.sqrt(ss / np.maximum(n_ok, 1)) / np.where(own[lag:] > 0, own[lag:], np.inf)
        rel = np.where(n_ok >= 0.75 * per_block, rel, np.inf)
        better = rel < best[lag:]
        best[lag:] = np.where(better, rel, best[lag:])
        best_lag[lag:] = np.where(better, lag, best_lag[lag:])
    flagged = (best <= cfg.aligned_max_rel_rms) & moving
    hits: list[Hit] = []
    st, en = runs(flagged.reshape(-1))
    width = per_block * step
    for a, b in zip(st.tolist(), en.tolist(), strict=True):
        t0 = point.grid_start + (a // n_blocks) * DAY + (a % n_blocks) * width
        t1 = point.grid_start + ((b - 1) // n_blocks) * DAY + ((b - 1) % n_blocks + 1) * width
        d0, k0 = divmod(a, n_blocks)
        hits.append(
            (
                t0,
                t1,
                t0 + width,
                {
                    "kind": "near_exact",
                    "lag_days": int(best_lag[d0, k0]),
                    "relative_difference": float(best[d0, k0]),
                    "block_hours": width / HOUR,
                },
            )
        )
    return hits
