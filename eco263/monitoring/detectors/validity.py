"""Rule 0 (TAMPER.md §3): which readings count, and valid hourly / daily averages.

Only data a regulator would accept may support an exceedance, and the flags themselves are
evidence (TAMPER.md §1.2: flagged data is excluded from compliance, so flags are an attack
surface).  This module therefore both *excludes* and *counts*: every aggregate carries how many
rows were valid, flagged for maintenance/calibration (M, C), for faults (D, B), for a stopped
source (F), or had an impossible value (NaN, negative, absurd), per HJ 212-2017 table 8.

The validity thresholds (HJ 75-2017: ≥ 45 valid minutes per hour; HJ 356-2019: ≥ 75 % of the
day) are RECALLED in DOMAIN.md §6, so they come from the config, not from here.

Times are handled as int64 seconds since the epoch (UTC) so that aggregation is ``bincount``
over a fixed grid; the grid starts at a local midnight so that ``index % 24`` is the hour of
day and ``index // 24`` the day in the configured time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, Final
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from eco263.monitoring.detectors.base import Alarm, DetectorConfig, Limit
from eco263.monitoring.detectors.schedule import (
    DAY_TYPE_NAMES,
    DayInfo,
    Schedule,
)

__all__ = [
    "Agg",
    "PointData",
    "Series",
]

HOUR: Final = 3600
DAY: Final = 86400
N_CLASSES: Final = 6
# Flag classes, in the order of Agg.counts columns.
VALID, MAINT, FAULT, STOP, OTHER, BADVALUE = range(N_CLASSES)

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]


@dataclass(frozen=True)
class Series:
    """One pollutant's minute-level readings, sorted by time, duplicates removed."""

    pollutant: str
    t: I64
    v: F64
    cls: NDArray[np.int8]
    received: F64 | None
    step: int
    resolution: float
    n_duplicates: int
    duplicate_times: I64

    @property
    def valid(self) -> B:
        return np.asarray(self.cls == VALID)


@dataclass(frozen=True)
class Agg:
    """Fixed-width bins (hours, blocks) over the point's grid."""

    start: int
    width: int
    mean: F64
    """Mean of valid values; NaN where the bin is not valid."""
    counts: NDArray[np.int64]
    """Rows per flag class (VALID, MAINT, FAULT, STOP, OTHER, BADVALUE), shape (n, 6)."""
    expected: float
    valid: B
    vmin: F64
    vmax: F64

    @property
    def n(self) -> int:
        return int(self.mean.shape[0])

    @property
    def n_valid(self) -> I64:
        return np.asarray(self.counts[:, VALID])

    @property
    def n_rows(self) -> I64:
        return np.asarray(self.counts.sum(axis=1))

    def time(self, i: int) -> int:
        return self.start + i * self.width


@dataclass(frozen=True)
class LoggerValues:
    """Hourly or daily values the logger itself sent (CN 2061 / 2031)."""

    t: I64
    v: F64
    flag_ok: B


@dataclass
class PointData:
    """One point, prepared once and shared by every rule."""

    mn: str
    config: DetectorConfig
    limits: dict[str, Limit]
    series: dict[str, Series]
    logger_hour: dict[str, LoggerValues]
    logger_day: dict[str, LoggerValues]
    grid_start: int
    grid_end: int
    offset: int
    schedule: Schedule = field(default_factory=Schedule)
    days: DayInfo | None = None
    _cache: dict[tuple[str, int], Agg] = field(default_factory=dict)
    _results: dict[str, tuple[I64, I64, F64]] = field(default_factory=dict)
    _pace: dict[str, bool] = field(default_factory=dict)

    @property
    def n_hours(self) -> int:
        return (self.grid_end - self.grid_start) // HOUR

    @cached_property
    def flow(self) -> str | None:
        for code in self.config.validity.flow_pollutants:
            if code in self.series:
                return code
        return None

    @property
    def pollutants(self) -> list[str]:
        """Concentration series (everything but flow)."""
        return [p for p in self.series if p != self.flow]

    def agg(self, pollutant: str, width: int, min_fraction: float | None = None) -> Agg:
        """Bins of ``width`` seconds; valid with ``min_fraction`` of the expected rows."""
        frac = (
            self.config.validity.min_valid_fraction_hour if min_fraction is None else min_fraction
        )
        key = (pollutant, width)
        if key not in self._cache:
            self._cache[key] = aggregate(
                self.series[pollutant], self.grid_start, width, self.grid_end, frac
            )
        return self._cache[key]

    def results(self, pollutant: str) -> tuple[I64, I64, F64]:
        """Analyser results (start, end, value) of a series, computed once (see flatline)."""
        if pollutant not in self._results:
            self._results[pollutant] = analyser_results(self.series[pollutant])
        return self._results[pollutant]

    def result_durations(self, pollutant: str) -> tuple[float, float]:
        """(median, 95th percentile) of result durations in seconds — the analyser cycle and
        how long its results naturally repeat (robust to a few manipulated runs)."""
        r0, r1, _ = self.results(pollutant)
        if r0.size == 0:
            return float(self.series[pollutant].step), float(self.series[pollutant].step)
        dur = np.sort(r1 - r0)  # sort, not partition: durations are mostly one repeated value
        # time-weighted median: the cycle that covers half of the time, so a burst of short
        # results (a jittered manipulation) does not make a batch analyser look continuous
        cover = np.cumsum(dur)
        cycle = float(dur[int(np.searchsorted(cover, cover[-1] / 2))])
        return cycle, float(dur[min(dur.size - 1, int(0.95 * dur.size))])

    def hourly(self, pollutant: str) -> Agg:
        return self.agg(pollutant, HOUR)

    def daily(self, pollutant: str) -> tuple[F64, B]:
        """Valid daily means from valid hourly means (HJ 356: enough valid hours)."""
        h = self.hourly(pollutant)
        days = h.n // 24
        mean = h.mean[: days * 24].reshape(days, 24)
        ok = h.valid[: days * 24].reshape(days, 24)
        n_ok = ok.sum(axis=1)
        total = np.where(ok, mean, 0.0).sum(axis=1)
        valid = n_ok >= self.config.validity.min_valid_hours_day
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(valid, total / np.maximum(n_ok, 1), np.nan)
        return out, valid

    def hod(self, width: int, n: int) -> I64:
        """Local hour of day of each bin on a grid of ``width`` seconds."""
        return np.asarray(((np.arange(n, dtype=np.int64) * width) // HOUR) % 24)

    def day_type(self, width: int, n: int) -> NDArray[np.int8]:
        """Day type (schedule.WORK / REST / STOP) of each bin on a grid of ``width`` s; the
        small hours of a shift that crosses midnight belong to the day it started."""
        if self.days is None or self.days.day_type.size == 0:
            return np.zeros(n, dtype=np.int8)
        t = np.arange(n, dtype=np.int64) * width - self._overnight()
        day = np.clip(t // DAY, 0, self.days.day_type.size - 1)
        return np.asarray(self.days.day_type[day])

    def _overnight(self) -> int:
        """Seconds after midnight that still belong to the previous day's shift."""
        return max([(b - 1440) * 60 for _, b in self.schedule.shifts if b > 1440], default=0)

    def slot(self, width: int, n: int) -> I64:
        """Hour-of-day slot of each bin within its day type (0–71): a working day is compared
        with the plant's working days, a rest day (weekend, public holiday) with its rest
        days, a planned stop with its stops — its production calendar (schedule.py)."""
        return np.asarray(self.hod(width, n) + 24 * self.day_type(width, n).astype(np.int64))

    def planned_stop(self, width: int, n: int) -> B:
        """Bins within a planned stop of the schedule, widened by ``stop_margin_hours`` for
        the ramp down and up (an entered stop is rounded and may be hours off)."""
        out = np.zeros(n, dtype=bool)
        margin = self.config.schedule.stop_margin_hours * HOUR
        for stop in self.schedule.stops:
            a = int((stop.start.timestamp() - margin - self.grid_start) // width)
            b = int(-(-(stop.end.timestamp() + margin - self.grid_start) // width))
            out[max(a, 0) : max(min(b, n), 0)] = True
        return out

    def changes_pace(self, pollutant: str) -> bool:
        """Whether the plant's busy-hour level differs between its working days and its other
        days (flow if measured, else the pollutant): a continuous process does not wind down."""
        code = self.flow or pollutant
        h = self.hourly(code)
        kind = self.day_type(HOUR, h.n)
        work, other = h.mean[h.valid & (kind == 0)], h.mean[h.valid & (kind != 0)]
        if work.size < 24 or other.size < 24:
            return False
        # busy hours (90th percentile): a day shift is idle most of its working day
        ratio = float(np.percentile(work, 90)) / max(float(np.percentile(other, 90)), 1e-12)
        return bool(abs(np.log(max(ratio, 1e-12))) >= np.log(self.config.level.pace_factor))

    def transition(self, at: float, pollutant: str) -> tuple[str, int] | None:
        """Whether ``at`` falls on a day a plant that changes pace does so: ("eve", end of that
        day) on its last working day before rest days or a stop, ("restart", start of that
        day) on its first working day after them; else None."""
        if self.days is None or self.days.day_type.size == 0:
            return None
        if pollutant not in self._pace:
            self._pace[pollutant] = self.changes_pace(pollutant)
        if not self._pace[pollutant]:
            return None
        d = int((at - self.grid_start - self._overnight()) // DAY)
        dt = self.days.day_type
        if not 0 <= d < dt.size or dt[d] != 0:
            return None
        start = self.grid_start + self._overnight() + d * DAY
        if d < dt.size - 1 and dt[d + 1] != 0:
            return "eve", start + DAY
        if d > 0 and dt[d - 1] != 0:
            return "restart", start
        return None

    def baseline_evidence(self, at: float) -> dict[str, Any]:
        """What a rule compared the window with: the kind of day and the plant's schedule."""
        if self.days is None or self.days.day_type.size == 0:
            return {}
        d = int(np.clip((at - self.grid_start) // DAY, 0, self.days.day_type.size - 1))
        kind = int(self.days.day_type[d])
        return {
            "compared_with": DAY_TYPE_NAMES[kind],
            "like_days": int((self.days.day_type == kind).sum()),
            "public_holiday": bool(self.days.holiday[d]),
            "makeup_workday": bool(self.days.makeup[d]),
            "schedule": self.schedule.describe(),
        }

    def to_datetime(self, seconds: float) -> datetime:
        tz = ZoneInfo(self.config.timezone)
        return datetime.fromtimestamp(int(seconds), tz=UTC).astimezone(tz)

    def alarm(
        self,
        pollutant: str,
        rule: str,
        span: tuple[float, float],
        score: float,
        detected: float,
        evidence: dict[str, Any],
    ) -> Alarm:
        """Build an alarm with aware local times and JSON-plain evidence."""
        return Alarm(
            mn=self.mn,
            pollutant=pollutant,
            rule=rule,
            start=self.to_datetime(span[0]),
            end=self.to_datetime(span[1]),
            score=float(score),
            detected_at=self.to_datetime(max(detected, span[0])),
            evidence={k: plain(v) for k, v in evidence.items()},
        )

    def limit_evidence(self, pollutant: str) -> dict[str, Any]:
        lim = self.limits.get(pollutant)
        if lim is None:
            return {}
        return {"limit": lim.limit, "unit": lim.unit, "standard": lim.standard}


def plain(value: Any) -> Any:
    """Numpy scalars and arrays to JSON-plain Python, floats rounded for people."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [plain(v) for v in value]
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer | int):
        return int(value)
    if isinstance(value, np.floating | float):
        f = float(value)
        if not np.isfinite(f):
            return None
        return float(f"{f:.6g}")
    return value


def aggregate(s: Series, start: int, width: int, end: int, min_fraction: float) -> Agg:
    """Bin a series on a fixed grid; a bin is valid with enough valid rows (HJ 75 / HJ 356)."""
    nb = max((end - start) // width, 1)
    idx = (s.t - start) // width
    inside = (idx >= 0) & (idx < nb)
    idx, v, cls = idx[inside], s.v[inside], s.cls[inside]
    counts = np.bincount(idx * N_CLASSES + cls, minlength=nb * N_CLASSES).reshape(nb, N_CLASSES)
    ok = cls == VALID
    total = np.bincount(idx[ok], weights=v[ok], minlength=nb)
    n_ok = counts[:, VALID]
    expected = width / s.step
    valid = n_ok >= min_fraction * expected
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(valid, total / np.maximum(n_ok, 1), np.nan)
    vmin = np.full(nb, np.inf)
    vmax = np.full(nb, -np.inf)
    io, vo = idx[ok], v[ok]
    if io.size:  # idx is sorted (times are), so each bin is one contiguous slice
        first = np.flatnonzero(np.r_[True, io[1:] != io[:-1]])
        vmin[io[first]] = np.minimum.reduceat(vo, first)
        vmax[io[first]] = np.maximum.reduceat(vo, first)
    return Agg(start, width, mean, counts, expected, valid, vmin, vmax)


MAX_RESULT_GAP = 3600


def analyser_results(s: Series) -> tuple[I64, I64, F64]:
    """Runs of equal consecutive valid readings = one analyser result each (a batch analyser
    holds its value for the whole cycle; TAMPER.md §3 note).  A gap over an hour ends a run."""
    ok = s.cls == VALID
    tv, vv = s.t[ok], s.v[ok]
    if tv.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    change = np.ones(tv.size, dtype=bool)
    change[1:] = (vv[1:] != vv[:-1]) | (np.diff(tv) > MAX_RESULT_GAP)
    st = np.flatnonzero(change)
    en = np.r_[st[1:], tv.size]
    return tv[st], tv[en - 1] + s.step, vv[st]
