"""Transfer routes (行刑衔接) under /api/v1/transfers: the list a user may read, one transfer
with its deadline, the sealed pack, and each step as a POST.  Never the enterprise's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict

from eco263.context import Ctx
from eco263.errors import NotFound
from eco263.evidence.store import BlobStore
from eco263.transfers import actions, service
from eco263.transfers.models import Transfer
from eco263.transfers.schemas import (
    DecisionIn,
    HandOverIn,
    NoteIn,
    OutcomeIn,
    PoliceDecisionIn,
    ProposalIn,
    ReceiveIn,
)
from eco263.web.deps import user_ctx
from eco263.web.inputs import Id

router = APIRouter(tags=["transfers 行刑衔接"])


class TransferOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    source: str
    state: str
    alarm_id: int | None
    problem_id: int | None
    case_id: int | None
    division_code: str
    agency_org_id: int
    police_org_id: int | None
    procuratorate_org_id: int | None
    summary: str
    pack_sha256: str | None
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    handed_over_at: datetime | None
    received_at: datetime | None
    police_decided_at: datetime | None
    police_reason: str | None
    outcome: list[dict[str, Any]] | None
    due_at: datetime | None
    due_rule: str | None
    due_reason: str | None


def _out(t: Transfer) -> TransferOut:
    return TransferOut.model_validate(t)


@router.get("/transfers", response_model=list[TransferOut])
def transfers(request: Request, state: str | None = None, alarm_id: Id | None = None) -> Any:
    with user_ctx(request) as ctx:
        rows = service.list_transfers(ctx.session, ctx.actor, state=state)
        return [_out(t) for t in rows if alarm_id is None or t.alarm_id == alarm_id]


@router.get("/transfers/{transfer_id}", response_model=TransferOut)
def transfer(request: Request, transfer_id: Id) -> Any:
    with user_ctx(request) as ctx:
        return _out(service.get_transfer(ctx.session, ctx.actor, transfer_id))


@router.get("/transfers/{transfer_id}/evidence-pack")
def evidence_pack(request: Request, transfer_id: Id) -> Response:
    """The sealed zip of the alarm the transfer came from (SHA-256 as in the audit chain)."""
    with user_ctx(request) as ctx:
        t = service.get_transfer(ctx.session, ctx.actor, transfer_id)
        if t.pack_sha256 is None:
            raise NotFound("证据包")
        data = BlobStore(ctx.settings.attachments_path).get(t.pack_sha256)
    return Response(
        content=data,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="transfer-{transfer_id}.zip"',
            "X-Eco263-SHA256": t.pack_sha256,
        },
    )


@router.post("/transfers", response_model=TransferOut, status_code=201)
def propose(request: Request, body: ProposalIn) -> Any:
    with user_ctx(request) as ctx:
        return _out(actions.do_propose(ctx, body))


def _step(request: Request, fn: Callable[[Ctx], Transfer]) -> TransferOut:
    with user_ctx(request) as ctx:
        return _out(fn(ctx))


@router.post("/transfers/{transfer_id}/decision", response_model=TransferOut)
def decide(request: Request, transfer_id: Id, body: DecisionIn) -> Any:
    return _step(request, lambda ctx: actions.do_decide(ctx, transfer_id, body))


@router.post("/transfers/{transfer_id}/handover", response_model=TransferOut)
def hand_over(request: Request, transfer_id: Id, body: HandOverIn) -> Any:
    return _step(request, lambda ctx: actions.do_hand_over(ctx, transfer_id, body))


@router.post("/transfers/{transfer_id}/receipt", response_model=TransferOut)
def receive(request: Request, transfer_id: Id, body: ReceiveIn) -> Any:
    return _step(request, lambda ctx: actions.do_receive(ctx, transfer_id, body))


@router.post("/transfers/{transfer_id}/material-request", response_model=TransferOut)
def request_material(request: Request, transfer_id: Id, body: NoteIn) -> Any:
    return _step(request, lambda ctx: actions.do_request_material(ctx, transfer_id, body))


@router.post("/transfers/{transfer_id}/material", response_model=TransferOut)
def supply_material(request: Request, transfer_id: Id, body: NoteIn) -> Any:
    return _step(request, lambda ctx: actions.do_supply_material(ctx, transfer_id, body))


@router.post("/transfers/{transfer_id}/filing-decision", response_model=TransferOut)
def police_decide(request: Request, transfer_id: Id, body: PoliceDecisionIn) -> Any:
    return _step(request, lambda ctx: actions.do_police_decide(ctx, transfer_id, body))


@router.post("/transfers/{transfer_id}/review-request", response_model=TransferOut)
def request_review(request: Request, transfer_id: Id, body: NoteIn) -> Any:
    return _step(request, lambda ctx: actions.do_request_review(ctx, transfer_id, body))


@router.post("/transfers/{transfer_id}/review-answer", response_model=TransferOut)
def answer_review(request: Request, transfer_id: Id, body: PoliceDecisionIn) -> Any:
    return _step(request, lambda ctx: actions.do_answer_review(ctx, transfer_id, body))


@router.post("/transfers/{transfer_id}/outcome", response_model=TransferOut)
def record_outcome(request: Request, transfer_id: Id, body: OutcomeIn) -> Any:
    return _step(request, lambda ctx: actions.do_record_outcome(ctx, transfer_id, body))
