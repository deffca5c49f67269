"""Monitoring writes: registering a data logger's point (MN + password)."""

from __future__ import annotations

from sqlalchemy import select

from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden, InvalidInput
from eco263.monitoring.models import MonitoringPoint
from eco263.registry import service as registry

MEDIA = ("water", "gas")
CRC_MODES = ("hj212", "accept_modbus_swapped", "accept_modbus_plain", "accept_modbus")


def do_register_point(
    ctx: Ctx,
    *,
    mn: str,
    password: str,
    name: str,
    medium: str,
    division_code: str,
    enterprise_id: int | None = None,
    crc_mode: str = "hj212",
    always_ack: bool = False,
) -> MonitoringPoint:
    """登记监测点位: the gateway accepts packets only from registered MN with this password."""
    if not ctx.actor.is_office:
        raise Forbidden("只有263办可以登记监测点位")
    mn = mn.strip()
    if not (7 <= len(mn) <= 32) or not mn.isprintable() or ";" in mn:
        raise InvalidInput("MN 应为 7–32 位可打印字符", field="mn")
    if medium not in MEDIA:
        raise InvalidInput(f"介质应为 {MEDIA} 之一", field="medium")
    if crc_mode not in CRC_MODES:
        raise InvalidInput(f"CRC 模式应为 {CRC_MODES} 之一", field="crc_mode")
    registry.get_division(ctx.session, division_code)
    registry.require_in_jurisdiction(ctx.session, ctx.actor, division_code)
    if enterprise_id is not None:
        registry.enterprise_in_scope(ctx.session, ctx.actor, enterprise_id)
    if ctx.session.scalar(select(MonitoringPoint.id).where(MonitoringPoint.mn == mn)):
        raise Conflict(f"MN {mn} 已登记", field="mn")
    point = MonitoringPoint(
        mn=mn,
        password=password,
        name=name,
        medium=medium,
        enterprise_id=enterprise_id,
        division_code=division_code,
        crc_mode=crc_mode,
        always_ack=always_ack,
        active=True,
        created_at=ctx.now,
    )
    ctx.session.add(point)
    ctx.session.flush()
    ctx.audit(
        "point.register",
        "monitoring_point",
        point.id,
        None,
        {"mn": mn, "name": name, "medium": medium, "enterprise_id": enterprise_id},
    )
    return point
