"""A point's production schedule (生产日历): working days, shift hours, planned stops — data.

The detectors compare a window with the point's usual pattern, and a plant's usual pattern
depends on the kind of day: a working day, a rest day (weekend or public holiday, per the
official calendar with its 调休 make-up working days), or a planned stop (停产 entered by an
officer or the enterprise, with dates).  This module turns a schedule and the official
:class:`~eco263.workdays.WorkCalendar` into one *day type* per local day, so that every rule
compares like with like.  It is pure: the schedule arrives as a value (built from the YAML file
``eco263 detect --schedule FILE`` takes, or, in the platform, from a table).

File format (YAML; every key optional; times are local Asia/Shanghai unless they carry an
offset)::

    default:                    # for every point without its own entry
      calendar: official        # official | every_day | holidays_off | mon_sat
      shifts: ["08:00-20:00"]   # production hours on a working day; "20:00-06:00" crosses midnight
    points:
      "88888880001000001":      # the point's MN
        calendar: every_day
        shifts: ["00:00-24:00"]
        stops:                  # planned stops (停产), as entered
          - {start: "2018-04-10 08:00", end: "2018-04-13 18:00", reason: 设备检修}

Calendars: ``official`` works on the official working days (weekends and public holidays off,
调休 Saturdays/Sundays on); ``every_day`` runs every day (a continuous process); ``holidays_off``
runs every day but stops over public-holiday blocks (three or more rest days in a row — a plain
weekend is two); ``mon_sat`` works Monday to Saturday, off on Sundays and over holiday blocks,
on on 调休 days.  Without a schedule a point gets the default: the official calendar, shift
hours unknown — which is what a plant most often does, and still knows every holiday.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

import numpy as np
import yaml
from numpy.typing import NDArray

from eco263.workdays import CalendarRangeError, WorkCalendar

__all__ = [
    "CALENDARS",
    "REST",
    "STOP",
    "WORK",
    "DayInfo",
    "Schedule",
    "ScheduleBook",
    "ScheduleError",
    "Stop",
    "day_info",
    "load_schedule_file",
    "parse_schedule",
]

CalendarKind = Literal["official", "every_day", "holidays_off", "mon_sat"]
CALENDARS: Final[tuple[CalendarKind, ...]] = ("official", "every_day", "holidays_off", "mon_sat")
WORK: Final = 0
REST: Final = 1
STOP: Final = 2
DAY_TYPE_NAMES: Final = ("working_day", "rest_day", "planned_stop")
HOLIDAY_BLOCK_DAYS: Final = 3


class ScheduleError(ValueError):
    """The schedule file is unreadable or wrong; the message (Chinese) names the entry."""


@dataclass(frozen=True)
class Stop:
    """A planned production stop (停产) over [start, end), aware datetimes."""

    start: datetime
    end: datetime
    reason: str = ""


@dataclass(frozen=True)
class Schedule:
    """One point's production schedule.  ``declared`` is False for the default one."""

    calendar: CalendarKind = "official"
    shifts: tuple[tuple[int, int], ...] = ()
    """Working-day production hours as (start, end) minutes from local midnight; end may
    exceed 1440 for a shift that crosses midnight.  Empty: not known."""
    stops: tuple[Stop, ...] = ()
    declared: bool = False

    def describe(self) -> dict[str, Any]:
        """The schedule as alarm evidence: what the detectors assumed about the plant."""
        return {
            "calendar": self.calendar,
            "shifts": [_shift_text(a, b) for a, b in self.shifts],
            "planned_stops": len(self.stops),
            "source": "schedule" if self.declared else "official_calendar_default",
        }


@dataclass(frozen=True)
class ScheduleBook:
    """Schedules by MN, with a default for every other point."""

    default: Schedule = field(default_factory=Schedule)
    points: Mapping[str, Schedule] = field(default_factory=dict)

    def for_point(self, mn: str) -> Schedule:
        return self.points.get(mn, self.default)


@dataclass(frozen=True)
class DayInfo:
    """Per local day of a point's grid: its type and what the official calendar says."""

    day_type: NDArray[np.int8]
    holiday: NDArray[np.bool_]
    """A public-holiday rest day (in a block of ≥ 3 official rest days)."""
    makeup: NDArray[np.bool_]
    """A 调休 make-up working day (a Saturday or Sunday the official calendar works)."""


def _shift_text(a: int, b: int) -> str:
    return f"{a // 60:02d}:{a % 60:02d}-{(b // 60) % 24 if b != 1440 else 24:02d}:{b % 60:02d}"


def day_info(
    schedule: Schedule,
    first_day: date,
    n_days: int,
    grid_start: int,
    calendar: WorkCalendar,
) -> DayInfo:
    """Day types of ``n_days`` local days from ``first_day`` (whose midnight is ``grid_start``,
    epoch seconds).  A year the calendar does not cover falls back to Monday–Friday, and the
    evidence says which days those were (``calendar_covered``)."""
    days = [calendar.add_days(first_day, i) for i in range(n_days)]
    official = np.zeros(n_days, dtype=bool)
    for i, d in enumerate(days):
        try:
            official[i] = calendar.is_workday(d)
        except CalendarRangeError:
            official[i] = d.weekday() < 5
    weekday = np.array([d.weekday() for d in days], dtype=np.int64)
    holiday = _holiday_blocks(official, weekday)
    makeup = official & (weekday >= 5)
    if schedule.calendar == "every_day":
        works = np.ones(n_days, dtype=bool)
    elif schedule.calendar == "holidays_off":
        works = ~holiday
    elif schedule.calendar == "mon_sat":
        works = official | ((weekday == 5) & ~holiday)
    else:
        works = official
    day_type = np.where(works, WORK, REST).astype(np.int8)
    for stop in schedule.stops:
        a = (stop.start.timestamp() - grid_start) / 86400
        b = (stop.end.timestamp() - grid_start) / 86400
        for i in range(max(0, int(np.floor(a))), min(n_days, int(np.ceil(b)))):
            covered = min(b, i + 1) - max(a, i)
            if covered >= 0.5:
                day_type[i] = STOP
    return DayInfo(day_type, holiday, makeup)


def _holiday_blocks(official: NDArray[np.bool_], weekday: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Rest days in runs of ≥ 3 (a public holiday; a weekend is 2), plus a rest weekday."""
    rest = ~official
    out = rest & (weekday < 5)
    i = 0
    n = rest.size
    while i < n:
        if not rest[i]:
            i += 1
            continue
        j = i
        while j < n and rest[j]:
            j += 1
        # a run touching the edge of the data may be longer than it looks: judge by weekdays
        if j - i >= HOLIDAY_BLOCK_DAYS:
            out[i:j] = True
        i = j
    return out


# ------------------------------------------------------------------------------ the file


def load_schedule_file(path: Path, timezone: str = "Asia/Shanghai") -> ScheduleBook:
    """Read a schedule YAML file (see the module doc)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScheduleError(f"无法读取生产日历文件 {path}：{exc}") from exc
    return parse_schedule(text, str(path), timezone)


def parse_schedule(text: str, source: str, timezone: str = "Asia/Shanghai") -> ScheduleBook:
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScheduleError(f"生产日历文件 {source} 不是有效的 YAML：{exc}") from exc
    if data is None:
        return ScheduleBook()
    if not isinstance(data, dict) or set(data) - {"default", "points"}:
        raise ScheduleError(f"生产日历文件 {source} 的顶层只能有 default 与 points")
    tz = ZoneInfo(timezone)
    default = _entry(data.get("default") or {}, f"{source} default", tz)
    points_raw = data.get("points") or {}
    if not isinstance(points_raw, dict):
        raise ScheduleError(f"生产日历文件 {source} 的 points 应为「MN: 日历」的映射")
    points = {
        str(mn).strip(): _entry(body or {}, f"{source} 监测点 {mn}", tz, default)
        for mn, body in points_raw.items()
    }
    return ScheduleBook(default, points)


def _entry(body: object, where: str, tz: ZoneInfo, default: Schedule | None = None) -> Schedule:
    if not isinstance(body, dict):
        raise ScheduleError(f"{where}：应为映射（calendar、shifts、stops）")
    unknown = set(body) - {"calendar", "shifts", "stops"}
    if unknown:
        raise ScheduleError(f"{where}：未知字段 {sorted(map(str, unknown))}")
    base = default or Schedule()
    calendar = body.get("calendar", base.calendar)
    if calendar not in CALENDARS:
        raise ScheduleError(f"{where}：calendar 应为 {' / '.join(CALENDARS)}，收到 {calendar!r}")
    shifts = base.shifts
    if "shifts" in body:
        raw = body["shifts"] or []
        if not isinstance(raw, list):
            raise ScheduleError(f'{where}：shifts 应为列表，如 ["08:00-20:00"]')
        shifts = tuple(_shift(str(s), where) for s in raw)
    stops = tuple(_stop(s, where, tz) for s in (body.get("stops") or []))
    return Schedule(calendar, shifts, stops, declared=True)


def _minutes(text: str, where: str) -> int:
    try:
        hh, mm = text.strip().split(":")
        value = int(hh) * 60 + int(mm)
    except ValueError:
        raise ScheduleError(f"{where}：时间 {text!r} 应为 HH:MM") from None
    if not 0 <= value <= 1440:
        raise ScheduleError(f"{where}：时间 {text!r} 超出 00:00–24:00")
    return value


def _shift(text: str, where: str) -> tuple[int, int]:
    if "-" not in text:
        raise ScheduleError(f"{where}：班次 {text!r} 应为 HH:MM-HH:MM")
    a_text, b_text = text.split("-", 1)
    a, b = _minutes(a_text, where), _minutes(b_text, where)
    if b <= a:
        b += 1440  # crosses midnight: belongs to the day it starts
    return a, b


def _time(value: object, where: str, tz: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, date):
        when = datetime(value.year, value.month, value.day, tzinfo=tz)
    else:
        try:
            when = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ScheduleError(f"{where}：{value!r} 不是日期时间（YYYY-MM-DD HH:MM）") from None
    return when if when.tzinfo is not None else when.replace(tzinfo=tz)


def _stop(raw: object, where: str, tz: ZoneInfo) -> Stop:
    if not isinstance(raw, dict) or "start" not in raw or "end" not in raw:
        raise ScheduleError(f"{where}：停产记录应含 start 与 end")
    start, end = _time(raw["start"], where, tz), _time(raw["end"], where, tz)
    if end <= start:
        raise ScheduleError(f"{where}：停产记录的结束 {end} 不晚于开始 {start}")
    return Stop(start, end, str(raw.get("reason") or ""))
