"""带案下访 and 一企一策 through the API (both databases): the 高新区263办 takes open petitions to
the field, records what was found and agreed, opens an 一企一策 that runs on the ledger (the
高新区环保局 signs, submits, the office verifies and closes it; the sweep raises 临期/逾期) — and
every bad input refused with a Chinese message and nothing changed."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.audit.models import AuditEvent
from eco263.clock import parse_now
from eco263.petitions.models import EnterprisePlan, Petition, PetitionVisit, PetitionVisitItem
from eco263.problems.models import Assignment, Problem
from eco263.problems.scheduled import sweep
from eco263.registry.models import Enterprise, Organization
from eco263.runtime import Runtime
from tests.conftest import login
from tests.petitions.conftest import ANSWER

HUANENG = "913205051377412342"
SHILIAN = "91320505MA1N2W3X10"


def _ids(rt: Runtime) -> dict[str, int]:
    with rt.sessions() as s:
        e = {r.uscc: r.id for r in s.execute(select(Enterprise.uscc, Enterprise.id))}
        o = {r.name: r.id for r in s.execute(select(Organization.name, Organization.id))}
    return {
        "huaneng": e[HUANENG],
        "shilian": e[SHILIAN],
        "snd_epb": o["高新区环保局"],
        "ks_epb": o["昆山市环保局"],
    }


def _petition(
    client: TestClient, headers: dict[str, str], *, accept: bool = True, **change: Any
) -> int:
    body = {
        "channel": "来信",
        "kind": "申诉求决",
        "topic": "废气",
        "description": "厂区有机废气异味扰民，傍晚尤甚。",
        "division_code": "320505",
        "received_on": "2018-04-20",
        **change,
    }
    made = client.post("/api/v1/petitions", json=body, headers=headers)
    assert made.status_code == 201, made.text
    pid = int(made.json()["id"])
    if accept:
        done = client.post(
            f"/api/v1/petitions/{pid}/intake", json={"decision": "accept"}, headers=headers
        )
        assert done.status_code == 200, done.text
    return pid


def _visit(pids: list[int], **change: Any) -> dict[str, Any]:
    return {
        "division_code": "320505",
        "visited_on": "2018-05-09",
        "place": "世联汽车内饰（苏州）有限公司",
        "leader_name": "赵鹏",
        "leader_post": "副局长",
        "team": "高新区环保局检查人员",
        "findings": "现场了解企业废气排放情况。",
        "agreed": "开展有机废气一企一策评估。",
        "items": [
            {"petition_id": p, "finding": "正在开展评估", "agreed": "5月底完成"} for p in pids
        ],
        **change,
    }


def _plan(owner: int, **change: Any) -> dict[str, Any]:
    return {
        "title": "世联汽车内饰有机废气一企一策评估",
        "measures": "开展有机废气一企一策评估，评估后提升改造。",
        "owner_org_id": owner,
        "due_date": "2018-05-31",
        **change,
    }


def _counts(rt: Runtime) -> tuple[int, ...]:
    with rt.sessions() as s:
        return tuple(
            int(s.scalar(select(func.count()).select_from(m)) or 0)
            for m in (PetitionVisit, PetitionVisitItem, EnterprisePlan, Problem, AuditEvent)
        )


def test_a_visit_takes_petitions_and_an_enterprise_plan_runs_on_the_ledger(
    client: TestClient, rt: Runtime
) -> None:
    ids = _ids(rt)
    gx = login(client, "gaoxin")
    shilian = _petition(client, gx, enterprise_id=ids["shilian"])
    huaneng = _petition(client, gx, enterprise_id=ids["huaneng"], topic="噪声")
    made = client.post(
        "/api/v1/petition-visits",
        json=_visit([shilian, huaneng], leader_org_id=ids["snd_epb"]),
        headers=gx,
    )
    assert made.status_code == 201, made.text
    visit = made.json()
    assert visit["leader_name"] == "赵鹏" and visit["leader_org_id"] == ids["snd_epb"]
    assert [i["petition_id"] for i in visit["items"]] == [shilian, huaneng]
    assert visit["items"][0]["finding"] == "正在开展评估"
    listed = client.get("/api/v1/petition-visits", headers=gx).json()
    assert [v["id"] for v in listed] == [visit["id"]]
    # The 一企一策: a ledger problem dispatched to the 高新区环保局 with the plan's due date.
    plan = client.post(
        f"/api/v1/petitions/{shilian}/plans",
        json=_plan(ids["snd_epb"], visit_id=visit["id"]),
        headers=gx,
    )
    assert plan.status_code == 201, plan.text
    out = plan.json()
    assert out["enterprise"] == "世联汽车内饰（苏州）有限公司" and out["owner"] == "高新区环保局"
    assert out["due_date"] == "2018-05-31" and out["state_label"] == "已交办"
    with rt.sessions() as s:
        problem = s.get(Problem, out["problem_id"])
        assert problem is not None
        assert (problem.source, problem.due_date.isoformat()) == ("信访举报", "2018-05-31")
        (assignment,) = s.scalars(select(Assignment).where(Assignment.problem_id == problem.id))
        assert assignment.organization_id == ids["snd_epb"] and assignment.is_lead
        p = s.get(Petition, shilian)
        assert p is not None and p.problem_ids == [problem.id]
        actions = list(
            s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.action.like("petition.%"))
                .order_by(AuditEvent.seq)
            )
        )
        assert actions.count("petition.visit_taken") == 2
        assert "petition.visit_record" in actions and "petition.plan_open" in actions
        # No complainant's data in what the chain keeps of the visit.
        after = s.scalars(
            select(AuditEvent.after).where(AuditEvent.action == "petition.visit_record")
        ).one()
        assert set(after) == {"division_code", "visited_on", "leader", "petition_ids"}
    # Shown on each petition: the visit and the plan.
    again = client.get(f"/api/v1/petition-visits/{visit['id']}", headers=gx).json()
    assert [pl["id"] for pl in again["plans"]] == [out["id"]]
    assert client.get(f"/api/v1/petitions/{shilian}/plans", headers=gx).json()[0]["id"] == out["id"]
    # The ledger's clock: near the end of May the sweep marks it; past it, overdue.
    sweep(rt, now=parse_now("2018-06-04T09:00"))
    late = client.get(f"/api/v1/petitions/{shilian}/plans", headers=gx).json()[0]
    assert any(w in late["state_label"] for w in ("逾期", "黄牌", "红牌")), late
    # Tracked to completion: the unit signs and submits, the office verifies (销号).
    epb = login(client, "snd_epb")
    for move, who in (("accept", epb), ("submit", epb), ("verify", gx)):
        moved = client.post(
            f"/api/v1/assignments/{assignment.id}/{move}",
            json={"note": "评估报告已完成，提升改造方案已报送。"},
            headers=who,
        )
        assert moved.status_code == 200, (move, moved.text)
    done = client.get(f"/api/v1/petitions/{shilian}/plans", headers=gx).json()[0]
    assert done["state_label"] == "已销号"
    # The plan's outcome feeds the answer: the 处理意见书 follows on the petition.
    answered = client.post(f"/api/v1/petitions/{shilian}/opinions/answer", json=ANSWER, headers=gx)
    assert answered.status_code == 200 and answered.json()["state_label"] == "已答复"


def _refused(
    client: TestClient, rt: Runtime, url: str, body: dict[str, Any], headers: dict[str, str]
) -> tuple[int, str]:
    before = _counts(rt)
    answer = client.post(url, json=body, headers=headers)
    assert _counts(rt) == before, (url, answer.text)
    message = answer.json().get("error", {}).get("message", "") if answer.content else ""
    return answer.status_code, message


def test_bad_visits_are_refused_and_change_nothing(client: TestClient, rt: Runtime) -> None:
    ids = _ids(rt)
    gx, ks, city = login(client, "gaoxin"), login(client, "kunshan"), login(client, "city")
    mine = _petition(client, gx, enterprise_id=ids["shilian"])
    kunshan = _petition(client, ks, division_code="320583")
    answered = _petition(client, gx)
    assert client.post(
        f"/api/v1/petitions/{answered}/opinions/answer", json=ANSWER, headers=gx
    ).is_success
    url = "/api/v1/petition-visits"
    status, message = _refused(client, rt, url, _visit([]), gx)
    assert status == 422 and "至少选择一件" in message
    # Outside the unit's area: to the 高新区 office the 昆山 petition does not exist …
    status, message = _refused(client, rt, url, _visit([mine, kunshan]), gx)
    assert status == 404 and "信访件" in message
    # … and the city office may not take it on a visit to 高新区.
    status, message = _refused(client, rt, url, _visit([kunshan]), city)
    assert status == 422 and "不在本次下访的区县" in message
    status, message = _refused(client, rt, url, _visit([mine], division_code="320583"), gx)
    assert status in (403, 404, 422) and message
    status, message = _refused(client, rt, url, _visit([mine], visited_on="2018-05-11"), gx)
    assert status == 422 and "不能晚于今天" in message
    status, message = _refused(client, rt, url, _visit([mine], visited_on="2018-04-19"), gx)
    assert status == 422 and "晚于下访日期" in message
    status, message = _refused(client, rt, url, _visit([answered]), gx)
    assert status == 409 and "不能带案下访" in message
    status, message = _refused(client, rt, url, _visit([mine, mine]), gx)
    assert status == 422 and "重复" in message
    status, message = _refused(client, rt, url, _visit([mine]), login(client, "snd_epb"))
    assert status == 403 and "263办" in message
    status, _ = _refused(client, rt, url, _visit([mine], place=""), gx)
    assert status == 422
    status, message = _refused(client, rt, url, _visit([mine], leader_org_id=ids["ks_epb"]), gx)
    assert status == 422 and "未知单位" in message


def test_bad_plans_are_refused_and_change_nothing(client: TestClient, rt: Runtime) -> None:
    ids = _ids(rt)
    gx = login(client, "gaoxin")
    mine = _petition(client, gx, enterprise_id=ids["shilian"])
    no_enterprise = _petition(client, gx)
    registered = _petition(client, gx, enterprise_id=ids["huaneng"], accept=False)
    url = f"/api/v1/petitions/{mine}/plans"
    status, message = _refused(client, rt, url, _plan(ids["snd_epb"], due_date="2018-05-09"), gx)
    assert status == 422 and "早于今天" in message
    status, message = _refused(client, rt, url, _plan(ids["ks_epb"]), gx)
    assert status == 422 and "未知单位" in message
    status, message = _refused(
        client, rt, f"/api/v1/petitions/{no_enterprise}/plans", _plan(ids["snd_epb"]), gx
    )
    assert status == 422 and "没有被反映企业" in message
    status, message = _refused(
        client, rt, f"/api/v1/petitions/{registered}/plans", _plan(ids["snd_epb"]), gx
    )
    assert status == 409 and "已受理" in message
    status, _ = _refused(client, rt, url, _plan(ids["snd_epb"]), login(client, "kunshan"))
    assert status == 404
    status, _ = _refused(client, rt, url, _plan(ids["snd_epb"]), login(client, "snd_epb"))
    assert status == 404  # a department never reads a petition (the complainant is private)
    status, message = _refused(client, rt, url, _plan(ids["snd_epb"], visit_id=999999), gx)
    assert status == 404 and "带案下访" in message
    status, _ = _refused(client, rt, url, _plan(ids["snd_epb"], measures=""), gx)
    assert status == 422
