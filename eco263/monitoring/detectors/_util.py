"""Small vectorised helpers shared by the rules (runs, robust scale, windows, tests)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numpy.typing import NDArray

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]


def runs(mask: B) -> tuple[I64, I64]:
    """Start and end (exclusive) indices of the runs of True."""
    m = np.concatenate(([False], np.asarray(mask, dtype=bool), [False]))
    d = np.diff(m.astype(np.int8))
    return np.flatnonzero(d == 1).astype(np.int64), np.flatnonzero(d == -1).astype(np.int64)


def merge(starts: I64, ends: I64, gap: int) -> tuple[I64, I64]:
    """Merge intervals (sorted by start) separated by at most ``gap``."""
    if starts.size == 0:
        return starts, ends
    out_s, out_e = [int(starts[0])], [int(ends[0])]
    for s, e in zip(starts[1:].tolist(), ends[1:].tolist(), strict=True):
        if s - out_e[-1] <= gap:
            out_e[-1] = max(out_e[-1], e)
        else:
            out_s.append(s)
            out_e.append(e)
    return np.array(out_s, dtype=np.int64), np.array(out_e, dtype=np.int64)


def robust_scale(x: F64) -> float:
    """1.4826 × MAD of the finite values (a standard deviation under normality)."""
    f = x[np.isfinite(x)]
    if f.size < 3:
        return float("nan")
    return float(1.4826 * np.median(np.abs(f - np.median(f))))


def hod_median(x: F64, hod: I64) -> F64:
    """Median of x per slot (hour of day × day type, 0–71; NaN where no finite value)."""
    out = np.full(72, np.nan)
    ok = np.isfinite(x)
    if not ok.any():
        return out
    h, v = hod[ok], x[ok]
    order = np.lexsort((v, h))
    h, v = h[order], v[order]
    starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
    ends = np.r_[starts[1:], h.size]
    lo = v[starts + (ends - starts - 1) // 2]
    hi = v[starts + (ends - starts) // 2]
    out[h[starts]] = (lo + hi) / 2
    return out


def rolling(x: F64, window: int, stat: str, *, ahead: bool, min_frac: float = 0.5) -> F64:
    """Windowed statistic of ``window`` values: the ones before index i (``ahead`` False,
    excluding i) or from i on (``ahead`` True, including i); NaN-aware."""
    s = pd.Series(x)
    r = s.rolling(window, min_periods=max(1, int(window * min_frac)))
    res = getattr(r, stat)()
    res = res.shift(1) if not ahead else res.shift(-(window - 1))
    return np.asarray(res.to_numpy(dtype=np.float64))


def binom_sf(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p), exact (n is small here)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    logs = [
        math.lgamma(n + 1)
        - math.lgamma(i + 1)
        - math.lgamma(n - i + 1)
        + i * math.log(p)
        + (n - i) * math.log1p(-p)
        for i in range(k, n + 1)
    ]
    m = max(logs)
    return float(min(1.0, math.exp(m) * sum(math.exp(v - m) for v in logs)))


def poisson_cdf(k: int, mu: float) -> float:
    """P(X ≤ k) for X ~ Poisson(mu)."""
    if k < 0:
        return 0.0
    if mu <= 0:
        return 1.0
    term = math.exp(-mu)
    total = term
    for i in range(1, k + 1):
        term *= mu / i
        total += term
    return float(min(1.0, total))


def squash(x: float) -> float:
    """Map an excess ≥ 0 over a threshold to a score in (0, 1]."""
    if not math.isfinite(x):
        return 1.0
    return float(max(0.01, min(1.0, 1.0 - math.exp(-max(x, 0.0)))))
