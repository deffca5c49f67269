"""Login throttling: failed logins counted per username and per client address.

A key (``("user", "city")``, ``("address", "10.0.0.7")``) that reaches its limit of failures
within the window is locked for the lockout time: every login on it answers 429 with
Retry-After, the right password included (otherwise the lock would tell a guesser when it
guessed right).  A successful login forgets its username's failures; the address keeps its
count, or one valid account would let a guesser reset the address limit at will.

The counts live in the database (``login_throttle``), so several workers share them; the
row is claimed with ``INSERT … ON CONFLICT DO NOTHING`` then ``SELECT … FOR UPDATE``, so two
concurrent failures on one key both count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from eco263.auth.models import LoginThrottle
from eco263.config import Settings
from eco263.errors import DomainError

USER = "user"
ADDRESS = "address"

Key = tuple[str, str]


class TooManyAttempts(DomainError):
    """The username or the address is locked after too many failed logins."""

    status_code = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(f"登录失败次数过多，请 {minutes} 分钟后再试", retry_after=retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Limits:
    max_failures: int = 5
    max_failures_per_address: int = 30
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_failures=settings.login_max_failures,
            max_failures_per_address=settings.login_max_failures_per_address,
            window=timedelta(seconds=settings.login_window_seconds),
            lockout=timedelta(seconds=settings.login_lockout_seconds),
        )

    def limit(self, scope: str) -> int:
        return self.max_failures if scope == USER else self.max_failures_per_address


def keys(username: str, address: str) -> list[Key]:
    return [(USER, username[:128]), (ADDRESS, address[:128])]


def _match(wanted: list[Key]) -> ColumnElement[bool]:
    return or_(*(and_(LoginThrottle.scope == s, LoginThrottle.key == k) for s, k in wanted))


def check(session: Session, wanted: list[Key], *, now: datetime) -> None:
    """Raise :class:`TooManyAttempts` (writing nothing) when one of the keys is locked."""
    locks = session.scalars(
        select(LoginThrottle.locked_until).where(
            _match(wanted),
            LoginThrottle.locked_until > now,
        )
    ).all()
    until = max((lock for lock in locks if lock is not None), default=None)
    if until is not None:
        raise TooManyAttempts(max(1, math.ceil((until - now).total_seconds())))


def record_failure(session: Session, wanted: list[Key], *, now: datetime, limits: Limits) -> None:
    """Count one failed login on every key; lock the keys that reach their limit."""
    _forget_old(session, now=now, limits=limits)
    for scope, key in wanted:
        row = _claim(session, scope, key, now)
        expired = row.window_start <= now - limits.window
        if expired or (row.locked_until is not None and row.locked_until <= now):
            row.failures, row.window_start, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= limits.limit(scope):
            row.locked_until = now + limits.lockout
    session.flush()


def forget(session: Session, wanted: list[Key]) -> None:
    """A successful login: its username starts again from zero."""
    session.execute(delete(LoginThrottle).where(_match(wanted)))


def _claim(session: Session, scope: str, key: str, now: datetime) -> LoginThrottle:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(LoginThrottle)
        .values(scope=scope, key=key, failures=0, window_start=now, locked_until=None)
        .on_conflict_do_nothing(index_elements=["scope", "key"])
    )
    return session.scalars(
        select(LoginThrottle)
        .where(LoginThrottle.scope == scope, LoginThrottle.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _forget_old(session: Session, *, now: datetime, limits: Limits) -> None:
    """Rows whose window and lock are both over say nothing any more (keeps the table small)."""
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.window_start <= now - limits.window,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
        )
    )
