"""The HTTP side of a signed docking request, shared by eco263's inbound routes and the
reference receiver (docs/supervision-api.yaml, "Signing" and "Replay window").

1. **Size first.** :func:`read_body` refuses a ``Content-Length`` over the limit before
   reading a byte of the body, and reads a body without a length (chunked) only up to
   the limit: 413 ``too_large`` either way, and the connection is closed rather than
   drained.  Nothing is buffered past the limit.
2. **Signature.** :func:`verify_request` checks the v2 signature against the method and
   the path of the request line as received (:func:`request_path`) and the body's bytes.
3. **Replay window.** :func:`spend` records a verified signature in a table of the
   receiving side's database until its timestamp leaves the skew window (after that the
   timestamp check refuses it anyway, so expired rows are purged as new ones come in).
   A signature already there is a replay: 409 ``signature_replayed``, refused before the
   idempotency keys are consulted.  The caller spends the signature in the transaction
   of the request's effect, or on its own for a definite refusal; a request that failed
   with a server error (5xx, rolled back) stays unspent, so its sender may resend it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Table, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse

from eco263.errors import DomainError, TooLarge
from eco263.outbox import signing

#: Seconds a spent signature is kept beyond its timestamp's window (clock rounding).
_MARGIN_SECONDS = 1
#: Expired rows removed per request, at most (each request adds one).
_PURGE_BATCH = 100


class BodyTooLarge(TooLarge):
    code = "too_large"


class BadLength(DomainError):
    status_code = 400
    code = "bad_headers"


class SignatureReplayed(DomainError):
    status_code = 409
    code = "signature_replayed"

    def __init__(self) -> None:
        super().__init__("该签名已使用过（请求被原样重放），已拒绝；重发请重新签名（新的时间戳）")


def _too_large(limit: int) -> BodyTooLarge:
    return BodyTooLarge(f"请求体超过上限 {limit} 字节", limit=limit)


def too_large(exc: BodyTooLarge | BadLength) -> JSONResponse:
    """The 413 (or 400) answer, closing the connection: the unread rest of the body is
    not drained from the socket."""
    body: dict[str, Any] = {"error": {"code": exc.code, "message": exc.message}}
    if exc.details:
        body["error"]["details"] = exc.details
    return JSONResponse(body, status_code=exc.status_code, headers={"Connection": "close"})


async def read_body(request: Request, limit: int) -> bytes:
    """The body, read only if it fits in ``limit`` bytes; 413 otherwise (see module doc)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise BadLength("Content-Length 无效")
        if int(declared) > limit:
            raise _too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
    return bytes(body)


def request_path(request: Request) -> str:
    """The request target as it came on the request line: raw path, then ``?query``."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else quote(request.scope["path"])
    query = request.scope.get("query_string") or b""
    return f"{path}?{query.decode('latin-1')}" if query else path


def verify_request(
    request: Request, body: bytes, ring: signing.KeyRing, *, now: datetime, max_skew: int
) -> signing.Verified:
    """:func:`eco263.outbox.signing.verify` for this request's method and path."""
    return signing.verify(
        request.headers,
        body,
        ring,
        method=request.method,
        path=request_path(request),
        now=now,
        max_skew=max_skew,
    )


def spend(
    db: Session | Connection,
    table: Table,
    verified: signing.Verified,
    *,
    now: datetime,
    max_skew: int,
) -> bool:
    """Record ``verified`` as spent, in ``db``'s transaction; False if it already was.

    ``table`` has the columns ``signature`` (primary key), ``idempotency_key``,
    ``expires_at`` and ``spent_at``.  A concurrent twin waits on the primary key
    (PostgreSQL) or the write lock (SQLite) and then finds the signature spent.
    """
    expires = datetime.fromtimestamp(verified.timestamp + max_skew + _MARGIN_SECONDS, UTC)
    expired = (
        select(table.c.signature)
        .where(table.c.expires_at < now)
        .limit(_PURGE_BATCH)
        .with_for_update(skip_locked=True)  # two purges never wait on (or deadlock) each other
    )
    db.execute(delete(table).where(table.c.signature.in_(expired.scalar_subquery())))
    try:
        with db.begin_nested():
            db.execute(
                insert(table).values(
                    signature=verified.signature,
                    idempotency_key=verified.key,
                    expires_at=expires,
                    spent_at=now,
                )
            )
    except IntegrityError:
        return False
    return True
