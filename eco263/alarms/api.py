"""Alarm routes: the feed, acknowledgement, limits, and the sealed evidence pack (the transfer
to the police is eco263.transfers' own)."""

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


@router.get("/alarms/{alarm_id}/evidence-pack")
def evidence_pack(request: Request, alarm_id: Id) -> Response:
    """The sealed zip; its SHA-256 matches the one recorded in the audit chain (confidential,
    as the transfer)."""
    with user_ctx(request) as ctx:
        row = service.get_pack(ctx.session, ctx.actor, alarm_id)
        digest = row.pack_sha256 or ""
        data = BlobStore(ctx.settings.attachments_path).get(digest)
    return Response(
        content=data,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="evidence-{alarm_id}.zip"',
            "X-Eco263-SHA256": digest,
        },
    )
