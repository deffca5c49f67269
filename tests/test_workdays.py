"""Working-day arithmetic: the DOMAIN.md §3 checks, the 2027 override, range errors, properties."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eco263 import workdays
from eco263.workdays import (
    CalendarDataError,
    CalendarRangeError,
    WorkCalendar,
    YearArrangement,
    clear_calendar_cache,
    describe_months,
    describe_workdays,
    get_calendar,
    parse_holiday_yaml,
    shipped_arrangements,
)

CAL = get_calendar()

# Starts and step counts that keep every result inside the package's 2004–2026.
package_dates = st.dates(min_value=date(2005, 1, 1), max_value=date(2025, 12, 31))
steps = st.integers(min_value=-240, max_value=240)
positive_steps = st.integers(min_value=1, max_value=240)


# -- the verified checks (DOMAIN.md §3) ------------------------------------------------------


def test_seven_workdays_after_2018_04_27_counts_the_makeup_saturday() -> None:
    assert CAL.is_workday(date(2018, 4, 28))  # 调休 Saturday
    assert CAL.add_workdays(date(2018, 4, 27), 7) == date(2018, 5, 9)


def test_may_day_2018_rest_days() -> None:
    assert not CAL.is_workday(date(2018, 4, 30))  # in-lieu Monday
    assert not CAL.is_workday(date(2018, 5, 1))
    assert CAL.is_workday(date(2018, 5, 2))


def test_add_months_legal_rule() -> None:
    assert CAL.add_months(date(2018, 4, 27), 3) == date(2018, 7, 27)
    assert CAL.add_months(date(2018, 11, 30), 3) == date(2019, 2, 28)
    assert CAL.add_months(date(2020, 1, 31), 1) == date(2020, 2, 29)
    assert CAL.add_months(date(2019, 2, 28), 1) == date(2019, 3, 28)  # corresponding day


def test_add_months_rolls_off_a_holiday_only_when_asked() -> None:
    start = date(2018, 7, 1)
    assert CAL.add_months(start, 3) == date(2018, 10, 1)
    # 10-01..10-07 are National Day; 10-08 is the first working day after.
    assert CAL.add_months(start, 3, roll_to_workday=True) == date(2018, 10, 8)
    # a working day is left alone
    assert CAL.add_months(date(2018, 4, 27), 3, roll_to_workday=True) == date(2018, 7, 27)


def test_add_months_without_rolling_needs_no_calendar_data() -> None:
    assert CAL.add_months(date(2035, 1, 31), 1) == date(2035, 2, 28)
    with pytest.raises(CalendarRangeError):
        CAL.add_months(date(2035, 1, 31), 1, roll_to_workday=True)


def test_add_days_calendar_days_optionally_rolled() -> None:
    assert CAL.add_days(date(2018, 8, 2), 60) == date(2018, 10, 1)
    assert CAL.add_days(date(2018, 8, 2), 60, roll_to_workday=True) == date(2018, 10, 8)


def test_add_workdays_zero_and_negative() -> None:
    assert CAL.add_workdays(date(2018, 4, 27), 0) == date(2018, 4, 27)
    assert CAL.add_workdays(date(2018, 4, 29), 0) == date(2018, 5, 2)
    assert CAL.add_workdays(date(2018, 5, 2), -1) == date(2018, 4, 28)
    assert CAL.add_workdays(date(2018, 5, 1), -1) == date(2018, 4, 28)
    assert CAL.next_workday(date(2018, 4, 27)) == date(2018, 4, 28)
    assert CAL.roll_forward(date(2018, 4, 30)) == date(2018, 5, 2)


def test_workdays_between_overdue_and_left() -> None:
    due = date(2018, 4, 27)
    assert CAL.workdays_between(due, date(2018, 5, 2)) == 2  # 04-28 and 05-02
    assert CAL.workdays_between(date(2018, 5, 2), due) == -2
    assert CAL.workdays_between(due, due) == 0
    assert CAL.workdays_between(date(2018, 4, 28), date(2018, 5, 1)) == 0


def test_workdays_between_across_years() -> None:
    # 2017-12-29 (Fri) → 2018-01-05 (Fri): 01-01 is New Year, so 01-02..01-05 = 4
    assert CAL.workdays_between(date(2017, 12, 29), date(2018, 1, 5)) == 4
    assert CAL.add_workdays(date(2017, 12, 29), 4) == date(2018, 1, 5)
    assert CAL.add_workdays(date(2018, 1, 5), -4) == date(2017, 12, 29)


def test_matches_chinese_calendar_on_every_covered_day() -> None:
    d, end = date(2004, 1, 1), date(2026, 12, 31)
    mismatches = []
    while d <= end:
        if CAL.is_workday(d) != chinese_calendar.is_workday(d):
            mismatches.append(d)
        d += timedelta(days=1)
    assert mismatches == []


def test_datetime_is_refused() -> None:
    with pytest.raises(TypeError, match="Asia/Shanghai"):
        CAL.is_workday(datetime(2018, 4, 27, 12))  # noqa: DTZ001
    with pytest.raises(TypeError):
        CAL.add_workdays("2018-04-27", 1)  # type: ignore[arg-type]


# -- 2027 from the shipped YAML ---------------------------------------------------------------


def test_2027_comes_from_the_shipped_yaml() -> None:
    assert 2027 in CAL.covered_years()
    assert CAL.is_provisional(2027)
    assert not CAL.is_provisional(2018)
    assert not CAL.is_workday(date(2027, 1, 1))
    assert CAL.is_workday(date(2027, 1, 4))
    assert CAL.holiday_name(date(2027, 2, 5)) == "春节（除夕）"
    # last working day of 2026 → first of 2027 (01-01 is 元旦, 01-02/03 the weekend)
    assert CAL.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert CAL.workdays_between(date(2026, 12, 31), date(2027, 1, 4)) == 1


def test_2027_spring_festival_and_qingming() -> None:
    assert CAL.add_workdays(date(2027, 2, 4), 1) == date(2027, 2, 11)
    (qingming,) = chinese_calendar.get_solar_terms(date(2027, 4, 1), date(2027, 4, 10))
    assert not CAL.is_workday(qingming[0])


def test_shipped_2027_is_only_law_not_guesswork() -> None:
    (year,) = [a for a in shipped_arrangements() if a.year == 2027]
    assert year.provisional
    assert year.workdays == {}  # make-up days are the notice's to decide
    statutory_weekdays = [d for d in year.holidays if d.weekday() < 5]
    assert len(statutory_weekdays) == 13  # 元旦1 春节4 清明1 劳动2 端午1 中秋1 国庆3


# -- out of range -----------------------------------------------------------------------------


def test_uncovered_year_raises_naming_the_year() -> None:
    with pytest.raises(CalendarRangeError) as info:
        CAL.is_workday(date(2030, 3, 1))
    assert info.value.year == 2030
    assert isinstance(info.value, ValueError)
    assert "没有 2030 年的节假日安排" in str(info.value)
    assert "2030 in the work calendar" in str(info.value)


def test_walking_out_of_range_raises() -> None:
    with pytest.raises(CalendarRangeError, match="2028"):
        CAL.add_workdays(date(2027, 12, 20), 30)
    with pytest.raises(CalendarRangeError, match="2003"):
        CAL.add_workdays(date(2004, 1, 5), -10)
    with pytest.raises(CalendarRangeError, match="2028"):
        CAL.workdays_between(date(2027, 12, 1), date(2028, 1, 1))


def test_gap_year_between_covered_years_raises() -> None:
    cal = WorkCalendar(
        [
            _arrangement(2027, {date(2027, 1, 1): "元旦"}),
            _arrangement(2029, {date(2029, 1, 1): "元旦"}),
        ]
    )
    assert cal.is_workday(date(2029, 1, 2))
    with pytest.raises(CalendarRangeError, match="2028"):
        cal.workdays_between(date(2027, 6, 1), date(2029, 6, 1))


def test_package_not_implemented_error_is_translated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workdays, "_package_years", lambda: frozenset(range(2004, 2031)))
    cal = WorkCalendar()
    with pytest.raises(CalendarRangeError) as info:
        cal.is_workday(date(2030, 1, 2))
    assert info.value.year == 2030
    assert isinstance(info.value.__cause__, NotImplementedError)


# -- overrides ----------------------------------------------------------------------------------


def _arrangement(
    year: int, holidays: dict[date, str], provisional: bool = False
) -> YearArrangement:
    return YearArrangement(year=year, provisional=provisional, holidays=holidays)


def test_override_replaces_a_package_year_wholly() -> None:
    cal = WorkCalendar([_arrangement(2018, {date(2018, 4, 27): "测试"})])
    assert not cal.is_workday(date(2018, 4, 27))
    assert cal.is_workday(date(2018, 4, 30))  # the package's holiday is gone
    assert not cal.is_workday(date(2018, 4, 28))  # and so is its make-up Saturday


def test_office_file_wins_over_shipped_year(tmp_path: Path) -> None:
    office = tmp_path / "holidays.yaml"
    office.write_text(
        "2027:\n"
        "  provisional: false\n"
        "  holidays: {2027-01-01: 元旦, 2027-02-11: 春节}\n"
        "  workdays: {2027-02-20: 春节}\n"
        "2028:\n"
        "  provisional: false\n"
        "  holidays: {2028-01-03: 元旦}\n",
        encoding="utf-8",
    )
    cal = WorkCalendar.from_files(office)
    assert not cal.is_provisional(2027)
    assert cal.is_workday(date(2027, 2, 5))  # shipped 2027 no longer applies
    assert not cal.is_workday(date(2027, 2, 11))
    assert cal.is_workday(date(2027, 2, 20))  # make-up Saturday
    assert cal.holiday_name(date(2027, 2, 20)) == "春节"
    assert not cal.is_workday(date(2028, 1, 3))
    assert cal.add_workdays(date(2027, 12, 31), 1) == date(2028, 1, 4)


def test_get_calendar_is_cached_per_path(tmp_path: Path) -> None:
    office = tmp_path / "h.yaml"
    office.write_text("2029:\n  provisional: true\n  holidays: {2029-01-01: 元旦}\n", "utf-8")
    assert get_calendar() is get_calendar()
    cal = get_calendar(office)
    assert cal is get_calendar(office)
    assert cal.is_provisional(2029)
    clear_calendar_cache()
    assert get_calendar(office) is not cal


def test_missing_office_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CalendarDataError, match="无法读取"):
        WorkCalendar.from_files(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2027: {holidays: {2027-01-01: 元旦}}", "provisional"),
        ("2027: {provisional: yes-ish, holidays: {2027-01-01: 元旦}}", "provisional"),
        ("2027: {provisional: true, holidays: {2026-12-31: 元旦}}", "不在 2027 年"),
        ("2027: {provisional: true, holidays: {}}", "holidays 为空"),
        ("2027: {provisional: true, holidays: {2027-01-01: ''}}", "缺少名称"),
        ("2027: {provisional: true, holidays: {not-a-date: 元旦}}", "不是 YYYY-MM-DD"),
        (
            "2027: {provisional: true, holidays: {2027-01-01: 元旦}, workdays: {2027-01-05: x}}",
            "不是周六或周日",
        ),
        (
            "2027: {provisional: true, holidays: {2027-01-02: 元旦}, workdays: {2027-01-02: x}}",
            "同时列为放假和上班",
        ),
        ("2027: {provisional: true, holidays: {2027-01-01: 元旦}, extra: 1}", "未知字段"),
        ("twenty: {provisional: true}", "年份"),
        ("- 2027", "顶层"),
        ("2027: [", "YAML"),
    ],
)
def test_bad_override_files_are_refused(text: str, message: str) -> None:
    with pytest.raises(CalendarDataError, match=message) as info:
        parse_holiday_yaml(text, "office.yaml")
    assert "office.yaml" in str(info.value)


def test_string_dates_are_accepted() -> None:
    (year,) = parse_holiday_yaml("2027: {provisional: true, holidays: {'2027-01-01': 元旦}}", "x")
    assert year.holidays == {date(2027, 1, 1): "元旦"}


# -- descriptions -------------------------------------------------------------------------------


def test_descriptions() -> None:
    assert describe_workdays(7, date(2018, 4, 27)) == "7 个工作日，自 2018-04-27 起算"
    assert describe_months(3, date(2018, 4, 27)) == "3 个月，自 2018-04-27 起算"
    with pytest.raises(ValueError, match="负数"):
        describe_workdays(-1, date(2018, 4, 27))


# -- properties ---------------------------------------------------------------------------------


@given(package_dates, steps)
@settings(max_examples=150, deadline=None)
def test_add_workdays_agrees_with_chinese_calendar(start: date, n: int) -> None:
    # find_workday(n > 0) from a rest day first rolls to the next working day and then counts n
    # more; we count strictly after the start day (民法典 §201), one working day fewer.
    expected_n = n - 1 if n > 0 and not chinese_calendar.is_workday(start) else n
    assert CAL.add_workdays(start, n) == chinese_calendar.find_workday(expected_n, start)


def test_counting_from_a_rest_day_starts_the_next_day() -> None:
    saturday = date(2018, 5, 5)
    assert CAL.add_workdays(saturday, 1) == date(2018, 5, 7)  # Monday is the 1st working day
    assert chinese_calendar.find_workday(1, saturday) == date(2018, 5, 8)  # the package's way


@given(package_dates, positive_steps)
def test_round_trip_forward(start: date, n: int) -> None:
    end = CAL.add_workdays(start, n)
    assert end > start
    assert CAL.is_workday(end)
    assert CAL.workdays_between(start, end) == n


@given(package_dates, steps)
def test_round_trip_from_a_workday(start: date, n: int) -> None:
    start = CAL.roll_forward(start)
    assert CAL.workdays_between(start, CAL.add_workdays(start, n)) == n


@given(package_dates, st.integers(min_value=-240, max_value=239))
def test_monotonic_in_n(start: date, n: int) -> None:
    here, after = CAL.add_workdays(start, n), CAL.add_workdays(start, n + 1)
    assert here <= after
    if n >= 1:  # (n = 0 from a rest day and n = 1 are both the next working day)
        assert here < after


@given(package_dates, package_dates, positive_steps)
def test_monotonic_in_start(a: date, b: date, n: int) -> None:
    a, b = min(a, b), max(a, b)
    assert CAL.add_workdays(a, n) <= CAL.add_workdays(b, n)


@given(package_dates, st.integers(min_value=-360, max_value=360))
def test_workdays_between_counts_days(a: date, span: int) -> None:
    b = a + timedelta(days=span)
    lo, hi = min(a, b), max(a, b)
    brute = sum(CAL.is_workday(lo + timedelta(days=k)) for k in range(1, (hi - lo).days + 1))
    assert CAL.workdays_between(a, b) == (brute if b >= a else -brute)


@given(package_dates, package_dates, package_dates)
def test_workdays_between_is_additive(a: date, b: date, c: date) -> None:
    assert CAL.workdays_between(a, b) + CAL.workdays_between(b, c) == CAL.workdays_between(a, c)
