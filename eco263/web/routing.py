"""The route class of every page router: HTML errors, login redirects, security headers.

A page never answers with the API's JSON error: a missing or out-of-scope object is an HTML
404 (the same for both, so scope cannot be probed), a role that may not act gets a 403 page,
and a request without a valid session goes to the login page and back.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from starlette.responses import Response

from eco263.errors import DomainError, PasswordChangeRequired, Unauthenticated
from eco263.web.templating import templates

#: Pages load scripts, styles, images and data only from this server (no CDN, no tiles).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

_ERROR_TITLES = {401: "请先登录", 403: "无权操作", 404: "未找到", 409: "操作冲突", 413: "文件过大"}


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path if request.method == "GET" else "/"
    if request.method == "GET" and request.url.query:
        target += "?" + request.url.query
    return RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303)


def error_page(request: Request, exc: DomainError) -> Response:
    status = exc.status_code
    context = {"title": _ERROR_TITLES.get(status, "请求无效"), "message": exc.message}
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


def secure_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


class PageRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await original(request)
            except Unauthenticated:
                response = login_redirect(request)
            except PasswordChangeRequired:
                response = RedirectResponse("/account/password", status_code=303)
            except DomainError as exc:
                response = error_page(request, exc)
            return secure_headers(response)

        return handler
