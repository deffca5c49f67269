"""``aggregate_mismatch``: the logger's hourly/daily values ≠ those recomputed from its minutes.

TAMPER.md §3 "Aggregation consistency" and §4.7: an edit made only to the hour or day packets
(the ones compliance is judged on) leaves the minute packets telling the truth.  We recompute
each hour from the minute data with the validity rules and compare it with the CN 2061 value;
each day with CN 2031.  Only hours whose minute rows are all valid and complete are compared,
because a logger may legitimately average flagged minutes differently.  Loggers differ on
whether an hour record is stamped at the hour's start or end, so the convention that matches
the point best is used (one function owns it, STYLE.md §2.4).
"""

from __future__ import annotations

import numpy as np

from eco263.monitoring.detectors._util import F64, B, runs, squash
from eco263.monitoring.detectors.base import Alarm
from eco263.monitoring.detectors.validity import DAY, HOUR, LoggerValues, PointData


def _compare(
    point: PointData, pol: str, lv: LoggerValues, computed: F64, ok: B, width: int
) -> tuple[np.ndarray, F64, F64, np.ndarray]:
    """Per logger record: (bin index, sent, computed, mismatch) under the better convention."""
    cfg = point.config.aggregate_mismatch
    res = point.series[pol].resolution
    empty = np.zeros(0, dtype=np.int64)
    best: tuple[np.ndarray, F64, F64, np.ndarray] = (empty, np.zeros(0), np.zeros(0), empty > 0)
    best_score = -1.0
    for shift in (0, -1):  # stamped at the start of the bin, or at its end
        idx = (lv.t - point.grid_start) // width + shift
        inside = (idx >= 0) & (idx < computed.size)
        idx = idx[inside]
        sent = lv.v[inside]
        comp = computed[idx]
        usable = ok[idx] & lv.flag_ok[inside] & np.isfinite(sent)
        tol = np.maximum(cfg.rel_tolerance * np.abs(comp), cfg.abs_tolerance_steps * res)
        mism = usable & (np.abs(sent - comp) > tol)
        agree = float((usable & ~mism).sum())
        if agree > best_score:
            best_score = agree
            best = (idx[usable], sent[usable], comp[usable], mism[usable])
    return best


def run(point: PointData) -> list[Alarm]:
    cfg = point.config.aggregate_mismatch
    out: list[Alarm] = []
    frac = point.config.validity.min_valid_fraction_hour
    for pol, lv in point.logger_hour.items():
        if pol not in point.series or lv.t.size == 0:
            continue
        h = point.hourly(pol)
        complete = (h.n_valid == h.n_rows) & (h.n_valid >= frac * h.expected)
        idx, sent, comp, mism = _compare(point, pol, lv, h.mean, complete, HOUR)
        n_bins = h.n
        flag = np.zeros(n_bins, dtype=bool)
        flag[idx[mism]] = True
        big = np.zeros(n_bins, dtype=bool)
        rel = np.abs(sent - comp) / np.maximum(np.abs(comp), 1e-12)
        big[idx[mism & (rel > cfg.big_rel_error)]] = True
        c = np.concatenate(([0], np.cumsum(flag)))
        i = np.arange(1, n_bins + 1)
        count = c[i] - c[np.maximum(0, i - cfg.window_hours)]
        fire = flag & ((count >= cfg.min_hours) | big)
        fire_ext = fire.copy()
        for lag in range(1, cfg.window_hours):  # include the earlier mismatches of the window
            fire_ext[:-lag] |= fire[lag:] & flag[:-lag]
        out.extend(_emit(point, pol, "hour", HOUR, fire_ext, fire, idx, sent, comp, mism))
    for pol, lv in point.logger_day.items():
        if pol not in point.series or lv.t.size == 0:
            continue
        daily, valid = point.daily(pol)
        idx, sent, comp, mism = _compare(point, pol, lv, daily, valid, DAY)
        flag = np.zeros(daily.size, dtype=bool)
        flag[idx[mism]] = True
        out.extend(_emit(point, pol, "day", DAY, flag, flag, idx, sent, comp, mism))
    return out


def _emit(
    point: PointData,
    pol: str,
    basis: str,
    width: int,
    extent: np.ndarray,
    fire: np.ndarray,
    idx: np.ndarray,
    sent: F64,
    comp: F64,
    mism: np.ndarray,
) -> list[Alarm]:
    out: list[Alarm] = []
    st, en = runs(extent)
    for a, b in zip(st.tolist(), en.tolist(), strict=True):
        sel = mism & (idx >= a) & (idx < b)
        first_fire = a + int(np.argmax(fire[a:b])) if fire[a:b].any() else a
        ratio = float(np.median(sent[sel] / np.where(comp[sel] == 0, np.nan, comp[sel])))
        t0 = point.grid_start + a * width
        out.append(
            point.alarm(
                pol,
                "aggregate_mismatch",
                (t0, point.grid_start + b * width),
                squash(abs(np.log(ratio)) * 5 if np.isfinite(ratio) and ratio > 0 else 1.0),
                point.grid_start + (first_fire + 1) * width,
                {
                    "basis": basis,
                    "records_mismatched": int(sel.sum()),
                    "median_sent_over_computed": ratio,
                    "examples": [
                        {
                            "time": point.to_datetime(
                                point.grid_start + int(k) * width
                            ).isoformat(),
                            "sent": float(sv),
                            "computed": float(cv),
                        }
                        for k, sv, cv in list(zip(idx[sel], sent[sel], comp[sel], strict=True))[:5]
                    ],
                },
            )
        )
    return out
