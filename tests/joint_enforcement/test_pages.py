"""联合执法 through the Chinese pages: a town files a request, the leader approves it, the
office plans, the leader approves the plan, the office issues; each page shows the step its
reader may take, and no English word or raw code reaches the user."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from eco263.clock import FixedClock, parse_now
from eco263.runtime import Runtime
from tests.factories.joint_enforcement import grant_leader, org_id
from tests.web.conftest import page_login, post_form


def _open(client: TestClient, rid: int) -> str:
    page = client.get(f"/joint-enforcement/{rid}")
    assert page.status_code == 200, page.text[:300]
    return page.text


def test_the_workflow_through_the_pages(client: TestClient, rt: Runtime, clock: FixedClock) -> None:
    grant_leader(client, rt)
    clock.set(parse_now("2018-04-23T09:00"))
    page_login(client, "xc_huangdai")
    assert "申请联合执法" in client.get("/joint-enforcement/new").text
    answer = post_form(
        client,
        "/joint-enforcement/new",
        {
            "division_code": "320507",
            "site_name": "黄埭镇某塑料加工作坊",
            "site_address": "相城区黄埭镇潘阳工业园北侧",
            "operator": "王某",
            "reason": "无证经营，废气直排",
            "units": [str(org_id(rt, "相城区环保局")), str(org_id(rt, "相城区黄埭镇"))],
        },
    )
    assert answer.status_code == 303, answer.text[:300]
    rid = int(answer.headers["location"].rsplit("/", 1)[1])
    text = _open(client, rid)
    assert "待组长审批" in text and "2018-04-26" in text
    assert 'id="decision-form"' not in text  # the requester does not approve

    page_login(client, "xc_leader")
    assert 'id="decision-form"' in _open(client, rid)
    answer = post_form(client, f"/joint-enforcement/{rid}/decision", {"decision": "approve"})
    assert answer.status_code == 303

    page_login(client, "xiangcheng")
    assert 'id="plan-form"' in _open(client, rid)
    plan = {
        "action_date": "2018-04-27",
        "lead": "0",
        "unit_0": str(org_id(rt, "相城区环保局")),
        "tasks_0": "现场取证、立案查处",
        "unit_1": str(org_id(rt, "相城区黄埭镇")),
        "tasks_1": "两断三清",
    }
    no_lead = {k: v for k, v in plan.items() if k != "lead"}
    refused = post_form(client, f"/joint-enforcement/{rid}/plan", no_lead)
    assert refused.status_code == 422 and "牵头单位" in refused.text
    assert post_form(client, f"/joint-enforcement/{rid}/plan", plan).status_code == 303

    clock.set(parse_now("2018-04-27T16:00"))
    page_login(client, "xc_leader")
    answer = post_form(
        client, f"/joint-enforcement/{rid}/decision", {"decision": "approve", "stage": "plan"}
    )
    assert answer.status_code == 303
    clock.set(parse_now("2018-04-28T09:00"))
    page_login(client, "xiangcheng")
    assert post_form(client, f"/joint-enforcement/{rid}/issue", {}).status_code == 303
    text = _open(client, rid)
    assert "各单位落实中" in text and "2018-05-09" in text and "已交办" in text
    assert "组长批准联合执法方案" in text  # the record, in Chinese
    body = re.sub(r"<[^>]+>|\{[^}]*\}", " ", text.split("<main", 1)[1])
    assert not re.search(r"\b(joint|acting|approve|requested|None)\b", body)
    listing = client.get("/joint-enforcement").text
    assert "黄埭镇某塑料加工作坊" in listing

    page_login(client, "wujiang")
    assert client.get(f"/joint-enforcement/{rid}").status_code == 404
