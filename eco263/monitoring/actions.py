"""Monitoring writes: registering a data logger's point (MN + password) and changing it.

Both announce the point's MN on PostgreSQL (``NOTIFY eco263_points``, sent by the database only
when the transaction commits), so every running gateway forgets what it cached about the point
at once; gateways also read a point through to the database whenever their cache would refuse
a packet (see ``eco263/gateway/points.py``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden, InvalidInput
from eco263.monitoring import service
from eco263.monitoring.enums import AuditAction
from eco263.monitoring.models import MonitoringPoint
from eco263.registry import service as registry

MEDIA = ("water", "gas")
CRC_MODES = ("hj212", "accept_modbus_swapped", "accept_modbus_plain", "accept_modbus")
_PASSWORD_FORBIDDEN = frozenset(";,=&")


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
    _check_device_options(password, crc_mode)
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
        AuditAction.POINT_REGISTER,
        "monitoring_point",
        point.id,
        None,
        {"mn": mn, "name": name, "medium": medium, "enterprise_id": enterprise_id},
    )
    _announce(ctx, mn)
    return point


def do_update_point(
    ctx: Ctx,
    point_id: int,
    *,
    password: str | None = None,
    crc_mode: str | None = None,
    always_ack: bool | None = None,
    active: bool | None = None,
) -> MonitoringPoint:
    """修改监测点位: a logger's password, CRC mode, always-ack, or whether it may send at all.

    Only a 263 office, only a point of its jurisdiction (another's is NotFound). Arguments left
    None are unchanged; nothing changed writes nothing. The audit event names the changed
    fields with their values, except the password, recorded only as changed.
    """
    if not ctx.actor.is_office:
        raise Forbidden("只有263办可以修改监测点位")
    point = service.get_point(ctx.session, ctx.actor, point_id)
    _check_device_options(point.password if password is None else password, crc_mode)
    wanted: dict[str, Any] = {"password": password, "crc_mode": crc_mode}
    wanted |= {"always_ack": always_ack, "active": active}
    changed = {k: v for k, v in wanted.items() if v is not None and getattr(point, k) != v}
    if not changed:
        return point
    before = {k: getattr(point, k) for k in changed if k != "password"}
    for key, value in changed.items():
        setattr(point, key, value)
    after = {k: ("已修改" if k == "password" else v) for k, v in changed.items()}
    ctx.session.flush()
    ctx.audit(AuditAction.POINT_UPDATE, "monitoring_point", point.id, before, after)
    _announce(ctx, point.mn)
    return point


def _check_device_options(password: str, crc_mode: str | None) -> None:
    if not (1 <= len(password) <= 32) or not password.isprintable():
        raise InvalidInput("访问密码应为 1–32 位可打印字符", field="password")
    if not _PASSWORD_FORBIDDEN.isdisjoint(password):
        raise InvalidInput("访问密码不能含有 ; , = &（HJ 212 报文的分隔符）", field="password")
    if crc_mode is not None and crc_mode not in CRC_MODES:
        raise InvalidInput(f"CRC 模式应为 {CRC_MODES} 之一", field="crc_mode")


def _announce(ctx: Ctx, mn: str) -> None:
    """Tell running gateways (PostgreSQL NOTIFY, delivered on commit; nothing on SQLite)."""
    if ctx.session.get_bind().dialect.name == "postgresql":
        ctx.session.execute(select(func.pg_notify(service.POINT_CHANGES, mn)))
