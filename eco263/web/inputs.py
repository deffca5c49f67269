"""Constrained input types shared by every route, schema and form.

What a user sends is bounded by what the database and the calendar can hold, so a hostile or
mistyped value gets a 422 with a Chinese message and never reaches a query that fails (500)
or a row that breaks a page for everyone else (#10):

* ``Id`` and the other integers stay within the INTEGER columns they are compared with
  (PostgreSQL ``integer``; SQLite refuses more than 64 bits outright);
* ``Line`` (one line: a title, a name, a code) refuses every C0 and C1 control character,
  DEL and lone surrogates; ``Text`` (a description, a note) allows tab, CR and LF;
* ``FiniteFloat`` refuses NaN and ±infinity (JSON's ``NaN``, ``Infinity``, ``1e999``);
* ``CoveredDate`` is a date the work calendar can count working days on: a deadline in a year
  without a holiday arrangement is refused here, with the calendar's own message, instead of
  being stored and failing every page that counts days to it.

The calendar used by ``CoveredDate`` is the one of the application serving the request
(:func:`inputs_calendar`, set by the app's middleware); outside a request (CLI, tests) it is
the one the settings describe.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Annotated, Final

from annotated_types import Ge, Le
from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError
from starlette.types import ASGIApp, Receive, Scope, Send

from eco263.config import get_settings
from eco263.workdays import CalendarRangeError, WorkCalendar, get_calendar

#: Largest value of an INTEGER column (ids, versions, counters) on PostgreSQL.
INT32_MAX: Final = 2**31 - 1

_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_MULTI_LINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _strict_int(value: object) -> object:
    """As JSON Schema counts: ``true`` is not an integer (pydantic alone takes it as 1)."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "应为整数")
    return value


#: A row id: 1 … 2³¹−1.
Id = Annotated[int, BeforeValidator(_strict_int), Ge(1), Le(INT32_MAX)]
#: An optimistic-lock version (the number read with the row).
Version = Annotated[int, BeforeValidator(_strict_int), Ge(1), Le(INT32_MAX)]
#: A page number of a list.
PageNumber = Annotated[int, Ge(1), Le(INT32_MAX)]


def control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first forbidden character of ``text`` as ``U+XXXX``, or None when it is clean."""
    found = (_MULTI_LINE if multiline else _SINGLE_LINE).search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def _check(text: str, multiline: bool) -> str:
    bad = control_character(text, multiline=multiline)
    if bad is not None:
        raise PydanticCustomError("control_character", "不能包含控制字符（{char}）", {"char": bad})
    return text


def _line(text: str) -> str:
    return _check(text, multiline=False)


def _text(text: str) -> str:
    return _check(text, multiline=True)


#: One line of text: no control characters at all.
Line = Annotated[str, AfterValidator(_line)]
#: Text with lines: tab, CR and LF allowed, other control characters refused.
Text = Annotated[str, AfterValidator(_text)]
#: A float that is a number: no NaN, no infinity.
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


def clean_line(text: str) -> str:
    """For query strings of pages, which ignore bad values: drop control characters."""
    return _SINGLE_LINE.sub("", text)


# -- dates the work calendar covers --------------------------------------------------------------

_CALENDAR: ContextVar[WorkCalendar | None] = ContextVar("eco263_inputs_calendar", default=None)


@contextmanager
def inputs_calendar(calendar: WorkCalendar) -> Iterator[None]:
    """Validate ``CoveredDate`` against ``calendar`` inside the block (one request)."""
    token = _CALENDAR.set(calendar)
    try:
        yield
    finally:
        _CALENDAR.reset(token)


def current_calendar() -> WorkCalendar:
    return _CALENDAR.get() or get_calendar(get_settings().holidays_file)


def uncovered_message(d: date) -> str | None:
    """The calendar's refusal for a date in a year it has no arrangement for, else None."""
    calendar = current_calendar()
    years = calendar.covered_years()
    if d.year in years:
        return None
    return str(CalendarRangeError(d.year, years))


def _covered(d: date) -> date:
    message = uncovered_message(d)
    if message is not None:
        raise PydanticCustomError("calendar_range", "{message}", {"message": message})
    return d


#: A deadline (or any date days are counted to): in a year the work calendar covers.
CoveredDate = Annotated[date, AfterValidator(_covered)]


class InputsCalendarScope:
    """ASGI middleware: ``CoveredDate`` checks against the serving application's calendar."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        runtime = getattr(scope["app"].state, "runtime", None) if "app" in scope else None
        if runtime is None:
            await self.app(scope, receive, send)
            return
        with inputs_calendar(runtime.calendar):
            await self.app(scope, receive, send)


def form_int(text: str | None, default: int) -> int:
    """An integer typed into a form or a page's query string, ``default`` when it is not one
    or does not fit an INTEGER column (pages ignore bad values rather than fail)."""
    if text is None:
        return default
    try:
        value = int(text.strip())
    except ValueError:
        return default
    return value if -INT32_MAX - 1 <= value <= INT32_MAX else default
