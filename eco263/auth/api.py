"""Login for API clients (bearer token) and the current user."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from eco263.auth import service, throttle
from eco263.errors import Unauthenticated
from eco263.web.deps import client_address, request_token, runtime, user_ctx
from eco263.web.inputs import Line

router = APIRouter(tags=["auth 登录"])


class LoginIn(BaseModel):
    username: Line = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret


class MeOut(BaseModel):
    user_id: int | None
    name: str
    role: str | None
    division_code: str
    organization_id: int | None
    enterprise_id: int | None
    #: An administrator reset the password: every other route refuses until it is changed
    #: (on the page ``/account/password``).
    must_change_password: bool = False


@router.post("/auth/login", response_model=TokenOut)
def login(request: Request, body: LoginIn) -> TokenOut:
    """A bearer token; 401 on a wrong password, 429 (Retry-After) after too many of them."""
    rt = runtime(request)
    with rt.unit_of_work() as ctx:
        token = service.attempt_login(
            ctx.session,
            body.username,
            body.password,
            address=client_address(request),
            now=ctx.now,
            ttl_hours=rt.settings.token_ttl_hours,
            limits=throttle.Limits.from_settings(rt.settings),
        )
    if token is None:
        raise Unauthenticated("用户名或密码错误")
    return TokenOut(access_token=token)


@router.post("/auth/logout", status_code=204)
def logout(request: Request) -> None:
    token = request_token(request)
    if token:
        with runtime(request).unit_of_work() as ctx:
            service.logout(ctx.session, token)


@router.get("/auth/me", response_model=MeOut)
def me(request: Request) -> MeOut:
    with user_ctx(request) as ctx:
        a = ctx.actor
        return MeOut(
            user_id=a.user_id,
            name=a.name,
            role=a.role.value if a.role else None,
            division_code=a.division_code,
            organization_id=a.organization_id,
            enterprise_id=a.enterprise_id,
            must_change_password=a.must_change_password,
        )
