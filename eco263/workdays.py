"""Working-day and calendar-period arithmetic on the official Chinese calendar.

This is the one module of eco263 that adds days to dates (DESIGN.md: "one module owns date
arithmetic; nothing else adds days"). It is pure: the only I/O is reading the holiday override
files when a calendar is built.

Where the data comes from
    * the ``chinese-calendar`` package (State Council arrangements, 2004–2026 in 1.11.0);
    * ``eco263/data/holidays.yaml`` shipped with eco263 (2027, provisional until the notice);
    * optionally the office's own YAML file (``Settings.holidays_file``).

A year defined in an override file is taken *wholly* from that file, later files winning, so an
office that types in the official notice replaces the provisional year, never mixes with it.

A date in a year that no source covers raises :class:`CalendarRangeError`. There is deliberately
no weekend-only fallback: a deadline computed without the year's 调休 would be silently wrong.

Speed: each covered year is turned once into a table (a working-day flag and a running count per
day, and the ordinals of its working days), so ``is_workday``, ``workdays_between`` and
``add_workdays`` cost O(1) per year crossed, about a microsecond each.

Dates only: a ``datetime`` is refused, because which calendar day an aware UTC instant falls on
in Suzhou (UTC+8) is the caller's decision, not this module's.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import chinese_calendar
import yaml
from dateutil.relativedelta import relativedelta

__all__ = [
    "CalendarDataError",
    "CalendarRangeError",
    "WorkCalendar",
    "YearArrangement",
    "clear_calendar_cache",
    "describe_months",
    "describe_workdays",
    "get_calendar",
    "load_holiday_file",
    "parse_holiday_yaml",
    "shipped_arrangements",
]

SHIPPED_HOLIDAYS_FILE: Final = "holidays.yaml"
_YEAR_KEYS: Final = frozenset({"provisional", "holidays", "workdays", "note"})


# -- errors ----------------------------------------------------------------------------------------


class CalendarRangeError(ValueError):
    """No holiday arrangement is known for ``year``: working days cannot be counted there."""

    def __init__(self, year: int, covered: Iterable[int] = ()) -> None:
        self.year = year
        self.covered = tuple(sorted(covered))
        have = f"；已有：{_years_text(self.covered)}" if self.covered else ""
        super().__init__(
            f"没有 {year} 年的节假日安排（工作日历缺少 {year} 年数据{have}）。"
            f"No holiday arrangement for {year} in the work calendar: add the year to the "
            "holiday file or upgrade chinese-calendar."
        )


class CalendarDataError(ValueError):
    """A holiday override file is malformed; the message names the file and the entry."""


def _years_text(years: tuple[int, ...]) -> str:
    """``(2004, 2005, 2006, 2027)`` → ``"2004–2006、2027 年"``."""
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    parts = [f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs]
    return "、".join(parts) + " 年"


# -- override data -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class YearArrangement:
    """One year's official (or provisional) arrangement: statutory rest days and 调休 workdays.

    Any Monday–Friday not in ``holidays`` is a working day, any Saturday or Sunday not in
    ``workdays`` is a rest day.
    """

    year: int
    provisional: bool
    holidays: Mapping[date, str]
    workdays: Mapping[date, str] = field(default_factory=lambda: MappingProxyType({}))
    source: str = ""

    def is_workday(self, d: date) -> bool:
        return d in self.workdays or (d.weekday() < 5 and d not in self.holidays)


def parse_holiday_yaml(text: str, source: str) -> list[YearArrangement]:
    """Parse and validate the override format ``{2027: {provisional, holidays, workdays}}``.

    Raises :class:`CalendarDataError` naming ``source`` and the faulty entry.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CalendarDataError(f"{source}：不是有效的 YAML（{exc}）") from exc
    if data is None:
        return []
    if not isinstance(data, dict):
        raise CalendarDataError(f"{source}：顶层应为「年份: 安排」的映射")
    return [_parse_year(key, body, source) for key, body in data.items()]


def load_holiday_file(path: Path) -> list[YearArrangement]:
    """Read an override file (the office's own edits)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CalendarDataError(f"无法读取节假日文件 {path}：{exc}") from exc
    return parse_holiday_yaml(text, str(path))


def shipped_arrangements() -> list[YearArrangement]:
    """The years eco263 ships in ``eco263/data/holidays.yaml``."""
    resource = resources.files("eco263") / "data" / SHIPPED_HOLIDAYS_FILE
    return parse_holiday_yaml(resource.read_text(encoding="utf-8"), f"eco263/data/{resource.name}")


def _parse_year(key: object, body: object, source: str) -> YearArrangement:
    if not isinstance(key, int) or isinstance(key, bool) or not 1900 <= key <= 2200:
        raise CalendarDataError(f"{source}：年份 {key!r} 无效，应为如 2027 的整数")
    where = f"{source}：{key} 年"
    if not isinstance(body, dict):
        raise CalendarDataError(f"{where}：应为包含 provisional、holidays、workdays 的映射")
    unknown = set(body) - _YEAR_KEYS
    if unknown:
        raise CalendarDataError(f"{where}：未知字段 {sorted(map(str, unknown))}")
    provisional = body.get("provisional")
    if not isinstance(provisional, bool):
        raise CalendarDataError(f"{where}：必须写明 provisional: true 或 false")
    holidays = _parse_days(body.get("holidays"), key, f"{where} holidays")
    workdays = _parse_days(body.get("workdays"), key, f"{where} workdays")
    _check_consistency(holidays, workdays, where)
    return YearArrangement(
        year=key,
        provisional=provisional,
        holidays=MappingProxyType(holidays),
        workdays=MappingProxyType(workdays),
        source=source,
    )


def _parse_days(raw: object, year: int, where: str) -> dict[date, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise CalendarDataError(f"{where}：应为「日期: 名称」的映射")
    days: dict[date, str] = {}
    for key, name in raw.items():
        d = _as_date(key, where)
        if d.year != year:
            raise CalendarDataError(f"{where}：{d.isoformat()} 不在 {year} 年")
        if not isinstance(name, str) or not name.strip():
            raise CalendarDataError(f"{where}：{d.isoformat()} 缺少名称（如 春节）")
        days[d] = name.strip()
    return days


def _as_date(key: Any, where: str) -> date:
    if isinstance(key, date) and not isinstance(key, datetime):
        return key
    try:
        return date.fromisoformat(str(key))
    except ValueError:
        raise CalendarDataError(f"{where}：{key!r} 不是 YYYY-MM-DD 日期") from None


def _check_consistency(holidays: dict[date, str], workdays: dict[date, str], where: str) -> None:
    if not holidays:
        raise CalendarDataError(f"{where}：holidays 为空；每年至少有元旦等法定节假日")
    both = sorted(holidays.keys() & workdays.keys())
    if both:
        raise CalendarDataError(f"{where}：{both[0].isoformat()} 同时列为放假和上班")
    weekday_makeups = sorted(d for d in workdays if d.weekday() < 5)
    if weekday_makeups:
        raise CalendarDataError(
            f"{where}：调休上班日 {weekday_makeups[0].isoformat()} 不是周六或周日"
        )


# -- per-year tables ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _YearTable:
    """One year precomputed. Day ``i`` of the year is ordinal ``first_ordinal + i``.

    ``rank[i]`` counts the working days from 1 January to day ``i`` inclusive;
    ``ordinals`` lists the working days' ordinals in order, so ``ordinals[rank[i] - 1]`` is the
    last working day on or before day ``i``.
    """

    year: int
    first_ordinal: int
    flags: bytes
    rank: tuple[int, ...]
    ordinals: tuple[int, ...]


def _build_table(year: int, is_workday: Callable[[date], bool]) -> _YearTable:
    first = date(year, 1, 1).toordinal()
    days = range(first, date(year, 12, 31).toordinal() + 1)
    flags = bytes(1 if is_workday(date.fromordinal(o)) else 0 for o in days)
    return _YearTable(
        year=year,
        first_ordinal=first,
        flags=flags,
        rank=tuple(itertools.accumulate(flags)),
        ordinals=tuple(o for o, f in zip(days, flags, strict=True) if f),
    )


def _package_years() -> frozenset[int]:
    """Years the installed chinese-calendar covers (it validates against the same bounds)."""
    return frozenset(
        range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)
    )


def _package_is_workday(d: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError as exc:  # the package's way of saying "no data for that year"
        raise CalendarRangeError(d.year) from exc


def _require_date(d: object) -> None:
    if type(d) is date:
        return
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(
            f"需要日期（datetime.date），收到 {type(d).__name__}；"
            "datetime must be converted to a local (Asia/Shanghai) date first"
        )


# -- the calendar ----------------------------------------------------------------------------------


class WorkCalendar:
    """Chinese working days: statutory holidays, weekends and 调休 make-up working days.

    ``arrangements`` override the package year by year (a later one for the same year wins).
    Counting conventions, chosen so that deadlines and "overdue by" agree:

    * ``add_workdays(d, n)``: the n-th working day strictly after ``d`` (n > 0), strictly
      before it (n < 0), or ``d`` itself / the next working day (n == 0).
    * ``workdays_between(a, b)``: working days in ``(a, b]``; negative when ``b < a``.
      So ``workdays_between(d, add_workdays(d, n)) == n`` for every n > 0.
    """

    def __init__(
        self, arrangements: Iterable[YearArrangement] = (), *, use_package: bool = True
    ) -> None:
        self._arrangements: dict[int, YearArrangement] = {a.year: a for a in arrangements}
        self._package_years = _package_years() if use_package else frozenset()
        self._tables: dict[int, _YearTable] = {}

    @classmethod
    def from_files(cls, *paths: Path, include_shipped: bool = True) -> WorkCalendar:
        """The package, then the shipped YAML, then each of ``paths``; later wins per year."""
        arrangements = shipped_arrangements() if include_shipped else []
        for path in paths:
            arrangements.extend(load_holiday_file(path))
        return cls(arrangements)

    # -- coverage --

    def covered_years(self) -> tuple[int, ...]:
        return tuple(sorted(self._package_years | self._arrangements.keys()))

    def is_provisional(self, year: int) -> bool:
        """True when ``year`` comes from an arrangement marked provisional (not yet official)."""
        self._table(year)  # raises for an uncovered year
        arrangement = self._arrangements.get(year)
        return arrangement is not None and arrangement.provisional

    def holiday_name(self, d: date) -> str | None:
        """The holiday or 调休 name an override file gives ``d`` (package years: None)."""
        _require_date(d)
        self._table(d.year)
        arrangement = self._arrangements.get(d.year)
        if arrangement is None:
            return None
        return arrangement.holidays.get(d) or arrangement.workdays.get(d)

    def _table(self, year: int) -> _YearTable:
        table = self._tables.get(year)
        if table is None:
            table = self._tables[year] = self._load(year)
        return table

    def _load(self, year: int) -> _YearTable:
        arrangement = self._arrangements.get(year)
        if arrangement is not None:
            return _build_table(year, arrangement.is_workday)
        if year in self._package_years:
            return _build_table(year, _package_is_workday)
        raise CalendarRangeError(year, self.covered_years())

    # -- queries --

    def is_workday(self, d: date) -> bool:
        _require_date(d)
        t = self._tables.get(d.year) or self._table(d.year)
        return t.flags[d.toordinal() - t.first_ordinal] == 1

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (before it if n < 0); see the class docstring."""
        _require_date(start)
        t = self._tables.get(start.year) or self._table(start.year)
        offset = start.toordinal() - t.first_ordinal
        if n == 0:
            if t.flags[offset]:
                return start
            n = 1
        if n > 0:
            index = t.rank[offset] + n - 1  # 0-based among this year's working days
            while index >= len(t.ordinals):
                index -= len(t.ordinals)
                t = self._table(t.year + 1)
        else:
            index = t.rank[offset] - t.flags[offset] + n  # working days strictly before, minus |n|
            while index < 0:
                t = self._table(t.year - 1)
                index += len(t.ordinals)
        return date.fromordinal(t.ordinals[index])

    def workdays_between(self, a: date, b: date) -> int:
        """Working days in ``(a, b]``, or minus those in ``(b, a]`` when ``b < a``.

        "Overdue by k working days" is ``workdays_between(due, today)``;
        "k working days left" is ``workdays_between(today, due)``.
        """
        _require_date(a)
        _require_date(b)
        if b < a:
            return -self.workdays_between(b, a)
        ta = self._tables.get(a.year) or self._table(a.year)
        tb = self._tables.get(b.year) or self._table(b.year)
        count = tb.rank[b.toordinal() - tb.first_ordinal]
        count -= ta.rank[a.toordinal() - ta.first_ordinal]
        for year in range(a.year, b.year):
            count += len(self._table(year).ordinals)
        return count

    def next_workday(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return self.add_workdays(d, 1)

    def roll_forward(self, d: date) -> date:
        """``d`` if it is a working day, else the next working day (a period ending on a rest
        day ends on the next working day: 民法典 §203)."""
        return self.add_workdays(d, 0)

    def add_months(self, start: date, n: int, *, roll_to_workday: bool = False) -> date:
        """``start`` plus ``n`` calendar months by the legal rule (民法典 §202).

        The period ends on the corresponding day of the final month, or on that month's last
        day when it has no such day (2018-11-30 + 3 months = 2019-02-28). With
        ``roll_to_workday`` a result on a rest day moves to the next working day (§203).
        Without it no calendar data is needed.
        """
        _require_date(start)
        end = start + relativedelta(months=n)
        return self.roll_forward(end) if roll_to_workday else end

    def add_days(self, start: date, n: int, *, roll_to_workday: bool = False) -> date:
        """``start`` plus ``n`` calendar days (e.g. 信访 60 日), optionally rolled like months."""
        _require_date(start)
        end = start + timedelta(days=n)
        return self.roll_forward(end) if roll_to_workday else end


# -- cached instances ----------------------------------------------------------------------------

_CALENDARS: dict[Path | None, WorkCalendar] = {}


def get_calendar(extra_path: Path | None = None) -> WorkCalendar:
    """The calendar of the package, the shipped YAML and ``extra_path`` (built once per path)."""
    key = Path(extra_path) if extra_path is not None else None
    calendar = _CALENDARS.get(key)
    if calendar is None:
        paths = (key,) if key is not None else ()
        calendar = _CALENDARS[key] = WorkCalendar.from_files(*paths)
    return calendar


def clear_calendar_cache() -> None:
    """Forget built calendars, e.g. after the office edited its holiday file."""
    _CALENDARS.clear()


# -- human-readable reasons --------------------------------------------------------------------


def describe_workdays(n: int, start: date) -> str:
    """``describe_workdays(7, date(2018, 4, 27))`` → ``"7 个工作日，自 2018-04-27 起算"``."""
    return f"{_nonnegative(n)} 个工作日，自 {start.isoformat()} 起算"


def describe_months(n: int, start: date) -> str:
    """``describe_months(3, date(2018, 4, 27))`` → ``"3 个月，自 2018-04-27 起算"``."""
    return f"{_nonnegative(n)} 个月，自 {start.isoformat()} 起算"


def _nonnegative(n: int) -> int:
    if n < 0:
        raise ValueError(f"期限不能为负数：{n}")
    return n
