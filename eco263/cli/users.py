"""``eco263 users [list|add|disable|enable|reset-password]``: accounts from the command line.

The command line acts as the system (an operator of the server: it can create the first city
office account) unless ``--as USER`` names an account, whose limits then apply exactly as on
the pages (a district office within its district, nobody on their own account).  Every change
is the same audited action as on the 系统管理 page.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from eco263.actor import ROLE_LABELS, SYSTEM, Actor, Role
from eco263.auth import admin
from eco263.auth.models import User
from eco263.auth.service import actor_for_username
from eco263.config import get_settings
from eco263.context import Ctx
from eco263.errors import DomainError
from eco263.registry.models import Enterprise, Organization
from eco263.runtime import Runtime
from eco263.seed import DEMO_PASSWORD
from eco263.wiring import build_runtime

users_app = typer.Typer(help="用户：列出、创建、停用、启用、重置密码")
console = Console()
err = Console(stderr=True)

#: Who the command line is in the audit chain when no ``--as`` is given.
COMMAND_LINE = replace(SYSTEM, name="命令行（系统管理员）")

AsOpt = Annotated[
    str | None,
    typer.Option("--as", help="以该用户身份操作（其权限限制同页面）；缺省为命令行系统管理员"),
]
PasswordOpt = Annotated[
    str | None,
    typer.Option("--password", help="密码（至少 8 位）；缺省自动生成临时密码并显示一次"),
]


def _runtime() -> Runtime:
    return build_runtime(get_settings())


def _actor(rt: Runtime, as_user: str | None) -> Actor:
    if as_user is None:
        return COMMAND_LINE
    with rt.sessions() as session:
        return actor_for_username(session, as_user)


def _user_id(ctx: Ctx, username: str) -> int:
    found = ctx.session.scalar(select(User.id).where(User.username == username))
    if found is None:
        raise DomainError(f"没有用户 {username}")
    return int(found)


def _fail(exc: DomainError) -> typer.Exit:
    err.print(f"[red]{exc.message}[/red]", soft_wrap=True)
    return typer.Exit(1)


@users_app.callback(invoke_without_command=True)
def users(context: typer.Context) -> None:
    """列出用户（演示口令见 README）。"""
    if context.invoked_subcommand is None:
        list_users()


@users_app.command("list")
def list_users() -> None:
    """列出用户：用户名、姓名、角色、区划、状态。"""
    rt = _runtime()
    table = Table("用户名", "姓名", "角色", "区划", "状态")
    try:
        with rt.sessions() as session:
            for u in session.scalars(select(User).order_by(User.id)):
                role = ROLE_LABELS.get(Role(u.role), u.role)
                state = "在用" if u.active else "已停用"
                if u.active and u.must_change_password:
                    state += "（待修改密码）"
                table.add_row(u.username, u.display_name, role, u.division_code, state)
    finally:
        rt.engine.dispose()
    console.print(table)
    console.print(f"演示口令：{DEMO_PASSWORD}")


@users_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="用户名（字母、数字、_ . -）")],
    name: Annotated[str, typer.Option("--name", help="姓名")],
    role: Annotated[str, typer.Option("--role", help="角色：" + "、".join(r.value for r in Role))],
    division: Annotated[str, typer.Option("--division", help="行政区划代码，如 320583")],
    org: Annotated[str | None, typer.Option("--org", help="所属单位名称")] = None,
    enterprise: Annotated[
        str | None, typer.Option("--enterprise", help="企业统一社会信用代码（企业用户）")
    ] = None,
    password: PasswordOpt = None,
    as_user: AsOpt = None,
) -> None:
    """创建用户；首次登录须修改密码。"""
    rt = _runtime()
    chosen = password or secrets.token_urlsafe(9)
    try:
        with rt.unit_of_work(_actor(rt, as_user)) as ctx:
            org_id = enterprise_id = None
            if org:
                org_id = ctx.session.scalar(select(Organization.id).where(Organization.name == org))
                if org_id is None:
                    raise DomainError(f"没有单位 {org}")
            if enterprise:
                enterprise_id = ctx.session.scalar(
                    select(Enterprise.id).where(Enterprise.uscc == enterprise.upper())
                )
                if enterprise_id is None:
                    raise DomainError(f"没有统一社会信用代码为 {enterprise} 的企业")
            user = admin.do_add_user(
                ctx,
                username=username,
                password=chosen,
                display_name=name,
                role=role,
                division_code=division,
                organization_id=org_id,
                enterprise_id=enterprise_id,
            )
            created = user.username
    except DomainError as exc:
        raise _fail(exc) from None
    finally:
        rt.engine.dispose()
    console.print(f"已创建用户 {created}（首次登录须修改密码）")
    if password is None:
        console.print(f"临时密码：{chosen}")


@users_app.command("disable")
def disable(username: Annotated[str, typer.Argument(help="用户名")], as_user: AsOpt = None) -> None:
    """停用用户：不能再登录，已登录的会话立即失效。"""
    rt = _runtime()
    try:
        with rt.unit_of_work(_actor(rt, as_user)) as ctx:
            admin.do_disable_user(ctx, _user_id(ctx, username))
    except DomainError as exc:
        raise _fail(exc) from None
    finally:
        rt.engine.dispose()
    console.print(f"已停用用户 {username}")


@users_app.command("enable")
def enable(username: Annotated[str, typer.Argument(help="用户名")], as_user: AsOpt = None) -> None:
    """重新启用已停用的用户。"""
    rt = _runtime()
    try:
        with rt.unit_of_work(_actor(rt, as_user)) as ctx:
            admin.do_enable_user(ctx, _user_id(ctx, username))
    except DomainError as exc:
        raise _fail(exc) from None
    finally:
        rt.engine.dispose()
    console.print(f"已启用用户 {username}")


@users_app.command("reset-password")
def reset_password(
    username: Annotated[str, typer.Argument(help="用户名")],
    password: PasswordOpt = None,
    as_user: AsOpt = None,
) -> None:
    """重置密码：用户下次登录须修改密码；已登录的会话立即失效。"""
    rt = _runtime()
    chosen = password or secrets.token_urlsafe(9)
    try:
        with rt.unit_of_work(_actor(rt, as_user)) as ctx:
            admin.do_reset_password(ctx, _user_id(ctx, username), chosen)
    except DomainError as exc:
        raise _fail(exc) from None
    finally:
        rt.engine.dispose()
    console.print(f"已重置用户 {username} 的密码（下次登录须修改）")
    if password is None:
        console.print(f"临时密码：{chosen}")
