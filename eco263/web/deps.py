"""Request plumbing shared by every router: the unit of work and the acting user.

This package is plumbing: it imports the kernel only.  Who a token belongs to is the auth
package's business; the composition root (:mod:`eco263.app`) puts its resolver on
``app.state.authenticate``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Protocol

from fastapi import Form, Request
from sqlalchemy.orm import Session

from eco263.actor import Actor
from eco263.context import Ctx
from eco263.errors import Forbidden, PasswordChangeRequired, Unauthenticated
from eco263.runtime import Runtime

SESSION_COOKIE = "eco263_session"


class Authenticator(Protocol):
    """Resolves a bearer token or session cookie to its user, or raises Unauthenticated."""

    def __call__(self, session: Session, token: str, *, now: datetime) -> Actor: ...


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def authenticator(request: Request) -> Authenticator:
    resolve: Authenticator = request.app.state.authenticate
    return resolve


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def client_address(request: Request) -> str:
    """The peer's address (behind a proxy: what uvicorn's --proxy-headers makes of it)."""
    return request.client.host if request.client else "unknown"


def request_token(request: Request) -> str | None:
    """The bearer token, else the session cookie — but never the cookie for an API write.

    Page forms carry a CSRF token; the JSON API does not, so a cookie alone (which a
    browser attaches to a forged cross-site request) may only read it.
    """
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    if request.url.path.startswith("/api/") and request.method not in SAFE_METHODS:
        return None
    return request.cookies.get(SESSION_COOKIE)


#: What a user whose password an administrator reset may still open: the password change,
#: the help pages, logging out, who am I.
PASSWORD_PAGE = "/account/password"  # noqa: S105 - a page path, not a secret
_WHILE_PASSWORD_CHANGE = (
    PASSWORD_PAGE,
    "/help",
    "/logout",
    "/api/v1/auth/logout",
    "/api/v1/auth/me",
)


@contextmanager
def user_ctx(request: Request) -> Iterator[Ctx]:
    """A transaction acting as the logged-in user; 401 when there is none, 403
    (:class:`PasswordChangeRequired`) while the user must first change the password."""
    token = request_token(request)
    if not token:
        raise Unauthenticated("请先登录")
    with runtime(request).unit_of_work() as ctx:
        actor = authenticator(request)(ctx.session, token, now=ctx.now)
        if actor.must_change_password and not request.url.path.startswith(_WHILE_PASSWORD_CHANGE):
            raise PasswordChangeRequired()
        # The page's own transaction, for reads the layout makes while it renders (the menu's
        # counts): a second connection would wait on SQLite's write lock.
        request.state.db_session = ctx.session
        yield replace(ctx, actor=actor)


# -- CSRF protection for the pages' POST forms ---------------------------------------------------
#
# A logged-in form carries HMAC-SHA256(key = the session token, "eco263-csrf-v1"): only a page
# that could read the (HttpOnly) session cookie's value could compute it, it needs no stored
# state, and it dies with the session.  The login form, which has no session yet, uses a
# double-submit cookie instead: a random value in a cookie that must equal the form's field.

CSRF_FIELD = "csrf_token"
LOGIN_CSRF_COOKIE = "eco263_login_csrf"
_CSRF_LABEL = b"eco263-csrf-v1"


def csrf_for_session(session_token: str) -> str:
    """The CSRF token of the session whose cookie holds ``session_token``."""
    return hmac.new(session_token.encode("utf-8"), _CSRF_LABEL, hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token the page being rendered puts into its forms ("" when not logged in)."""
    session_token = request.cookies.get(SESSION_COOKIE)
    return csrf_for_session(session_token) if session_token else ""


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def require_csrf(request: Request, csrf_token: Annotated[str, Form()] = "") -> None:
    """Dependency of every POST page route: refuse a form without this session's token."""
    session_token = request.cookies.get(SESSION_COOKIE)
    if not session_token:
        raise Unauthenticated("请先登录")
    expected = csrf_for_session(session_token)
    if not csrf_token or not hmac.compare_digest(expected, csrf_token):
        raise CsrfRejected()


def login_csrf_ok(request: Request, submitted: str) -> bool:
    """The login form's double-submit check."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return bool(cookie) and bool(submitted) and hmac.compare_digest(cookie, submitted)


class CsrfRejected(Forbidden):
    """A POST form without a valid token: an old page, or a request forged by another site."""

    code = "csrf"

    def __init__(self) -> None:
        super().__init__("页面已过期或请求来源无效，请刷新页面后重新提交")
