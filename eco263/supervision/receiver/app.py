"""The receiver's HTTP side: ``POST /clues`` as the contract says, plus two read routes.

Order of checks for ``POST /clues``: the size, before the body is read (413); headers and
the v2 signature over method, path, key and body (400/401); timestamp window (401); JSON
(400) and fields (422); then the replay window — a signature already answered is an exact
replay (409 ``signature_replayed``) — and the idempotency key: a known key is a retry
(409 ``replayed`` naming the first receipt).  A new clue is committed, *then* answered
201 with a receipt id — a receiver must never acknowledge what it has not stored.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from eco263.clock import Clock, SystemClock
from eco263.outbox import signing
from eco263.supervision import wire
from eco263.supervision.receiver.store import ReceiverStore, Stored
from eco263.supervision.schemas import ClueDocument

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ReceiverHooks:
    """Seams for fault tests: run before storing (may answer instead) and after storing."""

    before_store: Callable[[dict[str, Any]], Response | None] | None = None
    after_store: Callable[[dict[str, Any], Stored], None] | None = None


def _error(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return JSONResponse(status_code=status, content=body)


def _check(
    request: Request, raw: bytes, ring: signing.KeyRing, wall: Clock, max_skew: int
) -> tuple[signing.Verified, dict[str, Any]] | Response:
    """Signature, time window, JSON and fields — or the refusal to send back."""
    try:
        verified = wire.verify_request(request, raw, ring, now=wall.now(), max_skew=max_skew)
    except signing.SignatureRefused as exc:
        return _error(exc.status_code, exc.code, exc.message)
    try:
        return verified, ClueDocument.model_validate_json(raw).model_dump(mode="json")
    except ValidationError as exc:
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return _error(400, "malformed_json", "请求体不是合法的 JSON")
        fields = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        return _error(422, "invalid", "线索内容不符合接口约定", {"fields": fields})


@dataclass(slots=True)
class _Intake:
    """Store a verified clue once; answer 201 with a receipt, or 409 for a known key."""

    store: ReceiverStore
    wall: Clock
    max_skew: int
    seams: ReceiverHooks
    on_clue: Callable[[dict[str, Any]], None] | None

    def __call__(self, verified: signing.Verified, digest: str, doc: dict[str, Any]) -> Response:
        if self.seams.before_store is not None:
            answer = self.seams.before_store(doc)
            if answer is not None:
                return answer
        try:
            stored = self.store.store_clue(
                verified.key,
                digest,
                doc,
                self.wall.now(),
                verified=verified,
                max_skew=self.max_skew,
            )
        except wire.SignatureReplayed as exc:
            return _error(exc.status_code, exc.code, exc.message)
        if not stored.new:
            if stored.body_sha256 != digest:
                return _error(409, "idempotency_conflict", "同一幂等键的内容与首次不同")
            return _error(
                409,
                "replayed",
                "该线索已接收（幂等键重复）",
                {"receipt_id": stored.receipt_id, "received_at": stored.received_at.isoformat()},
            )
        if self.seams.after_store is not None:
            self.seams.after_store(doc, stored)
        if self.on_clue is not None:
            try:
                self.on_clue(doc)
            except Exception:
                log.exception("receiver: on_clue failed")
        return JSONResponse(
            status_code=201,
            content={
                "receipt_id": stored.receipt_id,
                "received_at": stored.received_at.isoformat(),
            },
        )


def create_receiver_app(
    store: ReceiverStore,
    ring: signing.KeyRing,
    *,
    max_skew: int = 300,
    max_bytes: int = 1024 * 1024,
    clock: Clock | None = None,
    hooks: ReceiverHooks | None = None,
    on_clue: Callable[[dict[str, Any]], None] | None = None,
) -> FastAPI:
    """The reference receiver as an ASGI app (``on_clue`` runs after a new clue is stored)."""
    wall = clock or SystemClock()
    intake = _Intake(store, wall, max_skew, hooks or ReceiverHooks(), on_clue)
    app = FastAPI(
        title="智慧监督平台（参考接收端）",
        description="Reference implementation of docs/supervision-api.yaml (receiver side).",
        version="1",
    )
    app.state.store = store

    @app.post("/clues")
    async def receive_clue(request: Request) -> Response:
        try:
            raw = await wire.read_body(request, max_bytes)
        except (wire.BodyTooLarge, wire.BadLength) as exc:
            return wire.too_large(exc)
        checked = _check(request, raw, ring, wall, max_skew)
        if isinstance(checked, Response):
            return checked
        verified, doc = checked
        return await run_in_threadpool(intake, verified, signing.body_digest(raw), doc)

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"ok": True, "clues": store.count()}

    @app.get("/received")
    def received() -> Response:
        """What has arrived (for the operator; bind the receiver to loopback)."""
        return Response(
            json.dumps(store.clues(), ensure_ascii=False, default=str),
            media_type="application/json",
        )

    return app
