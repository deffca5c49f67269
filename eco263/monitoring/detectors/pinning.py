"""``pinning``: valid hourly values bunched just below the limit, with no upper tail.

TAMPER.md §4.3 and the bunching literature (Andrews; Ghanem & Zhang; Water 2021 A6 — a density
discontinuity at the threshold).  Over a trailing window, count valid hourly means in
[``band_low``·L, ``band_mid``·L), [``band_mid``·L, L) and ≥ L.  A smooth upper tail has no more
mass just below the limit than a little further below it, and mass just below the limit is
followed by some mass above it; pinning piles values into the top band and cuts the tail.  The
binomial p-value of the top band against the band below it (H0: p ≤ ½) is the statistic.
A plant genuinely controlled close to its limit keeps an upper tail (noise crosses L), which is
what ``max_tail_share`` tests.
"""

from __future__ import annotations

import math

import numpy as np

from eco263.monitoring.detectors._util import binom_sf, runs, squash
from eco263.monitoring.detectors.base import Alarm
from eco263.monitoring.detectors.validity import HOUR, VALID, PointData


def run(point: PointData) -> list[Alarm]:
    cfg = point.config.pinning
    out: list[Alarm] = []
    for pol in point.pollutants:
        lim = point.limits.get(pol)
        if lim is None or lim.limit <= 0:
            continue
        h = point.hourly(pol)
        v = np.where(h.valid, h.mean, np.nan)
        big_l = lim.limit
        band_a = (v >= cfg.band_low * big_l) & (v < cfg.band_mid * big_l)
        band_b = (v >= cfg.band_mid * big_l) & (v < big_l)
        band_c = v >= big_l
        w = max(1, int(cfg.window_days * 24))

        def trailing(mask: np.ndarray, w: int = w) -> np.ndarray:
            c = np.concatenate(([0], np.cumsum(mask.astype(np.int64))))
            i = np.arange(1, mask.size + 1)
            return np.asarray(c[i] - c[np.maximum(0, i - w)])

        ca, cb, cc = trailing(band_a), trailing(band_b), trailing(band_c)
        cand = (
            (cb >= cfg.min_count)
            & (cb >= cfg.min_ratio * (ca + 1))
            & (cc <= cfg.max_tail_share * cb)
        )
        pv = np.ones(h.n)
        for i in np.flatnonzero(cand).tolist():
            pv[i] = binom_sf(int(cb[i]), int(ca[i] + cb[i]), 0.5)
        fire = cand & (pv <= cfg.max_p_value)
        st, en = runs(fire)
        s = point.series[pol]
        for a, b in zip(st.tolist(), en.tolist(), strict=True):
            first_b = np.flatnonzero(band_b[max(0, a - w + 1) : b])
            t0 = h.time(max(0, a - w + 1) + (int(first_b[0]) if first_b.size else 0))
            t1 = h.time(b)
            lo, hi = np.searchsorted(s.t, [t0, t1])
            mins = s.v[lo:hi][s.cls[lo:hi] == VALID]
            i = int(np.argmin(pv[a:b])) + a
            out.append(
                point.alarm(
                    pol,
                    "pinning",
                    (t0, t1),
                    squash(-math.log10(max(float(pv[i]), 1e-15)) / 6),
                    h.time(a) + HOUR,
                    {
                        "hours_just_below": int(cb[i]),
                        "hours_below_band": int(ca[i]),
                        "hours_at_or_above": int(cc[i]),
                        "band": [cfg.band_low * big_l, cfg.band_mid * big_l, big_l],
                        "p_value": float(pv[i]),
                        "minute_values_above_limit": int((mins >= big_l).sum()),
                        "max_minute_value": float(mins.max()) if mins.size else None,
                        "window_days": cfg.window_days,
                        **point.limit_evidence(pol),
                    },
                )
            )
    return out
