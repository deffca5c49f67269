"""Time is injected: every "now" in eco263 comes from a :class:`Clock`.

Aware UTC inside; local (Asia/Shanghai) only at the edges.  A frozen clock
replays April 2018 (``--now``) and drives the tests.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """Current time, aware, in UTC."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until told to move; thread-safe."""

    def __init__(self, at: datetime) -> None:
        self._at = ensure_aware(at)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._at

    def set(self, at: datetime) -> None:
        with self._lock:
            self._at = ensure_aware(at)

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._at += delta


class OffsetClock:
    """Wall time shifted so that it started at ``start``: a demo that lives in 2018."""

    def __init__(self, start: datetime) -> None:
        self._offset = ensure_aware(start) - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


def ensure_aware(at: datetime) -> datetime:
    """Treat a naive datetime as Asia/Shanghai local time (what office users type)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=SHANGHAI)
    return at.astimezone(UTC)


def parse_now(text: str) -> datetime:
    """Parse an ISO date or datetime given on the command line (local time if no offset)."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            f"无法识别的时间：{text!r}（应为 ISO 8601，例如 2018-05-10T09:00）"
        ) from exc
    return ensure_aware(parsed)


def local_date(at: datetime) -> date:
    """The office's calendar date of an instant (deadlines are local dates)."""
    return ensure_aware(at).astimezone(SHANGHAI).date()


_clock: Clock = SystemClock()


def local_text(at: datetime) -> str:
    """An instant as the office reads it in generated text: ``2018-05-10 09:00`` (Beijing)."""
    return ensure_aware(at).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def get_clock() -> Clock:
    return _clock


def set_clock(clock: Clock) -> None:
    """Install the process clock (CLI ``--now``, the demo, tests)."""
    global _clock
    _clock = clock
