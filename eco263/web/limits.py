"""Request body limit: ASGI middleware that refuses an oversized body before anything reads it.

A declared ``Content-Length`` over the limit is answered 413 at once, without reading a byte
of the body (the server hands the application no more than it declared).  A body without a
length (``Transfer-Encoding: chunked``) is counted as it streams and read into memory up to the
limit, then replayed to the application; one byte more and the answer is 413.  The answer is
the API's JSON error under ``/api/``, the HTML error page elsewhere, and the connection closes
(the rest of the body is never read).

The limit comes from the running application's settings (``ECO263_MAX_BODY_BYTES``); the
evidence upload routes get ``ECO263_MAX_UPLOAD_BYTES`` plus room for the multipart framing
(the route itself then checks the file's exact size), the signed inbound routes
``ECO263_INBOUND_MAX_BYTES``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eco263.config import Settings
from eco263.errors import TooLarge
from eco263.web.routing import error_page, secure_headers

#: Multipart boundaries, part headers and the other form fields around an uploaded file.
UPLOAD_OVERHEAD: Final = 64 * 1024
_UPLOADS = re.compile(r"^(/api/v1)?/problems/[^/]+/attachments$")
_INBOUND = "/api/v1/supervision/inbound/"


def body_limit(settings: Settings, scope: Scope) -> int:
    """The largest body this request may carry: the signed inbound calls of the 智慧监督
    platform have their own (smaller) limit, evidence uploads theirs."""
    path = scope.get("path", "")
    if path.startswith(_INBOUND):
        return min(settings.inbound_max_bytes, settings.max_body_bytes)
    if scope.get("method") == "POST" and _UPLOADS.match(path):
        return settings.max_upload_bytes + UPLOAD_OVERHEAD
    return settings.max_body_bytes


def too_large_message(limit: int) -> str:
    return f"请求内容过大（上限 {_size(limit)}）"


def _size(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} 字节"


def refusal(scope: Scope, limit: int) -> Response:
    """413 in the shape the client reads: JSON for the API, the error page for people."""
    message = too_large_message(limit)
    response: Response
    if scope.get("path", "").startswith("/api/"):
        body = {"error": {"code": TooLarge.code, "message": message, "details": {"limit": limit}}}
        response = JSONResponse(body, status_code=413)
    else:
        response = secure_headers(error_page(Request(scope), TooLarge(message)))
    response.headers["Connection"] = "close"
    return response


class BodyLimit:
    """Refuse request bodies over ``limit_for(scope)`` bytes with 413, before they are read."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[Scope], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        headers = _headers(scope)
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > limit:
                await refusal(scope, limit)(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        if "transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body at all
            return
        replay = await _read_counted(receive, limit)
        if replay is None:
            await refusal(scope, limit)(scope, receive, send)
            return
        await self.app(scope, _replaying(replay, receive), send)


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


async def _read_counted(receive: Receive, limit: int) -> Message | None:
    """The whole body as one message, or None as soon as it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return message  # the client went away: let the application see it
        body: bytes = message.get("body", b"")
        size += len(body)
        if size > limit:
            return None
        chunks.append(body)
        if not message.get("more_body", False):
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}


def _replaying(first: Message, receive: Receive) -> Callable[[], Awaitable[Message]]:
    pending: list[Message] = [first]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


def limit_from_app(scope: Scope) -> int:
    """The limit by the settings of the application serving ``scope`` (its runtime's)."""
    app: Any = scope["app"]
    settings: Settings = app.state.runtime.settings
    return body_limit(settings, scope)
