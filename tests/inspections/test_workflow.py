"""巡察 end to end through the API, on both databases: the 纪委 runs the campaign and issues the
监督意见书 (reply due by the catalogue's ``opinion.reply``), the inspected town answers with its
plan and report, the office opens a ledger problem from a finding, the 纪委 disposes under the
four forms; bad input changes nothing; each reader sees only its part."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.audit.models import AuditHead
from eco263.clock import FixedClock, parse_now
from eco263.config import Settings
from eco263.inspections.models import (
    InspectionCampaign,
    InspectionDisposition,
    InspectionOpinion,
    InspectionTarget,
)
from eco263.problems.models import Assignment, Problem
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
from tests.factories.joint_enforcement import org_id

JIEMIAN = {
    "subject_kind": "person",
    "subject_name": "王某",
    "subject_position": "冯梦龙村党总支书记",
    "form": 1,
    "measure": "诫勉",
    "decided_on": "2018-05-10",
    "reason": "河道长效管护责任落实不到位",
}


def _state(rt: Runtime) -> tuple[Any, ...]:
    with rt.sessions() as s:
        head = tuple(s.execute(select(AuditHead.seq, AuditHead.hash)).one())
        rows = tuple(
            s.scalar(select(func.count()).select_from(m))
            for m in (
                InspectionCampaign,
                InspectionTarget,
                InspectionOpinion,
                InspectionDisposition,
                Problem,
            )
        )
        versions = tuple(s.scalars(select(InspectionOpinion.version)))
    return head, rows, versions


def test_the_whole_workflow(client: TestClient, rt: Runtime, clock: FixedClock) -> None:
    cid, tid, fid, op = village_with_opinion(client, rt)
    # 30 calendar days from Thu 2018-05-10 is Sat 06-09: rolls to Mon 06-11 (opinion.reply).
    assert op["reply_due"] == "2018-06-11"
    assert op["reply_due_rule"] == "opinion.reply"
    assert "30 日，自 2018-05-10 起算" in op["reply_due_reason"]
    assert op["report_due"] == "2018-07-10"  # inspection.report: 2 months
    assert op["state"] == "issued" and "村内河道" in op["findings"]

    ok(
        post(
            client,
            "jiwei",
            f"{URL}/targets/{tid}/visits",
            {"visited_on": "2018-05-08", "team": "第一巡察组"},
        ),
        201,
    )
    ok(post(client, "jiwei", f"{URL}/targets/{tid}/done", {"done_on": "2018-05-10"}))

    # the town answers: plan, then report; the 纪委 reviews
    oid = op["id"]
    body = {"plan": "五月底前清理沿岸垃圾", "mechanisms": "建立村级河道保洁长效机制"}
    assert ok(post(client, "xc_huangdai", f"{URL}/opinions/{oid}/plan", body))["state"] == "planned"
    clock.set(parse_now("2018-06-20T09:00"))
    done = ok(post(client, "xc_huangdai", f"{URL}/opinions/{oid}/report", {"report": "已清理完毕"}))
    assert done["state"] == "reported"
    back = ok(
        post(client, "jiwei", f"{URL}/opinions/{oid}/review", {"accept": False, "note": "补充照片"})
    )
    assert back["state"] == "planned"
    ok(
        post(
            client, "xc_huangdai", f"{URL}/opinions/{oid}/report", {"report": "已清理完毕，附照片"}
        )
    )
    assert (
        ok(post(client, "jiwei", f"{URL}/opinions/{oid}/review", {"accept": True}))["state"]
        == "accepted"
    )

    # the office opens a ledger problem from the finding the opinion cites
    fnd = ok(
        post(
            client,
            "xiangcheng",
            f"{URL}/findings/{fid}/problems",
            {"title": "冯梦龙村河道沿岸垃圾整治", "category_code": "6T.black_water"},
        ),
        201,
    )
    (pid,) = fnd["problem_ids"]
    town = org_id(rt, "相城区黄埭镇")
    with rt.sessions() as s:
        problem = s.get_one(Problem, pid)
        assert problem.source == "监督意见书"
        assert problem.due_rule == "ledger.source.监督意见书"
        assert problem.due_start.isoformat() == "2018-05-10"  # the opinion, not the finding
        (assignment,) = s.scalars(select(Assignment).where(Assignment.problem_id == pid))
        assert assignment.organization_id == town

    d = ok(post(client, "jiwei", f"{URL}/targets/{tid}/dispositions", JIEMIAN), 201)
    assert d["form"] == 1 and d["measure"] == "诫勉" and d["authority_code"] == "320507"
    org = {
        "subject_kind": "organization",
        "subject_name": "冯梦龙村党总支",
        "measure": "通报",
        "decided_on": "2018-06-20",
    }
    ok(post(client, "jiwei", f"{URL}/targets/{tid}/dispositions", org), 201)

    progress = ok(client.get(f"{URL}/campaigns/{cid}", headers=login(client, "jiwei")))["progress"]
    assert progress == {
        "planned": 70,
        "targets": 1,
        "done": 1,
        "findings": 1,
        "opinions": 1,
        "open_rectifications": 0,
        "overdue": 0,
        "problems": 1,
    }


def test_overdue_counts_when_the_reply_is_late(
    client: TestClient, rt: Runtime, clock: FixedClock
) -> None:
    cid, *_ = village_with_opinion(client, rt)
    clock.set(parse_now("2018-06-12T09:00"))
    progress = ok(client.get(f"{URL}/campaigns/{cid}", headers=login(client, "city")))["progress"]
    assert progress["open_rectifications"] == 1 and progress["overdue"] == 1


def test_a_disposition_form_that_does_not_match_its_measure_changes_nothing(
    client: TestClient, rt: Runtime
) -> None:
    _, tid, *_ = village_with_opinion(client, rt)
    before = _state(rt)
    bad = [
        ({**JIEMIAN, "form": 3}, "诫勉”属于第一种形态"),
        ({**JIEMIAN, "form": 1, "measure": "开除党籍"}, "第三种形态"),
        ({**JIEMIAN, "form": None}, "形态"),
        ({**JIEMIAN, "measure": "罚款"}, "未知措施"),
        ({**JIEMIAN, "subject_kind": "organization", "measure": "通报"}, "不适用"),
        ({**JIEMIAN, "subject_kind": "organization", "form": None, "measure": "诫勉"}, "党组织"),
        ({**JIEMIAN, "subject_kind": "someone"}, "个人或党组织"),
        ({**JIEMIAN, "form": 5}, ""),
    ]
    for body, words in bad:
        answer = post(client, "jiwei", f"{URL}/targets/{tid}/dispositions", body)
        assert answer.status_code == 422, (body, answer.text)
        assert words in answer.json()["error"]["message"] or words in answer.text
    assert _state(rt) == before


def test_only_the_jiwei_issues_opinions_and_decides(client: TestClient, rt: Runtime) -> None:
    cid = campaign(client)
    tid = target(client, rt, cid)
    fid = finding(client, tid)
    before = _state(rt)
    for who in ("city", "xiangcheng"):
        answer = post(client, who, f"{URL}/targets/{tid}/opinions", opinion_body(fid))
        assert answer.status_code == 403, answer.text
        assert "纪委监委" in answer.json()["error"]["message"]
        answer = post(client, who, f"{URL}/targets/{tid}/dispositions", JIEMIAN)
        assert answer.status_code == 403
    for who in ("xc_huangdai", "yld", "ks_epb"):
        assert (
            post(client, who, f"{URL}/targets/{tid}/opinions", opinion_body(fid)).status_code == 404
        )
    assert (
        post(client, "city", f"{URL}/campaigns", {"year": 2018, "theme": "越权立项"}).status_code
        == 403
    )
    assert _state(rt) == before


def test_bad_opinions_change_nothing(client: TestClient, rt: Runtime) -> None:
    cid, tid, fid, _ = village_with_opinion(client, rt)
    no_unit = target(
        client,
        rt,
        cid,
        name="吴江区某单位",
        kind="unit",
        division_code="320509",
        organization_id=None,
    )
    other = finding(client, no_unit)
    before = _state(rt)
    cases = [
        (tid, opinion_body(fid), 409),  # number taken
        (tid, opinion_body(fid, number="苏纪监意〔2018〕2号", issued_on="2018-05-07"), 422),
        (tid, opinion_body(fid, number="苏纪监意〔2018〕2号", issued_on="2018-06-01"), 422),
        (tid, opinion_body(other, number="苏纪监意〔2018〕2号"), 422),  # another target's finding
        (no_unit, opinion_body(other, number="苏纪监意〔2018〕2号"), 422),  # nobody to answer
        (tid, opinion_body(fid, number="苏纪监意〔2018〕2号", finding_ids=[]), 422),
    ]
    for tgt, body, status in cases:
        answer = post(client, "jiwei", f"{URL}/targets/{tgt}/opinions", body)
        assert answer.status_code == status, (body, answer.text)
    assert _state(rt) == before


def test_the_reply_deadline_comes_from_the_catalogue(
    client: TestClient, rt: Runtime, settings: Settings, tmp_path: Path, monkeypatch: Any
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "opinion.reply:\n  title: 监督意见书回复\n  n: 15\n  unit: days\n"
        "  runs_from: 送达之日\n  basis: 本地规定\n  certainty: VERIFIED\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(settings, "deadline_rules_file", rules)
    _, _, _, op = village_with_opinion(client, rt)
    assert op["reply_due"] == "2018-05-25" and op["reply_due_rule"] == "opinion.reply"


def test_plan_and_report_by_the_addressee_only(client: TestClient, rt: Runtime) -> None:
    _, _, _, op = village_with_opinion(client, rt)
    oid = op["id"]
    body = {"plan": "整改方案内容", "mechanisms": "长效机制内容"}
    before = _state(rt)
    assert post(client, "jiwei", f"{URL}/opinions/{oid}/plan", body).status_code == 403
    assert post(client, "xiangcheng", f"{URL}/opinions/{oid}/plan", body).status_code == 403
    assert post(client, "ks_epb", f"{URL}/opinions/{oid}/plan", body).status_code == 404
    assert (
        post(
            client, "xc_huangdai", f"{URL}/opinions/{oid}/report", {"report": "提前报告"}
        ).status_code
        == 409
    )
    assert (
        post(client, "jiwei", f"{URL}/opinions/{oid}/review", {"accept": True}).status_code == 409
    )
    assert _state(rt) == before


def test_who_sees_what(client: TestClient, rt: Runtime) -> None:
    cid, tid, _fid, op = village_with_opinion(client, rt)
    ks = target(
        client,
        rt,
        cid,
        name="昆山市环保局",
        kind="unit",
        division_code="320583",
        organization_id=org_id(rt, "昆山市环保局"),
    )
    ok(post(client, "jiwei", f"{URL}/targets/{tid}/dispositions", JIEMIAN), 201)

    def get(who: str, url: str) -> Any:
        return client.get(url, headers=login(client, who))

    # the 纪委 and the city office: the campaign and every target
    for who in ("jiwei", "city"):
        detail = ok(get(who, f"{URL}/campaigns/{cid}"))
        assert {t["id"] for t in detail["targets"]} == {tid, ks}
    # a district: the campaign, only its own targets
    detail = ok(get("kunshan", f"{URL}/campaigns/{cid}"))
    assert [t["id"] for t in detail["targets"]] == [ks]
    assert get("kunshan", f"{URL}/targets/{tid}").status_code == 404
    assert get("kunshan", f"{URL}/opinions/{op['id']}").status_code == 404
    assert get("wujiang", f"{URL}/campaigns/{cid}").status_code == 404
    # the inspected town: its own opinion, nothing of the campaign
    assert [o["id"] for o in ok(get("xc_huangdai", f"{URL}/opinions"))] == [op["id"]]
    assert get("xc_huangdai", f"{URL}/campaigns/{cid}").status_code == 404
    assert get("xc_huangdai", f"{URL}/targets/{tid}").status_code == 404
    assert get("xc_huangdai", f"{URL}/campaigns/{cid}/dispositions").status_code == 404
    assert ok(get("ks_epb", f"{URL}/opinions")) == []
    assert get("ks_epb", f"{URL}/opinions/{op['id']}").status_code == 404
    for who in ("yld", "leader", "sz_police"):
        assert ok(get(who, f"{URL}/campaigns")) == []
    # dispositions: the 纪委 only
    assert len(ok(get("jiwei", f"{URL}/campaigns/{cid}/dispositions"))) == 1
    assert ok(get("city", f"{URL}/campaigns/{cid}/dispositions")) == []
    assert ok(get("xiangcheng", f"{URL}/campaigns/{cid}/dispositions")) == []


def test_targets_stay_in_the_campaigns_area(client: TestClient, rt: Runtime) -> None:
    cid = campaign(client)
    bad = [
        ({"division_code": "320100"}, 422),  # 南京: not the 纪委's area
        ({"kind": "town"}, 422),
        ({"organization_id": org_id(rt, "苏州市纪委监委")}, 422),
        ({"organization_id": org_id(rt, "昆山市环保局")}, 422),  # a 相城 village, a 昆山 unit
    ]
    for overrides, status in bad:
        body = {"name": "某村", "kind": "village", "division_code": "320507", **overrides}
        answer = post(client, "jiwei", f"{URL}/campaigns/{cid}/targets", body)
        assert answer.status_code == status, answer.text
    target(client, rt, cid)
    assert (
        post(
            client,
            "jiwei",
            f"{URL}/campaigns/{cid}/targets",
            {"name": "相城区黄埭镇冯梦龙村", "division_code": "320507"},
        ).status_code
        == 409
    )
    assert (
        post(
            client, "jiwei", f"{URL}/campaigns", {"year": 2018, "theme": "污染防治攻坚战专项巡察"}
        ).status_code
        == 409
    )


def test_a_district_jiwei_cannot_decide_on_a_city_managed_cadre(
    client: TestClient, rt: Runtime
) -> None:
    _, tid, *_ = village_with_opinion(client, rt)
    # 管理权限 above the target's division is allowed for the city 纪委 ...
    ok(
        post(
            client,
            "jiwei",
            f"{URL}/targets/{tid}/dispositions",
            {**JIEMIAN, "authority_code": "320500"},
        ),
        201,
    )
    # ... a division that is not the target's or above it is not
    answer = post(
        client,
        "jiwei",
        f"{URL}/targets/{tid}/dispositions",
        {**JIEMIAN, "authority_code": "320583"},
    )
    assert answer.status_code == 422
