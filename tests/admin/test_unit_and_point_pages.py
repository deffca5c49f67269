"""系统管理 · 单位 and 监测点位 through the pages, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from eco263 import vocabulary
from eco263.errors import InvalidInput
from eco263.monitoring.models import MonitoringPoint
from eco263.registry.models import Organization
from eco263.runtime import Runtime
from tests.admin.helpers import last_event, state
from tests.conftest import login
from tests.factories.problems import dispatch, register
from tests.web.conftest import page_login, post_form


def _org(rt: Runtime, name: str) -> Organization:
    with rt.sessions() as s:
        found = s.scalar(select(Organization).where(Organization.name == name))
        assert found is not None, name
        s.expunge(found)
        return found


def _add_unit(client: TestClient, name: str = "昆山市自然资源局") -> None:
    answer = post_form(
        client,
        "/admin/organizations",
        {"name": name, "kind": "department", "division_code": "320583", "leader_name": ""},
    )
    assert answer.status_code == 303, answer.text[-500:]


def test_the_city_office_adds_renames_leads_and_deactivates_a_unit(
    rt: Runtime, client: TestClient, as_user: Any
) -> None:
    page_login(client, "city")
    _add_unit(client)
    unit = _org(rt, "昆山市自然资源局")
    assert unit.active and unit.division_code == "320583"
    saved = post_form(
        client,
        f"/admin/organizations/{unit.id}",
        {"name": "昆山市自然资源和规划局", "leader_name": "钱局长"},
    )
    assert saved.status_code == 303
    renamed = _org(rt, "昆山市自然资源和规划局")
    assert renamed.leader_name == "钱局长"
    assert vocabulary.label(last_event(rt).action) == "设置单位负责人"
    page = client.get("/admin/organizations").text
    assert "昆山市自然资源和规划局" in page and "钱局长" in page

    before = state(rt)
    for data, status, message in (
        ({"name": "昆山市环保局", "leader_name": "钱局长"}, 409, "单位 昆山市环保局 已存在"),
        ({"name": "", "leader_name": ""}, 422, "请填写单位名称"),
    ):
        bad = post_form(client, f"/admin/organizations/{unit.id}", data)
        assert bad.status_code == status and message in bad.text, bad.text[-500:]
        assert state(rt) == before
    duplicate = post_form(
        client,
        "/admin/organizations",
        {"name": "昆山市环保局", "kind": "department", "division_code": "320583"},
    )
    assert duplicate.status_code == 409 and "已存在" in duplicate.text
    unknown_kind = post_form(
        client,
        "/admin/organizations",
        {"name": "某单位", "kind": "club", "division_code": "320583"},
    )
    assert unknown_kind.status_code == 422 and "未知单位类型" in unknown_kind.text
    assert state(rt) == before

    off = post_form(client, f"/admin/organizations/{unit.id}/deactivate", {})
    assert off.status_code == 303
    assert not _org(rt, "昆山市自然资源和规划局").active
    assert vocabulary.label(last_event(rt).action) == "停用单位"
    names = [
        o["name"] for o in client.get("/api/v1/organizations", headers=login(client, "city")).json()
    ]
    assert "昆山市自然资源和规划局" not in names
    page_login(client, "kunshan")
    assert "昆山市自然资源和规划局" not in client.get("/admin/users").text
    with as_user("kunshan") as ctx:
        problem = register(ctx)
    with (
        pytest.raises(InvalidInput, match="单位 昆山市自然资源和规划局 已停用"),
        as_user("kunshan") as ctx,
    ):
        dispatch(ctx, problem.id, "昆山市自然资源和规划局")


def test_a_unit_with_open_work_or_accounts_stays_active(
    rt: Runtime, client: TestClient, as_user: Any
) -> None:
    page_login(client, "city")
    _add_unit(client)
    unit = _org(rt, "昆山市自然资源局")
    with as_user("kunshan") as ctx:
        problem = register(ctx)
        dispatch(ctx, problem.id, "昆山市自然资源局")
    before = state(rt)
    refused = post_form(client, f"/admin/organizations/{unit.id}/deactivate", {})
    assert refused.status_code == 409
    assert "尚有未办结工作" in refused.text and "未办结的交办事项 1 项" in refused.text
    epb = _org(rt, "昆山市环保局")
    busy = post_form(client, f"/admin/organizations/{epb.id}/deactivate", {})
    assert busy.status_code == 409 and "在用账号 2 个" in busy.text
    assert state(rt) == before
    # Offices other than the city's, and departments, do not manage units.
    for who in ("kunshan", "ks_epb"):
        page_login(client, who)
        before = state(rt)
        answer = post_form(client, f"/admin/organizations/{unit.id}/deactivate", {})
        assert answer.status_code == 403 and "只有市263办可以管理单位" in answer.text
        assert state(rt) == before


def _point(rt: Runtime, mn: str) -> MonitoringPoint:
    with rt.sessions() as s:
        found = s.scalar(select(MonitoringPoint).where(MonitoringPoint.mn == mn))
        assert found is not None
        s.expunge(found)
        return found


def test_points_are_registered_and_edited_through_the_monitoring_actions(
    rt: Runtime, client: TestClient
) -> None:
    page_login(client, "kunshan")
    created = post_form(
        client,
        "/admin/points",
        {
            "mn": "88888880000099",
            "password": "pw123456",
            "name": "测试点位 废水总排口",
            "medium": "water",
            "division_code": "320583",
            "crc_mode": "hj212",
        },
    )
    assert created.status_code == 303, created.text[-500:]
    point = _point(rt, "88888880000099")
    assert point.active and point.password == "pw123456"
    assert vocabulary.label(last_event(rt).action) == "登记监测点位"
    page = client.get("/admin/points").text
    assert "测试点位 废水总排口" in page and "88888880000099" in page
    saved = post_form(
        client,
        f"/admin/points/{point.id}",
        {"password": "newpw789", "crc_mode": "accept_modbus", "always_ack": "1"},
    )
    assert saved.status_code == 303
    point = _point(rt, "88888880000099")
    assert (point.password, point.crc_mode, point.always_ack, point.active) == (
        "newpw789",
        "accept_modbus",
        True,
        False,
    )
    event = last_event(rt)
    assert vocabulary.label(event.action) == "修改监测点位" and "newpw789" not in str(event.after)
    bad = post_form(client, f"/admin/points/{point.id}", {"password": "a;b", "active": "1"})
    assert bad.status_code == 422 and "访问密码不能含有" in bad.text
    duplicate = post_form(
        client,
        "/admin/points",
        {
            "mn": "88888880000099",
            "password": "pw",
            "name": "重复点位",
            "medium": "water",
            "division_code": "320583",
        },
    )
    assert duplicate.status_code == 409 and "已登记" in duplicate.text
    assert _point(rt, "88888880000099").password == "newpw789"
    page_login(client, "ks_epb")
    assert client.get("/admin/points").status_code == 403
