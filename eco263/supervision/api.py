"""REST routes of the supervision docking.

For people (bearer token): the clue list and detail, a clue by hand (市263办), the delivery
state for the dashboard and a retry of dead deliveries.  For the 智慧监督 platform
(HMAC-signed, no user): ``/supervision/inbound/*`` — clue status, 监督意见书, 问责 — as
docs/supervision-api.yaml specifies.  Inbound routes check the size before reading the
body (413), verify the v2 signature over method, path, key and the raw bytes before
parsing, then spend the signature, record the key and run the action in one transaction
in a worker thread (:mod:`eco263.supervision.wire` has the order and the reasons).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from eco263.actor import Role
from eco263.clock import SystemClock
from eco263.context import Ctx
from eco263.errors import DomainError, Forbidden, InvalidInput
from eco263.outbox.actions import do_retry
from eco263.outbox.signing import Verified, body_digest
from eco263.supervision import inbound, wire
from eco263.supervision.actions.manual import do_open_manual_clue
from eco263.supervision.delivery import keyring
from eco263.supervision.enums import InboundKind
from eco263.supervision.schemas import (
    AccountabilityIn,
    AccountabilityOut,
    ClueDetail,
    ClueOut,
    ClueStatusIn,
    DeliveryStatus,
    InboundReceipt,
    ManualClueIn,
    OpinionIn,
    OpinionOut,
    StateChangeOut,
)
from eco263.supervision.service import clues, deliveries
from eco263.web.deps import runtime, user_ctx
from eco263.web.inputs import Id, Line, PageNumber

router = APIRouter(tags=["supervision 智慧监督对接"])

M = TypeVar("M", bound=BaseModel)

#: Signed requests are checked against real time, whatever the domain clock says (a demo
#: replaying 2018 still talks to a platform living today).
_WIRE_CLOCK = SystemClock()


# -- for people ---------------------------------------------------------------------------------


@router.get("/clues", response_model=list[ClueOut])
def list_clues(
    request: Request,
    state: Annotated[Line | None, Query(max_length=16)] = None,
    page: Annotated[PageNumber, Query()] = 1,
    page_size: int = Query(default=50, ge=1, le=200),
) -> list[ClueOut]:
    """Clues in the caller's jurisdiction, newest first (263办, 纪委监委, 领导)."""
    with user_ctx(request) as ctx:
        items, _ = clues.list_clues(
            ctx.session,
            ctx.actor,
            state=state,
            limit=page_size,
            offset=(page - 1) * page_size,
        )
        return [ClueOut.model_validate(c) for c in items]


@router.get("/clues/{clue_id}", response_model=ClueDetail)
def get_clue(request: Request, clue_id: Id) -> ClueDetail:
    """One clue with its evidence, delivery state, status history, opinions and 问责."""
    with user_ctx(request) as ctx:
        clue = clues.get_clue(ctx.session, ctx.actor, clue_id)
        delivery = deliveries.delivery_of(ctx.session, clue)
        return ClueDetail(
            **ClueOut.model_validate(clue).model_dump(),
            evidence=clue.evidence,
            delivery_state=delivery.state if delivery else None,
            delivery_attempts=delivery.attempts if delivery else 0,
            delivery_error=delivery.last_error if delivery else None,
            history=[
                StateChangeOut.model_validate(h) for h in clues.history_of(ctx.session, clue.id)
            ],
            opinions=[
                OpinionOut.model_validate(o) for o in clues.opinions_of(ctx.session, clue.id)
            ],
            accountability=[
                AccountabilityOut.model_validate(a)
                for a in clues.accountability_of(ctx.session, clue_id=clue.id)
            ],
        )


@router.post("/clues", response_model=ClueOut, status_code=201)
def open_manual_clue(request: Request, body: ManualClueIn) -> ClueOut:
    """人工移送 (市263办): a clue about a problem's unit, delivered like any other."""
    with user_ctx(request) as ctx:
        return ClueOut.model_validate(do_open_manual_clue(ctx, body))


@router.get("/supervision/deliveries", response_model=DeliveryStatus)
def delivery_status(request: Request) -> DeliveryStatus:
    """Outbox counts and the dead deliveries (the dashboard's warning light)."""
    with user_ctx(request) as ctx:
        return deliveries.delivery_status(ctx.session, ctx.actor)


@router.post("/supervision/deliveries/{event_id}/retry")
def retry_delivery(request: Request, event_id: Id) -> dict[str, list[int]]:
    """Revive one dead delivery (市263办)."""
    with user_ctx(request) as ctx:
        if not ctx.actor.is_system and ctx.actor.role != Role.CITY_OFFICE:
            raise Forbidden("只有市263办可以重新投递")
        return {"revived": do_retry(ctx, [event_id])}


# -- for the platform (signed) ---------------------------------------------------------------------


@router.post("/supervision/inbound/clue-status", response_model=InboundReceipt)
async def inbound_clue_status(request: Request) -> InboundReceipt | Response:
    """The platform reports a clue received / accepted / rejected / concluded."""

    def act(ctx: Ctx, body: ClueStatusIn, receipt: str) -> InboundReceipt:
        clue = inbound.do_record_clue_status(ctx, body)
        return InboundReceipt(receipt_id=receipt, clue_id=clue.id, status=clue.state)

    return await _signed(request, InboundKind.CLUE_STATUS, ClueStatusIn, act)


@router.post("/supervision/inbound/opinions", response_model=InboundReceipt)
async def inbound_opinion(request: Request) -> InboundReceipt | Response:
    """监督意见书 → a rectification problem for the named unit with its deadline."""

    def act(ctx: Ctx, body: OpinionIn, receipt: str) -> InboundReceipt:
        opinion = inbound.do_receive_opinion(ctx, body)
        return InboundReceipt(
            receipt_id=receipt,
            clue_id=opinion.clue_id,
            opinion_id=opinion.id,
            problem_id=opinion.problem_id,
        )

    return await _signed(request, InboundKind.OPINION, OpinionIn, act)


@router.post("/supervision/inbound/accountability", response_model=InboundReceipt)
async def inbound_accountability(request: Request) -> InboundReceipt | Response:
    """问责 result, recorded on the clue and the unit."""

    def act(ctx: Ctx, body: AccountabilityIn, receipt: str) -> InboundReceipt:
        record = inbound.do_record_accountability(ctx, body)
        return InboundReceipt(
            receipt_id=receipt, clue_id=record.clue_id, accountability_id=record.id
        )

    return await _signed(request, InboundKind.ACCOUNTABILITY, AccountabilityIn, act)


class MalformedJSON(DomainError):
    status_code = 400
    code = "malformed_json"


async def _signed(
    request: Request,
    kind: InboundKind,
    model: type[M],
    act: Callable[[Ctx, M, str], InboundReceipt],
) -> InboundReceipt | Response:
    """Size, signature, parse; then spend, record and act in one transaction."""
    rt = runtime(request)
    try:
        raw = await wire.read_body(request, rt.settings.inbound_max_bytes)
    except (wire.BodyTooLarge, wire.BadLength) as exc:
        return wire.too_large(exc)
    max_skew = rt.settings.supervision_max_skew_seconds
    wire_now = _WIRE_CLOCK.now()
    verified = wire.verify_request(
        request, raw, keyring(rt.settings), now=wire_now, max_skew=max_skew
    )
    body = _parse(model, raw)

    def spend(ctx: Ctx) -> None:
        inbound.spend_signature(ctx, verified, wire_now=wire_now, max_skew=max_skew)

    def work() -> InboundReceipt:
        try:
            with rt.unit_of_work(inbound.PLATFORM) as ctx:
                spend(ctx)
                return _act(ctx, kind, verified, raw, body, act)
        except wire.SignatureReplayed:
            raise
        except DomainError:  # a definite refusal spends the signature too (wire's doc)
            with suppress(wire.SignatureReplayed), rt.unit_of_work(inbound.PLATFORM) as ctx:
                spend(ctx)  # (a concurrent twin may have spent it first)
            raise

    return await run_in_threadpool(work)


def _act(
    ctx: Ctx,
    kind: InboundKind,
    verified: Verified,
    raw: bytes,
    body: M,
    act: Callable[[Ctx, M, str], InboundReceipt],
) -> InboundReceipt:
    row = inbound.accept_request(
        ctx,
        key=verified.key,
        kind=kind,
        body_sha256=body_digest(raw),
        wire_timestamp=verified.timestamp,
    )
    result = act(ctx, body, inbound.receipt_id(row))
    row.result = result.model_dump(mode="json")
    return result


def _parse(model: type[M], raw: bytes) -> M:
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            raise MalformedJSON("请求体不是合法的 JSON") from None
        problems: list[dict[str, Any]] = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
            for e in errors
        ]
        raise InvalidInput("请求内容无效（字段错误）", fields=problems) from None
