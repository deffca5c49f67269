"""Monitoring routes: points (登记/查询), readings, dead letters."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Request

from eco263.errors import InvalidInput
from eco263.monitoring import actions, service
from eco263.monitoring.schemas import (
    DeadLetterOut,
    LatestOut,
    PointCreate,
    PointOut,
    PointUpdate,
    ReadingOut,
)
from eco263.web.deps import user_ctx
from eco263.web.inputs import Id

router = APIRouter(tags=["monitoring 在线监测"])

CN_CHOICES = ("2011", "2051", "2061", "2031")


@router.get("/monitoring/points", response_model=list[PointOut])
def points(request: Request) -> list[PointOut]:
    with user_ctx(request) as ctx:
        return [PointOut.model_validate(p) for p in service.list_points(ctx.session, ctx.actor)]


@router.post("/monitoring/points", response_model=PointOut, status_code=201)
def register_point(request: Request, body: PointCreate) -> PointOut:
    with user_ctx(request) as ctx:
        return PointOut.model_validate(actions.do_register_point(ctx, **body.model_dump()))


@router.patch("/monitoring/points/{point_id}", response_model=PointOut)
def update_point(request: Request, point_id: Id, body: PointUpdate) -> PointOut:
    """Change a point's password, CRC mode, always-ack or active (gateways know at once)."""
    with user_ctx(request) as ctx:
        point = actions.do_update_point(ctx, point_id, **body.model_dump(exclude_none=True))
        return PointOut.model_validate(point)


@router.get("/monitoring/points/{point_id}/latest", response_model=LatestOut)
def latest(request: Request, point_id: Id, cn: str = "2051") -> LatestOut:
    """The newest record of a point (minute data by default) with every pollutant's values."""
    _check_cn(cn)
    with user_ctx(request) as ctx:
        point = service.get_point(ctx.session, ctx.actor, point_id)
        at, rows = service.latest_readings(ctx.session, point.id, cn)
        return LatestOut(
            point=PointOut.model_validate(point),
            cn=cn,
            data_time=at,
            readings=[ReadingOut.model_validate(r) for r in rows],
        )


@router.get("/monitoring/points/{point_id}/readings", response_model=list[ReadingOut])
def readings(
    request: Request,
    point_id: Id,
    start: datetime,
    end: datetime,
    cn: str = "2051",
    pollutant: str | None = Query(default=None, max_length=16),
) -> list[ReadingOut]:
    """Values of one point in [start, end) (at most 31 days), optionally one pollutant."""
    _check_cn(cn)
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("start/end 需带时区，例如 2018-04-20T00:00+08:00")
    if not start < end or (end - start).days > 31:
        raise InvalidInput("时间范围应为 31 天以内且 start < end")
    with user_ctx(request) as ctx:
        point = service.get_point(ctx.session, ctx.actor, point_id)
        rows = service.readings_between(ctx.session, point.id, cn, start, end)
        return [ReadingOut.model_validate(r) for r in rows if pollutant in (None, r.pollutant)]


@router.get("/monitoring/dead-letters", response_model=list[DeadLetterOut])
def dead_letters(
    request: Request, limit: int = Query(default=100, ge=1, le=1000)
) -> list[DeadLetterOut]:
    """Rejected packets with the reason: 263 offices only (they carry other units' bytes),
    scoped like points — a district office sees its points' MNs, an unknown MN is the city
    office's alone."""
    with user_ctx(request) as ctx:
        letters = service.recent_dead_letters(ctx.session, ctx.actor, limit)
        return [DeadLetterOut.model_validate(d) for d in letters]


def _check_cn(cn: str) -> None:
    if cn not in CN_CHOICES:
        raise InvalidInput(f"cn 应为 {'/'.join(CN_CHOICES)} 之一", field="cn")
