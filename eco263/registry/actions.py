"""Registry writes: enterprises (validated 统一社会信用代码) and organizations."""

from __future__ import annotations

from sqlalchemy import select

from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden, InvalidInput
from eco263.registry import service
from eco263.registry.enums import AuditAction
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
