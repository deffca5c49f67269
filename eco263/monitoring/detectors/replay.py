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
    """Windows of ``per_block`` readings, sliding by a quarter window (so a copied stretch
    that does not start on a block boundary is still covered by whole windows, and the alarm
    comes as soon as one window is complete), compared with the same time 1…max_lag days
    earlier: RMS difference over the window's own deviation from the usual daily shape."""
    cfg = point.config.replay
    step = s.step
    if DAY % step or s.t.size < 10:
        return []
    per_day = DAY // step
    n_days = (point.grid_end - point.grid_start) // DAY
    if n_days < 2:
        return []
    ok = (s.cls == VALID) & ((s.t - point.grid_start) % step == 0)
    n = n_days * per_day
    g = np.full(n, np.nan)
    pos = (s.t[ok] - point.grid_start) // step
    inside = (pos >= 0) & (pos < n)
    g[pos[inside]] = s.v[ok][inside]
    cycle = point.result_durations(s.pollutant)[0]
    block_h = max(cfg.aligned_block_hours, cfg.aligned_min_results * cycle / HOUR)
    w = int(min(per_day, max(1, round(block_h * HOUR / step))))
    stride = max(1, w // 4)
    if n < 2 * w:
        return []
    m = g.reshape(n_days, per_day)
    prof = np.nanmedian(m, axis=0) if n_days >= 3 else np.nanmean(m, axis=0)
    fin = np.isfinite(g)
    resid = np.where(fin, (m - prof).reshape(-1), 0.0)
    resid = np.where(np.isfinite(resid), resid, 0.0)
    starts = np.arange(0, n - w + 1, stride)

    def wsum(x: np.ndarray, at: np.ndarray) -> np.ndarray:
        """Sums of x over the windows starting at ``at`` (one cumulative sum, no copies)."""
        c = np.concatenate(([0.0], np.cumsum(x, dtype=np.float64)))
        return np.asarray(c[at + w] - c[at])

    cnt = wsum(fin, starts)
    s1 = wsum(resid, starts)
    s2 = wsum(resid * resid, starts)
    safe = np.maximum(cnt, 1.0)
    own = np.sqrt(np.maximum(s2 / safe - (s1 / safe) ** 2, 0.0))
    gs = pd.Series(g)
    span = (gs.rolling(w, min_periods=1).max() - gs.rolling(w, min_periods=1).min()).to_numpy()
    span = span[starts + w - 1]
    res = s.resolution if s.resolution > 0 else 0.0
    moving = np.nan_to_num(span >= cfg.min_range_steps * res, nan=False) & (own > 0)
    moving &= cnt >= 0.75 * w
    g0 = np.where(fin, g, 0.0)
    # short-term noise of the window: differences one analyser result apart; two independent
    # days differ by at least that noise (√2 ×), a copy by far less (a stopped plant's two flat
    # days are *similar* to each other relative to the daily shape, but not closer than noise)
    c = max(1, round(cycle / step))
    both1 = np.zeros(n, dtype=bool)
    both1[c:] = fin[c:] & fin[:-c]
    d1 = np.zeros(n)
    d1[c:] = np.where(both1[c:], g0[c:] - g0[:-c], 0.0)
    n1 = wsum(both1, starts)
    short = np.sqrt(wsum(d1 * d1, starts) / np.maximum(n1, 1.0) / 2.0)
    best = np.full(starts.size, np.inf)
    best_short = np.full(starts.size, np.inf)
    best_lag = np.zeros(starts.size, dtype=np.int64)
    for lag in range(1, min(cfg.max_lag_days, n_days - 1) + 1):
        sh = lag * per_day
        both = fin[sh:] & fin[:-sh]
        d = np.where(both, g0[sh:] - g0[:-sh], 0.0)
        later = starts >= sh
        j = starts[later] - sh
        n_ok = wsum(both, j)
        ss = wsum(d * d, j)
        rel = np.sqrt(ss / np.maximum(n_ok, 1.0)) / np.where(own[later] > 0, own[later], np.inf)
        rel = np.where(n_ok >= 0.75 * w, rel, np.inf)
        rms = np.sqrt(ss / np.maximum(n_ok, 1.0))
        rel_s = np.where(short[later] > 0, rms / np.where(short[later] > 0, short[later], 1.0), 0.0)
        rel_s = np.where(n_ok >= 0.75 * w, rel_s, np.inf)
        cur = best[later]
        better = rel < cur
        best[later] = np.where(better, rel, cur)
        best_short[later] = np.where(better, rel_s, best_short[later])
        best_lag[later] = np.where(better, lag, best_lag[later])
    flagged = (best <= cfg.aligned_max_rel_rms) & (best_short <= cfg.aligned_max_noise_ratio)
    flagged &= moving
    hits: list[Hit] = []
    st, en = runs(flagged)
    width = w * step
    for a, b in zip(st.tolist(), en.tolist(), strict=True):
        t0 = point.grid_start + int(starts[a]) * step
        t1 = point.grid_start + int(starts[b - 1]) * step + width
        k = a + int(np.argmin(best[a:b]))
        hits.append(
            (
                t0,
                t1,
                t0 + width,
                {
                    "kind": "near_exact",
                    "lag_days": int(best_lag[k]),
                    "relative_difference": float(best[k]),
                    "difference_over_noise": float(best_short[k]),
                    "block_hours": width / HOUR,
                },
            )
        )
    return hits
