"""``pinning``: valid hourly values bunched just below the limit, with no upper tail.

TAMPER.md §4.3 and the bunching literature (Andrews; Ghanem & Zhang; Water 2021 A6 — a density
discontinuity at the threshold).  Over a trailing window, count valid hourly means in
[``band_low``·L, ``band_mid``·L), [``band_mid``·L, L) and ≥ L.  A smooth upper tail has no more
mass just below the limit than a little further below it, and mass just below the limit is
followed by some mass above it; pinning piles values into the top band and cuts the tail.  The
binomial p-value of the top band against the band below it (H0: p ≤ ½) is the statistic.
A plant genuinely controlled close to its limit keeps an upper tail (noise crosses L), which is
what ``max_tail_share`` tests.

A second channel tests the *missing upper tail* directly on each valid hour's largest minute
value (the hour means of a pinned record mix pinned and unpinned minutes and so may spread
over both bands): with n_a hours whose maximum lies in [0.8 L, 0.9 L) and n_b in [0.9 L, L), a
density with no ceiling that decays by r = n_b / n_a per band puts at least
``tail_fraction`` · n_b · min(r, 1) hours at or above L; seeing n_c far fewer (Poisson lower
tail, ``tail_max_p_value``) in ``tail_window_hours`` is a ceiling just below the limit.  A
plant run close to its limit without a ceiling has its noise cross L as often as the decay of
its own density predicts, so it does not fire.
"""

from __future__ import annotations

import math

import numpy as np

from eco263.monitoring.detectors._util import binom_sf, poisson_cdf, runs, squash
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
        # missing upper tail of the hourly maxima (see module doc)
        top = np.where(h.valid & np.isfinite(h.vmax), h.vmax, np.nan)
        wt = max(1, int(cfg.tail_window_hours))
        ta = trailing((top >= cfg.band_low * big_l) & (top < cfg.band_mid * big_l), wt)
        tb = trailing((top >= cfg.band_mid * big_l) & (top < big_l), wt)
        tc = trailing(top >= big_l, wt)
        decay = np.minimum(tb / np.maximum(ta, 1), 1.0)
        # ... and the point's own history outside the window: hours reaching L per hour in
        # the band below it (a plant that used to exceed and now never does)
        hb = np.nansum((top >= cfg.band_mid * big_l) & (top < big_l))
        hc = np.nansum(top >= big_l)
        hist = np.minimum((hc - tc + 0.5) / np.maximum(hb - tb + 1.0, 1.0), 1.0)
        expect = cfg.tail_fraction * tb * np.maximum(decay, hist)
        tcand = (tb >= cfg.min_count) & (expect > 0)
        tp = np.ones(h.n)
        for i in np.flatnonzero(tcand).tolist():
            tp[i] = poisson_cdf(int(tc[i]), float(expect[i]))
        tail_fire = tcand & (tp <= cfg.tail_max_p_value)
        use_tail = tail_fire & ~fire
        pv = np.where(use_tail, tp, pv)
        ca, cb, cc = (
            np.where(use_tail, ta, ca),
            np.where(use_tail, tb, cb),
            np.where(use_tail, tc, cc),
        )
        channel = np.where(use_tail, 1, 0)
        fire |= tail_fire
        st, en = runs(fire)
        s = point.series[pol]
        for a, b in zip(st.tolist(), en.tolist(), strict=True):
            i = int(np.argmin(pv[a:b])) + a
            tail = bool(channel[i])
            span_w = wt if tail else w
            in_band = (top >= cfg.band_mid * big_l) & (top < big_l) if tail else band_b
            first_b = np.flatnonzero(in_band[max(0, a - span_w + 1) : b])
            t0 = h.time(max(0, a - span_w + 1) + (int(first_b[0]) if first_b.size else 0))
            t1 = h.time(b)
            lo, hi = np.searchsorted(s.t, [t0, t1])
            mins = s.v[lo:hi][s.cls[lo:hi] == VALID]
            out.append(
                point.alarm(
                    pol,
                    "pinning",
                    (t0, t1),
                    squash(-math.log10(max(float(pv[i]), 1e-15)) / 6),
                    h.time(a) + HOUR,
                    {
                        "test": "hourly_max_tail" if tail else "hourly_mean_density",
                        "hours_just_below": int(cb[i]),
                        "hours_below_band": int(ca[i]),
                        "hours_at_or_above": int(cc[i]),
                        "band": [cfg.band_low * big_l, cfg.band_mid * big_l, big_l],
                        "p_value": float(pv[i]),
                        "minute_values_above_limit": int((mins >= big_l).sum()),
                        "max_minute_value": float(mins.max()) if mins.size else None,
                        "window_days": (wt / 24) if tail else cfg.window_days,
                        "expected_hours_at_or_above": float(expect[i]) if tail else None,
                        **point.limit_evidence(pol),
                    },
                )
            )
    return out
