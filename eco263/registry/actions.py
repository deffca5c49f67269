"""Registry writes: enterprises (validated 统一社会信用代码) and organizations."""

from __future__ import annotations

from sqlalchemy import select

from eco263.actor import Role
from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden, InvalidInput
from eco263.registry import service
from eco263.registry.enums import AuditAction, OrgKind
from eco263.registry.models import Enterprise, Organization
from eco263.registry.uscc import UsccError, validate_uscc


def do_create_enterprise(
    ctx: Ctx,
    *,
    uscc: str,
    name: str,
    division_code: str,
    address: str | None = None,
    industry: str | None = None,
) -> Enterprise:
    """Register a polluting unit; a wrong check character is refused naming the expected one."""
    if not ctx.actor.is_office:
        raise Forbidden("只有263办可以登记企业")
    try:
        code = validate_uscc(uscc)
    except UsccError as exc:
        raise InvalidInput(str(exc), field="uscc") from exc
    service.get_division(ctx.session, division_code)
    service.require_in_jurisdiction(ctx.session, ctx.actor, division_code)
    if ctx.session.scalar(select(Enterprise.id).where(Enterprise.uscc == code)) is not None:
        raise Conflict(f"统一社会信用代码 {code} 已登记", field="uscc")
    enterprise = Enterprise(
        uscc=code,
        name=name.strip(),
        division_code=division_code,
        address=address,
        industry=industry,
        created_at=ctx.now,
    )
    ctx.session.add(enterprise)
    ctx.session.flush()
    ctx.audit(
        AuditAction.ENTERPRISE_CREATE,
        "enterprise",
        enterprise.id,
        None,
        {"uscc": code, "name": enterprise.name, "division_code": division_code},
    )
    return enterprise


def do_create_organization(
    ctx: Ctx, *, name: str, kind: str, division_code: str, leader_name: str | None = None
) -> Organization:
    if not ctx.actor.is_office:
        raise Forbidden("只有263办可以登记单位")
    name = name.strip()
    if not name:
        raise InvalidInput("请填写单位名称", field="name")
    if kind not in set(OrgKind):
        raise InvalidInput(f"未知单位类型 {kind}", field="kind")
    service.get_division(ctx.session, division_code)
    service.require_in_jurisdiction(ctx.session, ctx.actor, division_code)
    if ctx.session.scalar(select(Organization.id).where(Organization.name == name)) is not None:
        raise Conflict(f"单位 {name} 已存在", field="name")
    org = Organization(name=name, kind=kind, division_code=division_code, leader_name=leader_name)
    ctx.session.add(org)
    ctx.session.flush()
    ctx.audit(
        AuditAction.ORGANIZATION_CREATE, "organization", org.id, None, {"name": name, "kind": kind}
    )
    return org


def check_may_manage_units(ctx: Ctx) -> None:
    """Units are managed by the 市263办 (and the command line) only."""
    if not (ctx.actor.is_system or ctx.actor.role == Role.CITY_OFFICE):
        raise Forbidden("只有市263办可以管理单位")


def _city_unit(ctx: Ctx, org_id: int) -> Organization:
    check_may_manage_units(ctx)
    return service.get_organization(ctx.session, org_id)


def do_rename_organization(ctx: Ctx, org_id: int, name: str) -> Organization:
    """单位更名 (市263办): the history keeps the unit (by id) and the old name on the record."""
    org = _city_unit(ctx, org_id)
    name = name.strip()
    if not name:
        raise InvalidInput("请填写单位名称", field="name")
    if name == org.name:
        return org
    if ctx.session.scalar(select(Organization.id).where(Organization.name == name)) is not None:
        raise Conflict(f"单位 {name} 已存在", field="name")
    before = {"name": org.name}
    org.name = name
    ctx.audit(AuditAction.ORGANIZATION_RENAME, "organization", org.id, before, {"name": name})
    return org


def do_set_leader(ctx: Ctx, org_id: int, leader_name: str | None) -> Organization:
    """设置单位负责人 (市263办): the name the 黄牌 goes to; empty clears it."""
    org = _city_unit(ctx, org_id)
    leader = (leader_name or "").strip() or None
    if leader == org.leader_name:
        return org
    before = {"leader_name": org.leader_name}
    org.leader_name = leader
    ctx.audit(
        AuditAction.ORGANIZATION_LEADER, "organization", org.id, before, {"leader_name": leader}
    )
    return org


def do_deactivate_organization(ctx: Ctx, org_id: int, blockers: list[str]) -> Organization:
    """停用单位 (市263办): it takes no new work and leaves the choice lists; its history stays.

    The registry cannot see the ledger: the caller names what still binds the unit
    (``blockers``: open assignments, active accounts …) and a non-empty list refuses.
    """
    org = _city_unit(ctx, org_id)
    if not org.active:
        raise Conflict(f"单位 {org.name} 已停用")
    if blockers:
        raise Conflict(f"单位 {org.name} 尚有未办结工作，不能停用：" + "；".join(blockers))
    org.active = False
    ctx.audit(
        AuditAction.ORGANIZATION_DEACTIVATE,
        "organization",
        org.id,
        {"name": org.name, "active": True},
        {"active": False},
    )
    return org
