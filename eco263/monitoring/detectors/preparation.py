"""Preparing one point: its long-form readings split into typed series and logger values.

:func:`prepare` is Rule 0's entry (validity.py says which readings count): it sorts, drops
duplicate (pollutant, CN, time) rows — keeping the last and counting them — classifies each
row by its flag, finds the instrument's resolution, and lays the point on a grid that starts
at a local midnight, with one day type per day from the point's production calendar.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from eco263.monitoring.detectors.base import DetectorConfig, Limit
from eco263.monitoring.detectors.schedule import Schedule, day_info
from eco263.monitoring.detectors.validity import (
    BADVALUE,
    DAY,
    F64,
    FAULT,
    I64,
    MAINT,
    OTHER,
    STOP,
    VALID,
    LoggerValues,
    PointData,
    Series,
)
from eco263.workdays import WorkCalendar, get_calendar

__all__ = ["prepare"]


def _class_table(config: DetectorConfig) -> NDArray[np.int8]:
    v = config.validity
    table = np.full(256, OTHER, dtype=np.int8)
    for flags, cls in (
        (v.valid_flags, VALID),
        (v.maintenance_flags, MAINT),
        (v.fault_flags, FAULT),
        (v.stop_flags, STOP),
    ):
        for f in flags:
            table[ord(f[0]) & 0xFF] = cls
    return table


def _epoch_seconds(col: pd.Series, timezone: str) -> I64:
    ser = col
    if not isinstance(ser.dtype, pd.DatetimeTZDtype):
        ser = pd.to_datetime(ser, format="ISO8601")
        if not isinstance(ser.dtype, pd.DatetimeTZDtype):
            ser = ser.dt.tz_localize(timezone)
    naive = ser.dt.tz_convert("UTC").dt.tz_localize(None)
    return np.asarray(naive.to_numpy(dtype="datetime64[s]").astype(np.int64))


def _flag_codes(col: pd.Series | None, n: int) -> NDArray[np.uint8]:
    if col is None:
        return np.full(n, ord("N"), dtype=np.uint8)
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    lut = np.array(
        [ord(str(u)[0]) if isinstance(u, str) and u else ord("N") for u in uniques] + [ord("N")],
        dtype=np.uint8,
    )
    return lut[np.where(codes < 0, len(uniques), codes)]


def _resolution(v: F64) -> float:
    """Instrument resolution: the smallest step between distinct values (TAMPER.md §3 note)."""
    finite = v[np.isfinite(v)]
    if finite.size < 2:
        return 0.0
    sample = finite if finite.size <= 20000 else finite[:: finite.size // 20000 + 1]
    u = np.unique(np.round(sample, 9))
    d = np.diff(u)
    d = d[d > 1e-12]
    return float(d.min()) if d.size else 0.0


def _tz_offset(timezone: str, at: int) -> int:
    off = datetime.fromtimestamp(at, tz=UTC).astimezone(ZoneInfo(timezone)).utcoffset()
    return int((off or timedelta(0)).total_seconds())


def prepare(
    frame: pd.DataFrame,
    mn: str,
    limits: dict[str, Limit],
    config: DetectorConfig,
    schedule: Schedule | None = None,
    calendar: WorkCalendar | None = None,
) -> PointData:
    """Split a point's long-form readings into per-pollutant series and logger aggregates.

    ``frame`` has ``time`` (aware, or naive in the configured zone), ``pollutant``, ``value``
    and optionally ``flag`` (default N), ``cn`` (default 2051 minute data) and ``received``.
    Unsorted input is sorted; a repeated (pollutant, CN, time) keeps the last row and is
    counted (a clock set back produces exactly that).
    """
    vcfg = config.validity
    n = len(frame)
    t = _epoch_seconds(frame["time"], config.timezone) if n else np.zeros(0, np.int64)
    codes, uniques = pd.factorize(frame["pollutant"])
    pcode = np.asarray(codes, dtype=np.int64)
    puniq = [str(u) for u in np.asarray(uniques, dtype=object)]
    values = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=np.float64)
    flags = _flag_codes(frame.get("flag"), n)
    if "cn" in frame:
        ccode, cuniq = pd.factorize(frame["cn"].fillna(vcfg.minute_cns[0]))
        lut = np.array(
            [
                0
                if str(c) in vcfg.minute_cns
                else 1
                if str(c) == vcfg.hour_cn
                else 2
                if str(c) == vcfg.day_cn
                else 3
                for c in cuniq
            ],
            dtype=np.int64,
        )
        kind = lut[ccode] if lut.size else np.zeros(n, dtype=np.int64)
    else:
        kind = np.zeros(n, dtype=np.int64)
    received: F64 | None = None
    if "received" in frame and frame["received"].notna().any():
        rec = frame["received"]
        ok = rec.notna().to_numpy()
        received = np.full(n, np.nan)
        received[ok] = _epoch_seconds(rec[ok], config.timezone).astype(np.float64)

    order = np.lexsort((t, pcode, kind))
    t, pcode, kind, values, flags = t[order], pcode[order], kind[order], values[order], flags[order]
    if received is not None:
        received = received[order]
    same_next = np.zeros(n, dtype=bool)
    if n > 1:
        same_next[:-1] = (t[1:] == t[:-1]) & (pcode[1:] == pcode[:-1]) & (kind[1:] == kind[:-1])
    keep = ~same_next

    table = _class_table(config)
    series: dict[str, Series] = {}
    logger_hour: dict[str, LoggerValues] = {}
    logger_day: dict[str, LoggerValues] = {}
    bounds = np.flatnonzero(np.diff(pcode * 4 + kind)) + 1
    starts = np.concatenate(([0], bounds)) if n else np.zeros(0, np.int64)
    ends = np.concatenate((bounds, [n])) if n else np.zeros(0, np.int64)
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        k = int(kind[a])
        pol = puniq[int(pcode[a])]
        sl = slice(a, b)
        kp = keep[sl]
        tt, vv, ff = t[sl][kp], values[sl][kp], flags[sl][kp]
        if k in (1, 2):
            lv = LoggerValues(tt, vv, np.isin(ff, [ord(f[0]) for f in vcfg.valid_flags]))
            (logger_hour if k == 1 else logger_day)[pol] = lv
            continue
        if k != 0:
            continue
        cls = table[ff].copy()
        limit = limits.get(pol)
        bad = ~np.isfinite(vv) | (vv > vcfg.absurd_max)
        if pol not in vcfg.signed_pollutants:
            bad |= vv < 0
        if limit is not None and limit.limit > 0:
            bad |= vv > limit.limit * vcfg.absurd_limit_factor
        cls[(cls == VALID) & bad] = BADVALUE
        dup_times = np.unique(t[sl][~kp])
        step = int(np.median(np.diff(tt))) if tt.size > 1 else 60
        series[pol] = Series(
            pollutant=pol,
            t=tt,
            v=vv,
            cls=cls,
            received=None if received is None else received[sl][kp],
            step=max(step, 1),
            resolution=_resolution(vv[cls == VALID]),
            n_duplicates=int((~kp).sum()),
            duplicate_times=dup_times,
        )
    if series:
        t_min = min(int(s.t[0]) for s in series.values() if s.t.size)
        t_max = max(int(s.t[-1]) for s in series.values() if s.t.size)
    else:
        t_min = t_max = int(t[0]) if n else 0
    offset = _tz_offset(config.timezone, t_min)
    grid_start = ((t_min + offset) // DAY) * DAY - offset
    grid_end = ((t_max + offset) // DAY + 1) * DAY - offset
    schedule = schedule or Schedule()
    first_day = datetime.fromtimestamp(grid_start + offset, tz=UTC).date()
    days = day_info(
        schedule, first_day, (grid_end - grid_start) // DAY, grid_start, calendar or get_calendar()
    )
    return PointData(
        mn=mn,
        config=config,
        limits=limits,
        series=series,
        logger_hour=logger_hour,
        logger_day=logger_day,
        grid_start=grid_start,
        grid_end=grid_end,
        offset=offset,
        schedule=schedule,
        days=days,
    )
