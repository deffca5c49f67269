"""Creating users: unknown role and missing anchors are clear errors, nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eco263.auth.actions import do_create_user
from eco263.auth.models import User
from eco263.errors import Conflict, InvalidInput
from eco263.runtime import Runtime


def _create(rt: Runtime, **overrides: object) -> None:
    fields: dict[str, object] = {
        "username": "new_user",
        "password": "s3cret-pass",
        "display_name": "新用户",
        "role": "district_office",
        "division_code": "320585",
    }
    fields.update(overrides)
    with rt.unit_of_work() as ctx:
        do_create_user(ctx.session, ctx.actor, now=ctx.now, **fields)  # type: ignore[arg-type]


def _users(rt: Runtime) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(User)) or 0)


def test_unknown_role_names_the_allowed_ones(rt: Runtime) -> None:
    before = _users(rt)
    with pytest.raises(InvalidInput, match=r"未知角色 'mayor'.*city_office"):
        _create(rt, role="mayor")
    assert _users(rt) == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"division_code": "999999"}, "未知行政区划"),
        ({"role": "enterprise"}, "企业用户必须关联"),
        ({"role": "department"}, "部门用户必须关联单位"),
        ({"username": "city"}, "已存在"),
    ],
)
def test_bad_anchors_are_refused(rt: Runtime, overrides: dict[str, object], message: str) -> None:
    with pytest.raises((InvalidInput, Conflict), match=message):
        _create(rt, **overrides)


def test_created_user_can_log_in_and_is_audited(rt: Runtime) -> None:
    from eco263.audit.models import AuditEvent
    from eco263.auth.service import login

    _create(rt)
    with rt.unit_of_work() as ctx:
        assert login(ctx.session, "new_user", "s3cret-pass", now=ctx.now, ttl_hours=1)
        last = ctx.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert last is not None and last.action == "user.create"
        assert "password" not in str(last.after)
