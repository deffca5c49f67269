"""联合执法 through the real routes: the 相城区 黄埭 散乱污 case of bulletin no. 70."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from eco263.auth.models import User
from eco263.clock import FixedClock, parse_now
from eco263.registry.models import Organization
from eco263.runtime import Runtime
from tests.conftest import login

XC = "320507"


def user_id(rt: Runtime, username: str) -> int:
    with rt.sessions() as s:
        found = s.scalar(select(User.id).where(User.username == username))
    assert found is not None, username
    return found


def org_id(rt: Runtime, name: str) -> int:
    with rt.sessions() as s:
        found = s.scalar(select(Organization.id).where(Organization.name == name))
    assert found is not None, name
    return found


def grant_leader(client: TestClient, rt: Runtime, username: str = "xc_leader") -> None:
    answer = client.post(
        "/api/v1/joint-enforcement/leaders",
        json={"user_id": user_id(rt, username), "division_code": XC},
        headers=login(client, "xiangcheng"),
    )
    assert answer.status_code == 201, answer.text


def request_body(rt: Runtime, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "division_code": XC,
        "site_name": "黄埭镇某塑料加工作坊",
        "site_address": "相城区黄埭镇潘阳工业园北侧民房",
        "site_lon": 120.55,
        "site_lat": 31.46,
        "operator": "个体经营者 王某",
        "reason": "无环评、无营业执照，废塑料造粒废气直排，群众反映强烈",
        "evidence": "镇环保办现场检查笔录及照片",
        "proposed_unit_ids": [
            org_id(rt, "相城区环保局"),
            org_id(rt, "相城区市场监管局"),
            org_id(rt, "相城区黄埭镇"),
        ],
    }
    body.update(overrides)
    return body


def plan_body(rt: Runtime, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "action_date": "2018-04-27",
        "note": "先停后治，两断三清",
        "units": [
            {
                "organization_id": org_id(rt, "相城区环保局"),
                "is_lead": True,
                "tasks": "现场取证、立案查处",
            },
            {"organization_id": org_id(rt, "相城区市场监管局"), "tasks": "无照经营查处"},
            {"organization_id": org_id(rt, "相城区黄埭镇"), "tasks": "断水断电、清理原料产品设备"},
        ],
    }
    body.update(overrides)
    return body


def post(client: TestClient, who: str, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json=body, headers=login(client, who))


def to_plan_approved(client: TestClient, rt: Runtime, clock: FixedClock) -> int:
    """Request (04-23) → approval (04-24) → plan (04-25) → plan approved (Fri 04-27)."""
    grant_leader(client, rt)
    clock.set(parse_now("2018-04-23T09:00"))
    answer = post(client, "xc_huangdai", "/api/v1/joint-enforcement", request_body(rt))
    assert answer.status_code == 201, answer.text
    rid = int(answer.json()["id"])
    clock.set(parse_now("2018-04-24T09:00"))
    answer = post(
        client, "xc_leader", f"/api/v1/joint-enforcement/{rid}/decision", {"approve": True}
    )
    assert answer.status_code == 200, answer.text
    clock.set(parse_now("2018-04-25T09:00"))
    answer = post(client, "xiangcheng", f"/api/v1/joint-enforcement/{rid}/plan", plan_body(rt))
    assert answer.status_code == 200, answer.text
    clock.set(parse_now("2018-04-27T16:00"))
    answer = post(
        client, "xc_leader", f"/api/v1/joint-enforcement/{rid}/plan/decision", {"approve": True}
    )
    assert answer.status_code == 200, answer.text
    return rid


def issued(client: TestClient, rt: Runtime, clock: FixedClock) -> dict[str, Any]:
    """…then issued by the office the next (调休) working day, Sat 04-28."""
    rid = to_plan_approved(client, rt, clock)
    clock.set(parse_now("2018-04-28T09:00"))
    answer = post(client, "xiangcheng", f"/api/v1/joint-enforcement/{rid}/issue", {})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body
