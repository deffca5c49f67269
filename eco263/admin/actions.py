"""系统管理 writes that need more than one package: a unit is deactivated only without open
work (its open assignments on the ledger, its active accounts)."""

from __future__ import annotations

from sqlalchemy import func, select

from eco263.auth.models import User
from eco263.context import Ctx
from eco263.problems import service as problems
from eco263.registry import actions as registry_actions
from eco263.registry.models import Organization


def blockers(ctx: Ctx, org_id: int) -> list[str]:
    """What still binds the unit, in Chinese (empty: it may be deactivated)."""
    found = []
    open_work = problems.open_assignments_of_unit(ctx.session, org_id)
    if open_work:
        found.append(f"未办结的交办事项 {open_work} 项")
    accounts = ctx.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.organization_id == org_id, User.active.is_(True))
    )
    if accounts:
        found.append(f"在用账号 {accounts} 个（请先停用）")
    return found


def do_deactivate_organization(ctx: Ctx, org_id: int) -> Organization:
    """停用单位 (市263办), refused while it has open work or active accounts."""
    registry_actions.check_may_manage_units(ctx)
    return registry_actions.do_deactivate_organization(ctx, org_id, blockers(ctx, org_id))
