"""Request plumbing shared by every router: the unit of work and the acting user."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from fastapi import Request

from eco263.auth.service import actor_for_token
from eco263.context import Ctx
from eco263.errors import Unauthenticated
from eco263.web.runtime import Runtime

SESSION_COOKIE = "eco263_session"


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def request_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(SESSION_COOKIE)


@contextmanager
def user_ctx(request: Request) -> Iterator[Ctx]:
    """A transaction acting as the logged-in user; 401 when there is none."""
    token = request_token(request)
    if not token:
        raise Unauthenticated("请先登录")
    with runtime(request).unit_of_work() as ctx:
        actor = actor_for_token(ctx.session, token, now=ctx.now)
        yield replace(ctx, actor=actor)
