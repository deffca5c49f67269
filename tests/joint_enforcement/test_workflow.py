"""联合执法 end to end through the API, on both databases: approvals by the leader (not the
requester), the units' deadlines anchored on the plan's approval, late units escalating with
the ledger, results with 两断三清 photos, verification by someone else, and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.audit.models import AuditEvent, AuditHead
from eco263.clock import FixedClock, parse_now
from eco263.joint_enforcement.models import JointRequest, JointUnit
from eco263.joint_enforcement.scheduled import remind
from eco263.problems.enums import Escalation
from eco263.problems.models import Assignment, Problem
from eco263.problems.scheduled import sweep
from eco263.runtime import Runtime
from tests.conftest import login
from tests.factories.joint_enforcement import (
    grant_leader,
    issued,
    org_id,
    plan_body,
    post,
    request_body,
    to_plan_approved,
)
from tests.factories.problems import PNG

URL = "/api/v1/joint-enforcement"


def _state(rt: Runtime) -> tuple[Any, ...]:
    with rt.sessions() as s:
        head = tuple(s.execute(select(AuditHead.seq, AuditHead.hash)).one())
        rows = tuple(
            s.scalar(select(func.count()).select_from(m))
            for m in (JointRequest, JointUnit, Problem, Assignment)
        )
        versions = tuple(s.scalars(select(JointRequest.version).order_by(JointRequest.id)))
    return head, rows, versions


def _photo(client: TestClient, who: str, problem_id: int, name: str) -> int:
    answer = client.post(
        f"/api/v1/problems/{problem_id}/attachments",
        files={"file": (f"{name}.png", PNG, "image/png")},
        headers=login(client, who),
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def test_the_whole_workflow(client: TestClient, rt: Runtime, clock: FixedClock) -> None:
    req = issued(client, rt, clock)
    assert req["state"] == "acting"
    assert req["plan_due"] == "2018-05-09"  # 7 working days from Fri 04-27 (Sat 04-28 works)
    with rt.sessions() as s:
        problem = s.get_one(Problem, req["problem_id"])
        assert problem.source == "联合执法"
        assert problem.due_rule == "ledger.source.联合执法"
        assert problem.due_start.isoformat() == "2018-04-27"  # the approval, not the issue
        dues = {a.due_date.isoformat() for a in s.scalars(select(Assignment))}
    assert dues == {"2018-05-09"}
    assert len(req["units"]) == 3 and all(u["assignment_id"] for u in req["units"])

    pid = req["problem_id"]
    checklist = {
        c: _photo(client, "xc_epb", pid, c) for c in ("断水", "断电", "清原料", "清产品", "清设备")
    }
    clock.set(parse_now("2018-05-08T10:00"))
    answer = post(
        client,
        "xc_epb",
        f"{URL}/{req['id']}/result",
        {"route": "关停取缔", "checklist": checklist, "note": "已关停，两断三清到位"},
    )
    assert answer.status_code == 200, answer.text
    # the one who reported never verifies (the lead unit is not an office either)
    assert (
        post(client, "xc_epb", f"{URL}/{req['id']}/verification", {"accept": True}).status_code
        == 403
    )
    answer = post(client, "xiangcheng", f"{URL}/{req['id']}/verification", {"accept": True})
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "closed"
    with rt.sessions() as s:
        actions = list(
            s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.subject_type == "joint_request")
                .order_by(AuditEvent.seq)
            )
        )
    assert actions == [
        "joint.request",
        "joint.approve",
        "joint.plan",
        "joint.approve_plan",
        "joint.issue",
        "joint.result",
        "joint.verify",
    ]


def test_late_units_escalate_like_the_ledger(
    client: TestClient, rt: Runtime, clock: FixedClock
) -> None:
    req = issued(client, rt, clock)
    sweep(rt, now=parse_now("2018-05-10T09:00"))
    with rt.sessions() as s:
        levels = {a.escalation for a in s.scalars(select(Assignment))}
    assert levels == {Escalation.YELLOW}
    assert req["units"][0]["assignment_id"]


def test_a_unit_deadline_earlier_than_the_plan_runs_as_set(
    client: TestClient, rt: Runtime, clock: FixedClock
) -> None:
    grant_leader(client, rt)
    clock.set(parse_now("2018-04-23T09:00"))
    rid = post(client, "xc_huangdai", URL, request_body(rt)).json()["id"]
    post(client, "xc_leader", f"{URL}/{rid}/decision", {"approve": True})
    body = plan_body(rt)
    body["units"][2]["due_date"] = "2018-04-27"
    assert post(client, "xiangcheng", f"{URL}/{rid}/plan", body).status_code == 200
    post(client, "xc_leader", f"{URL}/{rid}/plan/decision", {"approve": True})
    answer = post(client, "xiangcheng", f"{URL}/{rid}/issue", {})
    assert answer.status_code == 200, answer.text
    with rt.sessions() as s:
        dues = sorted(a.due_date.isoformat() for a in s.scalars(select(Assignment)))
    assert dues == ["2018-04-27", "2018-05-03", "2018-05-03"]  # 7 wd from Mon 04-23


def test_only_the_leader_approves_and_never_their_own_request(
    client: TestClient, rt: Runtime, clock: FixedClock
) -> None:
    grant_leader(client, rt)
    clock.set(parse_now("2018-04-23T09:00"))
    rid = post(client, "xc_huangdai", URL, request_body(rt)).json()["id"]
    before = _state(rt)
    for who in ("xiangcheng", "xc_huangdai", "city", "leader"):
        answer = post(client, who, f"{URL}/{rid}/decision", {"approve": True})
        assert answer.status_code == 403, (who, answer.text)
        assert "组长" in answer.json()["error"]["message"]
    assert _state(rt) == before
    # a leader who asks for joint enforcement does not approve it
    grant_leader(client, rt, "xiangcheng")
    own = post(client, "xiangcheng", URL, request_body(rt)).json()["id"]
    answer = post(client, "xiangcheng", f"{URL}/{own}/decision", {"approve": True})
    assert answer.status_code == 403
    assert "申请人" in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b: [u.update(is_lead=False) for u in b["units"]], "牵头单位"),
        (lambda b: b["units"][1].update(due_date="2018-06-30"), "晚于方案期限"),
        (lambda b: b["units"][1].update(is_lead=True), "只能有一个牵头单位"),
        (lambda b: b["units"].append(dict(b["units"][0], is_lead=False)), "出现了两次"),
        (lambda b: b.update(action_date="2018-04-01"), "不能早于今天"),
    ],
)
def test_a_bad_plan_changes_nothing(
    client: TestClient, rt: Runtime, clock: FixedClock, change: Any, message: str
) -> None:
    grant_leader(client, rt)
    clock.set(parse_now("2018-04-23T09:00"))
    rid = post(client, "xc_huangdai", URL, request_body(rt)).json()["id"]
    post(client, "xc_leader", f"{URL}/{rid}/decision", {"approve": True})
    body = plan_body(rt)
    change(body)
    before = _state(rt)
    answer = post(client, "xiangcheng", f"{URL}/{rid}/plan", body)
    assert answer.status_code == 422, answer.text
    assert message in answer.json()["error"]["message"]
    assert _state(rt) == before


def test_steps_out_of_order_are_conflicts(
    client: TestClient, rt: Runtime, clock: FixedClock
) -> None:
    grant_leader(client, rt)
    clock.set(parse_now("2018-04-23T09:00"))
    rid = post(client, "xc_huangdai", URL, request_body(rt)).json()["id"]
    before = _state(rt)
    answer = post(client, "xiangcheng", f"{URL}/{rid}/issue", {})
    assert answer.status_code == 409
    assert "待组长审批" in answer.json()["error"]["message"]
    assert post(client, "xiangcheng", f"{URL}/{rid}/plan", plan_body(rt)).status_code == 409
    assert _state(rt) == before


def test_a_closing_route_needs_every_photo(
    client: TestClient, rt: Runtime, clock: FixedClock
) -> None:
    req = issued(client, rt, clock)
    pid, rid = req["problem_id"], req["id"]
    one = _photo(client, "xc_epb", pid, "断水")
    before = _state(rt)
    cases = [
        ({"route": "关停取缔", "checklist": {"断水": one}}, "缺少：断电"),
        ({"route": "拆除", "checklist": {}}, "处置方式"),
        ({"route": "升级改造", "checklist": {"断网": one}}, "未知的两断三清项目"),
        ({"route": "升级改造", "checklist": {"断水": 999999}}, "不存在"),
    ]
    for body, message in cases:
        answer = post(client, "xc_epb", f"{URL}/{rid}/result", body)
        assert answer.status_code == 422, answer.text
        assert message in answer.json()["error"]["message"]
    # a partner unit does not report for the lead unit
    answer = post(client, "xc_market", f"{URL}/{rid}/result", {"route": "升级改造"})
    assert answer.status_code == 403
    assert _state(rt) == before
    # an upgrade needs no closing checklist; the office may return it
    assert post(client, "xc_epb", f"{URL}/{rid}/result", {"route": "升级改造"}).status_code == 200
    answer = post(client, "xiangcheng", f"{URL}/{rid}/verification", {"accept": False})
    assert answer.json()["state"] == "acting" and answer.json()["route"] is None


def test_the_leader_is_reminded_once_per_level(
    client: TestClient, rt: Runtime, clock: FixedClock
) -> None:
    grant_leader(client, rt)
    clock.set(parse_now("2018-04-23T09:00"))
    rid = post(client, "xc_huangdai", URL, request_body(rt)).json()["id"]
    assert remind(rt, now=parse_now("2018-04-24T09:00")).due_soon == 0
    assert remind(rt, now=parse_now("2018-04-25T09:00")).due_soon == 1  # due 04-26
    assert remind(rt, now=parse_now("2018-04-25T10:00")).due_soon == 0
    assert remind(rt, now=parse_now("2018-04-27T09:00")).overdue == 1
    assert remind(rt, now=parse_now("2018-04-28T09:00")).overdue == 0
    answer = client.get(f"{URL}/{rid}", headers=login(client, "xc_leader"))
    assert answer.json()["reminder"] == "overdue"
    assert answer.json()["decision_due"] == "2018-04-26"


def test_who_sees_a_request(client: TestClient, rt: Runtime, clock: FixedClock) -> None:
    rid = to_plan_approved(client, rt, clock)
    for who in ("xiangcheng", "xc_leader", "xc_huangdai", "xc_epb", "xc_market", "city", "jiwei"):
        answer = client.get(f"{URL}/{rid}", headers=login(client, who))
        assert answer.status_code == 200, who
    for who in ("wujiang", "kunshan", "ks_epb", "yld"):
        answer = client.get(f"{URL}/{rid}", headers=login(client, who))
        assert answer.status_code == 404, who
        listed = client.get(URL, headers=login(client, who)).json()
        assert rid not in [r["id"] for r in listed], who


def test_a_unit_outside_the_district_cannot_be_proposed(
    client: TestClient, rt: Runtime, clock: FixedClock
) -> None:
    body = request_body(rt, proposed_unit_ids=[org_id(rt, "昆山市环保局")])
    before = _state(rt)
    answer = post(client, "xc_huangdai", URL, body)
    assert answer.status_code == 422
    assert _state(rt) == before
    assert post(client, "yld", URL, request_body(rt)).status_code == 403
