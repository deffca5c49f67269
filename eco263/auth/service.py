"""Login and token resolution.

A login costs one argon2 verification whether the user exists or not (an unknown or inactive
user is checked against a dummy hash), so its time does not tell which usernames exist; and
:func:`attempt_login` throttles guessing per username and per client address
(:mod:`eco263.auth.throttle`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from eco263.actor import Actor, Role
from eco263.auth import throttle
from eco263.auth.models import ApiToken, User
from eco263.auth.passwords import hash_password, verify_password
from eco263.errors import Unauthenticated
from eco263.registry.models import Division


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@cache
def _dummy_hash() -> str:
    """An argon2 hash nobody knows the password of, made with the current parameters."""
    return hash_password(secrets.token_urlsafe(32))


def check_password(session: Session, username: str, password: str) -> User | None:
    """The active user with this password, else None — in the same time either way."""
    user = session.scalar(select(User).where(User.username == username))
    known = user is not None and user.active
    stored = user.password_hash if user is not None and known else _dummy_hash()
    matches = verify_password(stored, password)
    return user if known and matches else None


def login(session: Session, username: str, password: str, *, now: datetime, ttl_hours: int) -> str:
    """Check the password and issue a new token (returned once, stored hashed)."""
    user = check_password(session, username, password)
    if user is None:
        raise Unauthenticated("用户名或密码错误")
    return _issue(session, user, now=now, ttl_hours=ttl_hours)


def attempt_login(
    session: Session,
    username: str,
    password: str,
    *,
    address: str,
    now: datetime,
    ttl_hours: int,
    limits: throttle.Limits,
) -> str | None:
    """A throttled login: the new token, or None for a wrong password (counted in this
    transaction — commit it, then refuse).  Raises :class:`throttle.TooManyAttempts`,
    writing nothing, while the username or the address is locked."""
    keys = throttle.keys(username, address)
    throttle.check(session, keys, now=now)
    user = check_password(session, username, password)
    if user is None:
        throttle.record_failure(session, keys, now=now, limits=limits)
        return None
    throttle.forget(session, keys[:1])
    return _issue(session, user, now=now, ttl_hours=ttl_hours)


def _issue(session: Session, user: User, *, now: datetime, ttl_hours: int) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + timedelta(hours=ttl_hours),
        )
    )
    return token


def logout(session: Session, token: str) -> None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is not None:
        session.delete(row)


def actor_for_token(session: Session, token: str, *, now: datetime) -> Actor:
    """Resolve a bearer token or session cookie to the acting user, or refuse."""
    row = session.execute(
        select(User, ApiToken.expires_at)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == token_digest(token))
    ).first()
    if row is None or row.expires_at <= now or not row.User.active:
        raise Unauthenticated("登录已失效，请重新登录")
    return actor_for_user(session, row.User)


def actor_for_user(session: Session, user: User) -> Actor:
    path = session.scalar(select(Division.path).where(Division.code == user.division_code))
    path = path or user.division_code
    codes = session.scalars(select(Division.code).where(Division.path.startswith(path)))
    return Actor(
        user_id=user.id,
        name=user.display_name,
        role=Role(user.role),
        division_code=user.division_code,
        division_path=path,
        organization_id=user.organization_id,
        enterprise_id=user.enterprise_id,
        division_codes=frozenset(codes),
        must_change_password=user.must_change_password,
    )


def actor_for_username(session: Session, username: str) -> Actor:
    """For the CLI and tests: act as a named user without a password."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise Unauthenticated(f"没有用户 {username}")
    return actor_for_user(session, user)


def username_of(session: Session, actor: Actor) -> str:
    """The acting user's login name ("" for the system)."""
    if actor.user_id is None:
        return ""
    return session.scalar(select(User.username).where(User.id == actor.user_id)) or ""


def organizations_with_accounts(session: Session, org_ids: Iterable[int]) -> set[int]:
    """Those of ``org_ids`` that have an active user: they act themselves (no 代办 for them)."""
    wanted = set(org_ids)
    if not wanted:
        return set()
    query = select(User.organization_id).where(
        User.organization_id.in_(wanted), User.active.is_(True)
    )
    return {int(org_id) for org_id in session.scalars(query.distinct()) if org_id is not None}


# -- reads for notifications ---------------------------------------------------------------------


def active_user_ids(
    session: Session,
    *,
    organization_ids: Iterable[int] = (),
    enterprise_ids: Iterable[int] = (),
    user_ids: Iterable[int] = (),
) -> set[int]:
    """The active users of these organizations and enterprises, and those of ``user_ids``
    still active (one statement per kind)."""
    out: set[int] = set()
    orgs, firms, people = set(organization_ids), set(enterprise_ids), set(user_ids)
    if people:
        out |= set(
            session.scalars(select(User.id).where(User.id.in_(people), User.active.is_(True)))
        )
    if orgs:
        out |= set(
            session.scalars(
                select(User.id).where(User.organization_id.in_(orgs), User.active.is_(True))
            )
        )
    if firms:
        out |= set(
            session.scalars(
                select(User.id).where(User.enterprise_id.in_(firms), User.active.is_(True))
            )
        )
    return out


def nearest_office_user_ids(session: Session, division_code: str) -> set[int]:
    """The active 263 office users of the office nearest above ``division_code`` (its own
    division's office, else the parent's …): who answers for a unit's work in that area."""
    division = session.get(Division, division_code)
    if division is None:
        return set()
    chain = [code for code in division.path.split("/") if code]
    rows = session.execute(
        select(User.id, User.division_code).where(
            User.division_code.in_(chain),
            User.role.in_([Role.CITY_OFFICE.value, Role.DISTRICT_OFFICE.value]),
            User.active.is_(True),
        )
    ).all()
    for code in reversed(chain):
        found = {int(r.id) for r in rows if r.division_code == code}
        if found:
            return found
    return set()


def user_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {
        int(r.id): r.display_name
        for r in session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    }
