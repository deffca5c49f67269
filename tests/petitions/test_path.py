"""The statutory path through the API: 登记 → 受理 → 延期（他人批准）→ 处理意见书 → 评价 →
复查 → 复核 → 终结, with the time limits of the catalogue, on both databases."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from eco263.clock import FixedClock
from eco263.deadlines import load_catalogue
from eco263.petitions.models import Petition
from eco263.problems.models import Problem
from eco263.runtime import Runtime
from eco263.workdays import get_calendar
from tests.conftest import login
from tests.petitions.conftest import ANSWER, PUBLIC_FORM


def _submit(client: TestClient, **overrides: object) -> str:
    answer = client.post("/api/v1/public/petitions", json={**PUBLIC_FORM, **overrides})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["tracking_code"])


def _id(rt: Runtime, code: str) -> int:
    with rt.sessions() as s:
        found = s.scalar(select(Petition.id).where(Petition.tracking_code == code))
    assert found is not None
    return found


def test_the_whole_path_on_the_statutory_clock(client: TestClient, rt: Runtime) -> None:
    code = _submit(client)
    progress = client.get(f"/api/v1/public/petitions/{code}").json()
    assert progress["state_label"] == "已登记，待受理"
    assert progress["due_date"] == "2018-05-25"  # 15 日 from 2018-05-10
    pid = _id(rt, code)
    ks = login(client, "kunshan")
    accepted = client.post(
        f"/api/v1/petitions/{pid}/intake", json={"decision": "accept"}, headers=ks
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["due_date"] == "2018-07-09"  # 60 日 from 受理
    # The handler asks for more time; the handler may not approve it, another officer does.
    reason = {"reason": "需委托第三方监测夜间噪声"}
    assert (
        client.post(f"/api/v1/petitions/{pid}/extension", json=reason, headers=ks).status_code
        == 200
    )
    refused = client.post(f"/api/v1/petitions/{pid}/extension/approve", headers=ks)
    assert refused.status_code == 403
    assert "不能批准自己" in refused.json()["error"]["message"]
    city = login(client, "city")
    approved = client.post(f"/api/v1/petitions/{pid}/extension/approve", headers=city)
    assert approved.status_code == 200, approved.text
    assert approved.json()["due_date"] == "2018-08-08"  # +30 日
    notice = client.get(f"/api/v1/public/petitions/{code}").json()["notice"]
    assert "第三方监测" in notice  # the complainant is told why
    assert (
        client.post(f"/api/v1/petitions/{pid}/extension", json=reason, headers=ks).status_code
        == 409
    )
    # 信访处理意见书 → the public sees the answer, rates it, asks for 复查.
    answered = client.post(f"/api/v1/petitions/{pid}/opinions/answer", json=ANSWER, headers=ks)
    assert answered.status_code == 200, answered.text
    assert (
        answered.json()["due_date"] == "2018-06-11"
    )  # 复查 asked within 30 日 (06-09 is a Saturday)
    public = client.get(f"/api/v1/public/petitions/{code}").json()
    assert public["answers"][0]["opinion"] == "支持" and public["may_rate"]
    rated = client.post(f"/api/v1/public/petitions/{code}/rating", json={"satisfaction": "不满意"})
    assert rated.status_code == 200 and rated.json()["satisfaction"] == "不满意"
    again = client.post(f"/api/v1/public/petitions/{code}/rating", json={"satisfaction": "满意"})
    assert again.status_code == 409
    ask = {"reason": "整改后夜间仍有噪声"}
    review = client.post(f"/api/v1/public/petitions/{code}/review", json=ask)
    assert review.status_code == 200 and review.json()["state_label"] == "复查中"
    reviewed = client.post(f"/api/v1/petitions/{pid}/opinions/review", json=ANSWER, headers=ks)
    assert reviewed.status_code == 200 and reviewed.json()["state"] == "reviewed"
    recheck = client.post(f"/api/v1/public/petitions/{code}/review", json=ask)
    assert recheck.json()["state_label"] == "复核中"
    final = client.post(f"/api/v1/petitions/{pid}/opinions/recheck", json=ANSWER, headers=ks)
    assert final.json()["state"] == "rechecked" and final.json()["due_date"] is None
    closed = client.post(f"/api/v1/public/petitions/{code}/review", json=ask)
    assert closed.status_code == 409 and "终结" in closed.json()["error"]["message"]
    # XFTL 36: the same request on the same facts is not accepted again.
    new_code = _submit(client)
    new_id = _id(rt, new_code)
    registered = client.post(
        "/api/v1/petitions",
        json={**PUBLIC_FORM, "channel": "来信", "repeat_of_id": pid},
        headers=ks,
    )
    assert registered.status_code == 201, registered.text
    again_id = registered.json()["id"]
    refused_again = client.post(
        f"/api/v1/petitions/{again_id}/intake", json={"decision": "accept"}, headers=ks
    )
    assert (
        refused_again.status_code == 409 and "不再受理" in refused_again.json()["error"]["message"]
    )
    assert new_id != again_id


def test_review_asked_too_late_is_refused(
    client: TestClient, rt: Runtime, clock: FixedClock
) -> None:
    code = _submit(client)
    pid = _id(rt, code)
    ks = login(client, "kunshan")
    client.post(f"/api/v1/petitions/{pid}/intake", json={"decision": "accept"}, headers=ks)
    client.post(f"/api/v1/petitions/{pid}/opinions/answer", json=ANSWER, headers=ks)
    clock.advance(timedelta(days=40))
    late = client.post(f"/api/v1/public/petitions/{code}/review", json={"reason": "不服答复"})
    assert late.status_code == 422 and "超过申请期限" in late.json()["error"]["message"]


def test_not_accepted_and_transferred_need_a_reason(client: TestClient, rt: Runtime) -> None:
    pid = _id(rt, _submit(client))
    ks = login(client, "kunshan")
    url = f"/api/v1/petitions/{pid}/intake"
    assert client.post(url, json={"decision": "not_accept"}, headers=ks).status_code == 422
    assert (
        client.post(
            url, json={"decision": "transfer", "reason": "属劳动争议"}, headers=ks
        ).status_code
        == 422
    )
    assert client.post(url, json={"decision": "maybe"}, headers=ks).status_code == 422
    with rt.sessions() as s:
        assert s.get(Petition, pid).state == "registered"  # type: ignore[union-attr]
    done = client.post(
        url,
        json={
            "decision": "transfer",
            "reason": "属劳动争议，请向劳动仲裁委申请",
            "transferred_to": "昆山市劳动人事争议仲裁委员会",
        },
        headers=ks,
    )
    assert done.status_code == 200 and done.json()["due_date"] is None
    code = done.json()["tracking_code"]
    notice = client.get(f"/api/v1/public/petitions/{code}").json()["notice"]
    assert "劳动人事争议仲裁委员会" in notice


def test_accusations_go_to_the_commission_only(client: TestClient, rt: Runtime) -> None:
    code = _submit(client, kind="检举控告", description="举报某局工作人员收受企业好处、包庇偷排。")
    pid = _id(rt, code)
    for user in ("kunshan", "city", "ks_epb", "yld", "leader"):
        seen = client.get(f"/api/v1/petitions/{pid}", headers=login(client, user))
        assert seen.status_code == 404, user
        listed = client.get("/api/v1/petitions", headers=login(client, user))
        assert all(p["id"] != pid for p in listed.json().get("items", [])), user
    jiwei = login(client, "jiwei")
    assert client.get(f"/api/v1/petitions/{pid}", headers=jiwei).status_code == 200
    ks = login(client, "kunshan")
    assert (
        client.post(
            f"/api/v1/petitions/{pid}/intake", json={"decision": "accept"}, headers=ks
        ).status_code
        == 404
    )
    accepted = client.post(
        f"/api/v1/petitions/{pid}/intake", json={"decision": "accept"}, headers=jiwei
    )
    assert accepted.status_code == 200, accepted.text


def test_a_petition_opens_a_ledger_problem_on_the_same_clock(
    client: TestClient, rt: Runtime
) -> None:
    pid = _id(rt, _submit(client))
    ks = login(client, "kunshan")
    client.post(f"/api/v1/petitions/{pid}/intake", json={"decision": "accept"}, headers=ks)
    opened = client.post(
        f"/api/v1/petitions/{pid}/problems",
        json={"title": "信访件：夜间噪声扰民", "category_code": "6T.black_water"},
        headers=ks,
    )
    assert opened.status_code == 200, opened.text
    (problem_id,) = opened.json()["problem_ids"]
    with rt.sessions() as s:
        problem = s.get(Problem, problem_id)
        petition = s.get(Petition, pid)
        assert problem is not None and petition is not None
        assert problem.source == "信访举报"
        assert problem.due_date == petition.due_date
        assert "13812345678" not in problem.description


def test_the_ledger_source_rule_agrees_with_the_handling_limit() -> None:
    catalogue = load_catalogue()
    calendar = get_calendar()
    for start in (date(2018, 5, 10), date(2018, 9, 28), date(2019, 1, 31)):
        handling = catalogue.due("petition.handling", start, calendar).due
        assert catalogue.due("ledger.source.信访举报", start, calendar).due == handling


def test_every_petition_limit_is_in_the_catalogue_with_its_basis() -> None:
    from eco263.petitions.rules import ALL_KEYS

    catalogue = load_catalogue()
    for key in ALL_KEYS:
        rule = catalogue.get(key)
        assert "信访工作条例" in rule.basis and rule.certainty == "VERIFIED"
