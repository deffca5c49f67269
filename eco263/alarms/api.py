"""Alarm routes: the feed, acknowledgement, limits, and the sealed evidence pack."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from eco263.alarms import actions, service
from eco263.alarms.enums import LimitBasis
from eco263.evidence.store import BlobStore
from eco263.web.deps import user_ctx
from eco263.web.inputs import FiniteFloat, Id, Line

router = APIRouter(tags=["alarms 报警"])


class AlarmOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    point_id: int
    pollutant: str
    rule: str
    category: str
    start: datetime
    end: datetime
    detected_at: datetime
    score: float
    evidence: dict[str, Any]
    state: str
    problem_id: int | None


class LimitIn(BaseModel):
    pollutant: Line = Field(min_length=2, max_length=16)
    limit: FiniteFloat
    unit: Line = Field(max_length=16)
    standard: Line = Field(max_length=64)
    basis: LimitBasis = LimitBasis.BOTH


class TransferOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    alarm_id: int
    problem_id: int | None
    pack_sha256: str
    pack_size: int
    created_at: datetime


@router.get("/alarms", response_model=list[AlarmOut])
def alarms(request: Request) -> list[AlarmOut]:
    """Newest alarms on the points the caller may see."""
    with user_ctx(request) as ctx:
        return [AlarmOut.model_validate(a) for a in service.list_alarms(ctx.session, ctx.actor)]


@router.post("/alarms/{alarm_id}/acknowledge", response_model=AlarmOut)
def acknowledge(request: Request, alarm_id: Id) -> AlarmOut:
    with user_ctx(request) as ctx:
        return AlarmOut.model_validate(actions.do_acknowledge_alarm(ctx, alarm_id))


@router.put("/monitoring/points/{point_id}/limits", status_code=204)
def set_limit(request: Request, point_id: Id, body: LimitIn) -> None:
    with user_ctx(request) as ctx:
        actions.do_set_limit(ctx, point_id, **body.model_dump())


@router.get("/alarms/{alarm_id}/transfer", response_model=TransferOut)
def transfer(request: Request, alarm_id: Id) -> TransferOut:
    """The police transfer (行刑衔接) of a tampering alarm, with its pack's SHA-256.

    Confidential: the 263 offices and the 纪委监委 in scope only; anyone else, the enterprise
    concerned first, gets the 404 of an alarm without a transfer."""
    with user_ctx(request) as ctx:
        return TransferOut.model_validate(service.get_transfer(ctx.session, ctx.actor, alarm_id))


@router.get("/alarms/{alarm_id}/evidence-pack")
def evidence_pack(request: Request, alarm_id: Id) -> Response:
    """The sealed zip; its SHA-256 matches the one recorded in the audit chain (confidential,
    as the transfer)."""
    with user_ctx(request) as ctx:
        row = service.get_transfer(ctx.session, ctx.actor, alarm_id, "证据包")
        data = BlobStore(ctx.settings.attachments_path).get(row.pack_sha256)
    return Response(
        content=data,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="evidence-{alarm_id}.zip"',
            "X-Eco263-SHA256": row.pack_sha256,
        },
    )
