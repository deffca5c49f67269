"""Writes on users."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from eco263.actor import Actor, Role
from eco263.audit.actions import record
from eco263.auth.enums import AuditAction
from eco263.auth.models import User
from eco263.auth.passwords import hash_password
from eco263.context import Change
from eco263.errors import Conflict, InvalidInput
from eco263.registry.models import Division, Enterprise, Organization


def do_create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    password: str,
    display_name: str,
    role: str,
    division_code: str,
    organization_id: int | None = None,
    enterprise_id: int | None = None,
    now: datetime,
    must_change_password: bool = False,
) -> User:
    """Create a user; the role must be known and its anchor (division/org/enterprise) exist."""
    try:
        parsed_role = Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput(f"未知角色 {role!r}（可选：{allowed}）", field="role") from None
    _check_anchors(session, parsed_role, division_code, organization_id, enterprise_id)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"用户名 {username} 已存在", field="username")
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=parsed_role.value,
        division_code=division_code,
        organization_id=organization_id,
        enterprise_id=enterprise_id,
        active=True,
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    after: dict[str, object] = {
        "username": username,
        "role": parsed_role.value,
        "division_code": division_code,
    }
    if organization_id is not None:
        after["organization_id"] = organization_id
    if enterprise_id is not None:
        after["enterprise_id"] = enterprise_id
    if must_change_password:
        after["must_change_password"] = True
    record(
        session,
        Change(
            actor.user_id,
            actor.name,
            AuditAction.USER_CREATE.value,
            "user",
            str(user.id),
            None,
            after,
        ),
        at=now,
    )
    return user


def _check_anchors(
    session: Session,
    role: Role,
    division_code: str,
    organization_id: int | None,
    enterprise_id: int | None,
) -> None:
    if session.get(Division, division_code) is None:
        raise InvalidInput(f"未知行政区划代码 {division_code}", field="division_code")
    if organization_id is not None and session.get(Organization, organization_id) is None:
        raise InvalidInput(f"未知单位 {organization_id}", field="organization_id")
    if role == Role.ENTERPRISE and (
        enterprise_id is None or session.get(Enterprise, enterprise_id) is None
    ):
        raise InvalidInput("企业用户必须关联已登记的企业", field="enterprise_id")
    if role == Role.DEPARTMENT and organization_id is None:
        raise InvalidInput("部门用户必须关联单位", field="organization_id")
    if role == Role.POLICE and organization_id is None:
        raise InvalidInput("公安机关用户必须关联单位", field="organization_id")
