"""Unique keys of the coordination domains answer 409 with a Chinese message, never a 500, and
change nothing: the 监督意见书 number (taken outright, or by a twin that committed between the
check and the insert — a double click), a target's name taken in a part of the campaign the
actor cannot read, the campaign, the leader grant and the 满意度测评 votes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from eco263.audit.models import AuditHead
from eco263.auth.actions import do_create_user
from eco263.inspections import service as inspection_service
from eco263.inspections.models import InspectionCampaign, InspectionOpinion, InspectionTarget
from eco263.joint_enforcement import service as joint_service
from eco263.joint_enforcement.models import JointLeader
from eco263.runtime import Runtime
from tests.conftest import login
from tests.factories.inspections import (
    URL,
    campaign,
    finding,
    ok,
    opinion_body,
    post,
    target,
    village_with_opinion,
)
from tests.factories.joint_enforcement import user_id
from tests.web.conftest import page_login, post_form

TAKEN = "文号 苏纪监意〔2018〕1号 已被使用"


def _state(rt: Runtime) -> tuple[Any, ...]:
    with rt.sessions() as s:
        head = tuple(s.execute(select(AuditHead.seq, AuditHead.hash)).one())
        counts = tuple(
            s.scalar(select(func.count()).select_from(m))
            for m in (InspectionCampaign, InspectionTarget, InspectionOpinion, JointLeader)
        )
    return head, counts


def _no_check(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> None:
    """The check passes as if a concurrent twin had not committed yet."""
    monkeypatch.setattr(module, name, lambda *args, **kwargs: False)


def _conflict(answer: Any, message: str) -> None:
    assert answer.status_code == 409, answer.text[:300]
    assert answer.json()["error"] == {"code": "conflict", "message": message}


@pytest.mark.parametrize("race", [False, True], ids=["taken", "twin"])
def test_a_taken_opinion_number_is_409_through_the_api(
    client: TestClient, rt: Runtime, monkeypatch: pytest.MonkeyPatch, race: bool
) -> None:
    _, tid, fid, _ = village_with_opinion(client, rt)
    if race:
        _no_check(monkeypatch, inspection_service, "number_taken")
    before = _state(rt)
    body = opinion_body(fid, number=" 苏纪监意〔2018〕1号 ")
    _conflict(post(client, "jiwei", f"{URL}/targets/{tid}/opinions", body), TAKEN)
    assert _state(rt) == before
    # the session is still usable: the next number goes through
    ok(
        post(
            client,
            "jiwei",
            f"{URL}/targets/{tid}/opinions",
            opinion_body(fid, number="苏纪监意〔2018〕2号"),
        ),
        201,
    )


@pytest.mark.parametrize("race", [False, True], ids=["taken", "twin"])
def test_a_taken_opinion_number_is_a_form_error_on_the_page(
    client: TestClient, rt: Runtime, monkeypatch: pytest.MonkeyPatch, race: bool
) -> None:
    _, tid, fid, _ = village_with_opinion(client, rt)
    if race:
        _no_check(monkeypatch, inspection_service, "number_taken")
    before = _state(rt)
    page_login(client, "jiwei")
    answer = post_form(
        client,
        f"/inspections/targets/{tid}/opinions",
        {
            "number": "苏纪监意〔2018〕1号",
            "issued_on": "2018-05-10",
            "finding_ids": [str(fid)],
            "measures": "制定整改方案，建立长效机制",
        },
    )
    assert answer.status_code == 409, answer.text[:300]
    assert TAKEN in answer.text and "Internal" not in answer.text
    assert _state(rt) == before


def _district_jiwei(rt: Runtime) -> str:
    """A 相城区 纪委 user: reads and writes only 320507's part of a city campaign."""
    with rt.unit_of_work() as ctx:
        do_create_user(
            ctx.session,
            ctx.actor,
            username="xc_jiwei",
            password="eco263demo",
            display_name="相城区纪委监委 经办人",
            role="supervisor",
            division_code="320507",
            now=ctx.now,
        )
    return "xc_jiwei"


def test_a_target_name_taken_outside_ones_area_is_409(client: TestClient, rt: Runtime) -> None:
    cid = campaign(client)
    for name, code in (("相城区黄埭镇冯梦龙村", "320507"), ("太湖生态岛管委会", "320506")):
        body = {"name": name, "kind": "unit", "division_code": code}
        ok(post(client, "jiwei", f"{URL}/campaigns/{cid}/targets", body), 201)
    who = _district_jiwei(rt)
    targets = ok(client.get(f"{URL}/campaigns/{cid}", headers=login(client, who)))["targets"]
    assert [t["name"] for t in targets] == ["相城区黄埭镇冯梦龙村"]  # the 吴中 one is not seen
    before = _state(rt)
    body = {"name": "太湖生态岛管委会", "kind": "unit", "division_code": "320507"}
    _conflict(post(client, who, f"{URL}/campaigns/{cid}/targets", body), "该巡察对象已在本项目中")
    assert _state(rt) == before


def test_twins_of_a_campaign_and_a_target_are_409(
    client: TestClient, rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = campaign(client)
    ok(
        post(
            client,
            "jiwei",
            f"{URL}/campaigns/{cid}/targets",
            {"name": "冯梦龙村", "kind": "village", "division_code": "320507"},
        ),
        201,
    )
    monkeypatch.setattr(inspection_service, "target_name_taken", lambda *a: False)
    before = _state(rt)
    body = {"name": "冯梦龙村", "kind": "village", "division_code": "320507"}
    _conflict(
        post(client, "jiwei", f"{URL}/campaigns/{cid}/targets", body), "该巡察对象已在本项目中"
    )
    body = {"year": 2018, "theme": "污染防治攻坚战专项巡察", "planned_targets": 70}
    monkeypatch.setattr(
        "eco263.inspections.actions.select", _never_found(monkeypatch), raising=True
    )
    _conflict(post(client, "jiwei", f"{URL}/campaigns", body), "同一年度、同一主题的巡察项目已存在")
    assert _state(rt) == before


def _never_found(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``select`` for the campaign's duplicate check, rewritten to find nothing."""
    from sqlalchemy import false
    from sqlalchemy import select as real_select

    def fake(*columns: Any) -> Any:
        return real_select(*columns).where(false())

    return fake


def test_a_twin_leader_grant_is_409(
    client: TestClient, rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = {"user_id": user_id(rt, "xc_leader"), "division_code": "320507"}
    url = "/api/v1/joint-enforcement/leaders"
    ok(client.post(url, json=body, headers=login(client, "xiangcheng")), 201)
    monkeypatch.setattr(joint_service, "is_leader", lambda *a: False)
    before = _state(rt)
    _conflict(
        client.post(url, json=body, headers=login(client, "xiangcheng")), "该用户已是该领导小组组长"
    )
    assert _state(rt) == before


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(number=st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=70))
def test_any_number_is_201_409_or_422_never_500(
    client: TestClient, rt: Runtime, number: str
) -> None:
    """Whatever the number, taken or not, the answer is a decision, not a crash."""
    cid = campaign(client, theme=f"专项巡察{abs(hash(number)) % 10**9}")
    tid = target(client, rt, cid)
    fid = finding(client, tid)
    for _ in range(2):
        answer = post(
            client, "jiwei", f"{URL}/targets/{tid}/opinions", opinion_body(fid, number=number)
        )
        assert answer.status_code in (201, 409, 422), (number, answer.text[:200])
