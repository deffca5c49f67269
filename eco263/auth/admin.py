"""系统管理 of accounts: create, deactivate, re-enable, reset a password, change one's own.

Every write checks who may manage whom (:mod:`eco263.auth.rules`): an account the actor may not
manage reads as missing (404), like a row of another district.  A reset or a new account made
by an administrator must change the password at the next login; a deactivated account's
tokens are deleted at once (and a token of an inactive account is refused anyway:
:func:`eco263.auth.service.actor_for_token`).  Passwords are hashed with argon2id and never
enter the audit chain.
"""

from __future__ import annotations

import re

from sqlalchemy import delete, select

from eco263.actor import ROLE_LABELS, Role
from eco263.auth import rules
from eco263.auth.actions import do_create_user
from eco263.auth.enums import AuditAction
from eco263.auth.models import ApiToken, User
from eco263.auth.passwords import hash_password, verify_password
from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden, InvalidInput, NotFound
from eco263.registry import service as registry

_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{2,63}")


def do_add_user(
    ctx: Ctx,
    *,
    username: str,
    password: str,
    display_name: str,
    role: str,
    division_code: str,
    organization_id: int | None = None,
    enterprise_id: int | None = None,
) -> User:
    """创建用户: the new account must change its password at the first login."""
    if not rules.may_administer(ctx.actor):
        raise Forbidden("只有263办可以管理用户")
    try:
        parsed = Role(role)
    except ValueError:
        allowed = "、".join(
            f"{ROLE_LABELS[r]}（{r.value}）" for r in rules.grantable_roles(ctx.actor)
        )
        raise InvalidInput(f"未知角色 {role}（可选：{allowed}）", field="role") from None
    if parsed not in rules.grantable_roles(ctx.actor):
        raise Forbidden("区县263办只能创建本辖区的责任部门或区县263办用户")
    username = username.strip()
    if not _USERNAME.fullmatch(username):
        raise InvalidInput(
            "用户名应为 3–64 位英文字母、数字或 _ . -，以字母或数字开头", field="username"
        )
    if not display_name.strip():
        raise InvalidInput("请填写姓名", field="display_name")
    registry.get_division(ctx.session, division_code)
    registry.require_in_jurisdiction(ctx.session, ctx.actor, division_code)
    if organization_id is not None:
        org = registry.organization_in_scope(ctx.session, ctx.actor, organization_id)
        if org.division_code != division_code:
            raise InvalidInput(
                f"所属单位 {org.name} 在区划 {org.division_code}，与用户区划不一致",
                field="organization_id",
            )
    if enterprise_id is not None:
        enterprise = registry.enterprise_in_scope(ctx.session, ctx.actor, enterprise_id)
        if enterprise.division_code != division_code:
            raise InvalidInput("企业所在区划与用户区划不一致", field="enterprise_id")
    problem = rules.password_problem(password)
    if problem is not None:
        raise InvalidInput(problem, field="password")
    return do_create_user(
        ctx.session,
        ctx.actor,
        username=username,
        password=password,
        display_name=display_name.strip(),
        role=parsed.value,
        division_code=division_code,
        organization_id=organization_id,
        enterprise_id=enterprise_id,
        now=ctx.now,
        must_change_password=True,
    )


def managed_user(ctx: Ctx, user_id: int) -> User:
    """An account the actor may manage; any other reads as missing (no probing)."""
    if not rules.may_administer(ctx.actor):
        raise Forbidden("只有263办可以管理用户")
    user = ctx.session.get(User, user_id)
    if user is None or not rules.may_manage(ctx.actor, Role(user.role), user.division_code):
        raise NotFound("用户")
    return user


def do_disable_user(ctx: Ctx, user_id: int) -> User:
    """停用用户: it can no longer log in, and its open sessions and tokens end now."""
    user = managed_user(ctx, user_id)
    if user.id == ctx.actor.user_id:
        raise Forbidden("不能停用自己的账号")
    if not user.active:
        raise Conflict(f"用户 {user.username} 已停用")
    user.active = False
    ctx.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    ctx.audit(
        AuditAction.USER_DISABLE,
        "user",
        user.id,
        {"username": user.username, "active": True},
        {"active": False},
    )
    return user


def do_enable_user(ctx: Ctx, user_id: int) -> User:
    """启用用户 again (a deactivated account only)."""
    user = managed_user(ctx, user_id)
    if user.active:
        raise Conflict(f"用户 {user.username} 未停用")
    user.active = True
    ctx.audit(
        AuditAction.USER_ENABLE,
        "user",
        user.id,
        {"username": user.username, "active": False},
        {"active": True},
    )
    return user


def do_reset_password(ctx: Ctx, user_id: int, new_password: str) -> User:
    """重置密码: a temporary password the user must change at the next login; the account's
    open sessions and tokens end now."""
    user = managed_user(ctx, user_id)
    if user.id == ctx.actor.user_id:
        raise Forbidden("不能重置自己的密码，请在“修改密码”页面修改")
    problem = rules.password_problem(new_password)
    if problem is not None:
        raise InvalidInput(problem, field="password")
    user.password_hash = hash_password(new_password)
    user.must_change_password = True
    ctx.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    ctx.audit(
        AuditAction.USER_RESET_PASSWORD,
        "user",
        user.id,
        {"username": user.username},
        {"must_change_password": True},
    )
    return user


def do_change_password(ctx: Ctx, current: str, new: str, confirm: str) -> User:
    """修改本人密码, with the current one; ends a forced change."""
    user = ctx.session.get(User, ctx.actor.user_id) if ctx.actor.user_id else None
    if user is None or not user.active:
        raise NotFound("用户")
    if not verify_password(user.password_hash, current):
        raise InvalidInput("当前密码不正确", field="current_password")
    if new != confirm:
        raise InvalidInput("两次输入的新密码不一致", field="confirm_password")
    problem = rules.password_problem(new)
    if problem is not None:
        raise InvalidInput(problem, field="new_password")
    if verify_password(user.password_hash, new):
        raise InvalidInput("新密码不能与当前密码相同", field="new_password")
    forced = user.must_change_password
    user.password_hash = hash_password(new)
    user.must_change_password = False
    ctx.audit(
        AuditAction.USER_CHANGE_PASSWORD,
        "user",
        user.id,
        {"must_change_password": forced},
        {"must_change_password": False},
    )
    return user


def list_users(ctx: Ctx) -> list[User]:
    """The accounts the actor may manage, by id."""
    if not rules.may_administer(ctx.actor):
        raise Forbidden("只有263办可以管理用户")
    users = ctx.session.scalars(select(User).order_by(User.id))
    return [u for u in users if rules.may_manage(ctx.actor, Role(u.role), u.division_code)]
