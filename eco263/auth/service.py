"""Login and token resolution."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from eco263.actor import Actor, Role
from eco263.auth.models import ApiToken, User
from eco263.auth.passwords import verify_password
from eco263.errors import Unauthenticated
from eco263.registry.models import Division


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def login(session: Session, username: str, password: str, *, now: datetime, ttl_hours: int) -> str:
    """Check the password and issue a new token (returned once, stored hashed)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not verify_password(user.password_hash, password):
        raise Unauthenticated("用户名或密码错误")
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
    )


def actor_for_username(session: Session, username: str) -> Actor:
    """For the CLI and tests: act as a named user without a password."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise Unauthenticated(f"没有用户 {username}")
    return actor_for_user(session, user)


def organizations_with_accounts(session: Session, org_ids: Iterable[int]) -> set[int]:
    """Those of ``org_ids`` that have an active user: they act themselves (no 代办 for them)."""
    wanted = set(org_ids)
    if not wanted:
        return set()
    query = select(User.organization_id).where(
        User.organization_id.in_(wanted), User.active.is_(True)
    )
    return {int(org_id) for org_id in session.scalars(query.distinct()) if org_id is not None}
