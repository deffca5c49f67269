"""``exceedance``: a valid hourly or daily average above the limit (category exceedance).

Only valid averages count (Rule 0, TAMPER.md §3; MEE 2022 No. 21: flagged data is not used to
judge exceedances), so an hour needs enough valid minutes and a day enough valid hours.  The
limit's ``basis`` says which average the standard speaks of.
"""

from __future__ import annotations

import numpy as np

from eco263.monitoring.detectors._util import merge, runs, squash
from eco263.monitoring.detectors.base import Alarm
from eco263.monitoring.detectors.validity import DAY, HOUR, PointData

RULE = "exceedance"


def run(point: PointData) -> list[Alarm]:
    out: list[Alarm] = []
    cfg = point.config.exceedance
    for pol in point.series:
        lim = point.limits.get(pol)
        if lim is None or lim.limit <= 0:
            continue
        basis = lim.basis or cfg.default_basis
        if basis in ("hour", "both"):
            h = point.hourly(pol)
            mean = np.where(h.valid, h.mean, -np.inf)
            s, e = runs(mean > lim.limit)
            s, e = merge(s, e, cfg.merge_gap_hours)
            for a, b in zip(s.tolist(), e.tolist(), strict=True):
                seg = mean[a:b]
                over = seg[seg > lim.limit]
                out.append(
                    point.alarm(
                        pol,
                        RULE,
                        (h.time(a), h.time(b)),
                        squash(float(over.max()) / lim.limit - 1.0 + 0.1),
                        h.time(a) + HOUR,
                        {
                            "basis": "hour",
                            "hours_over": int(over.size),
                            "max": float(over.max()),
                            "mean_over": float(over.mean()),
                            "ratio": float(over.max()) / lim.limit,
                            **point.limit_evidence(pol),
                        },
                    )
                )
        if basis in ("day", "both"):
            daily, valid = point.daily(pol)
            over_days = np.flatnonzero(valid & (daily > lim.limit))
            for d in over_days.tolist():
                t0 = point.grid_start + d * DAY
                out.append(
                    point.alarm(
                        pol,
                        RULE,
                        (t0, t0 + DAY),
                        squash(float(daily[d]) / lim.limit - 1.0 + 0.1),
                        t0 + DAY,
                        {
                            "basis": "day",
                            "daily_mean": float(daily[d]),
                            "ratio": float(daily[d]) / lim.limit,
                            **point.limit_evidence(pol),
                        },
                    )
                )
    return out
