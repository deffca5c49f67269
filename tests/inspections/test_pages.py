"""巡察 through the Chinese pages and the demo: the 纪委 creates the campaign, adds a target,
records a finding and issues the 监督意见书; the town answers; the export opens as a workbook;
each page shows the forms its reader may use, no English word reaches the user, and the demo
replays the 2018 campaign."""

from __future__ import annotations

import re
from io import BytesIO

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from eco263.inspections import demo
from eco263.runtime import Runtime
from tests.conftest import login
from tests.factories.inspections import URL, ok, post, village_with_opinion
from tests.factories.joint_enforcement import org_id
from tests.web.conftest import page_login, post_form

ENGLISH = re.compile(
    r">[^<]*\b(issued|planned|reported|accepted|village|unit|person|organization)\b[^<]*<"
)


def _page(client: TestClient, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text[:300]
    assert not ENGLISH.search(page.text), ENGLISH.search(page.text)
    return page.text


def _id(answer: object) -> int:
    location = answer.headers["location"]  # type: ignore[attr-defined]
    return int(location.rstrip("/").rsplit("/", 1)[1])


def test_the_workflow_through_the_pages(client: TestClient, rt: Runtime) -> None:
    page_login(client, "jiwei")
    assert "创建巡察项目" in _page(client, "/inspections")
    answer = post_form(
        client,
        "/inspections/new",
        {
            "year": "2018",
            "theme": "污染防治攻坚战专项巡察",
            "kind": "专项巡察",
            "planned_targets": "70",
        },
    )
    assert answer.status_code == 303, answer.text[:300]
    cid = _id(answer)
    town = org_id(rt, "相城区黄埭镇")
    answer = post_form(
        client,
        f"/inspections/{cid}/targets",
        {
            "name": "相城区黄埭镇冯梦龙村",
            "kind": "village",
            "division_code": "320507",
            "organization_id": str(town),
        },
    )
    assert answer.status_code == 303
    text = _page(client, f"/inspections/{cid}")
    assert "冯梦龙村" in text and "村（居）" in text and 'id="target-form"' in text
    tid = int(re.search(r'/inspections/targets/(\d+)"', text).group(1))  # type: ignore[union-attr]
    post_form(
        client,
        f"/inspections/targets/{tid}/findings",
        {"found_on": "2018-05-08", "summary": "河道沿岸垃圾堆放"},
    )
    text = _page(client, f"/inspections/targets/{tid}")
    assert 'id="opinion-form"' in text and 'id="disposition-form"' in text
    fid = int(re.search(r'data-finding="(\d+)"', text).group(1))  # type: ignore[union-attr]
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
    assert answer.status_code == 303, answer.text[:300]
    oid = _id(answer)
    text = _page(client, f"/inspections/opinions/{oid}")
    assert "2018-06-11" in text and "待回复" in text and 'id="plan-form"' not in text

    # a form/measure mismatch on the page: the Chinese error, nothing recorded
    bad = post_form(
        client,
        f"/inspections/targets/{tid}/dispositions",
        {
            "subject_kind": "person",
            "subject_name": "王某",
            "form": "3",
            "measure": "诫勉",
            "decided_on": "2018-05-10",
        },
    )
    assert bad.status_code == 422 and "形态与措施不符" in bad.text
    assert (
        ok(client.get(f"{URL}/campaigns/{cid}/dispositions", headers=login(client, "jiwei"))) == []
    )

    page_login(client, "xc_huangdai")
    text = _page(client, "/inspections")
    assert "苏纪监意〔2018〕1号" in text and "污染防治攻坚战专项巡察" not in text
    assert 'id="plan-form"' in _page(client, f"/inspections/opinions/{oid}")
    work = client.get("/workbench").text
    assert "待回复的监督意见书" in work
    answer = post_form(
        client,
        f"/inspections/opinions/{oid}/plan",
        {"plan": "五月底前清理完毕", "mechanisms": "建立河道保洁长效机制"},
    )
    assert answer.status_code == 303
    text = _page(client, f"/inspections/opinions/{oid}")
    assert "整改中" in text and "下发监督意见书" in text and "报送整改方案" in text
    assert client.get(f"/inspections/{cid}").status_code == 404
    assert client.get(f"/inspections/targets/{tid}").status_code == 404

    page_login(client, "city")
    text = _page(client, f"/inspections/{cid}")
    assert 'id="dispositions"' not in text and 'id="target-form"' not in text
    xlsx = client.get(f"/inspections/{cid}/export.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][0] == "巡察对象" and rows[1][0] == "相城区黄埭镇冯梦龙村"
    assert rows[1][7] == "苏纪监意〔2018〕1号" and rows[1][8] == "整改中"


def test_the_demo_replays_the_2018_campaign(client: TestClient, rt: Runtime) -> None:
    with rt.unit_of_work() as ctx:
        assert demo.replay(ctx) == 5
    with rt.unit_of_work() as ctx:
        assert demo.replay(ctx) == 0  # once
    headers = login(client, "jiwei")
    (campaign,) = ok(client.get(f"{URL}/campaigns", headers=headers))
    detail = ok(client.get(f"{URL}/campaigns/{campaign['id']}", headers=headers))
    assert detail["progress"] | {} == {
        "planned": 70,
        "targets": 5,
        "done": 1,
        "findings": 2,
        "opinions": 1,
        "open_rectifications": 1,
        "overdue": 0,
        "problems": 1,
    }
    (opinion,) = ok(client.get(f"{URL}/opinions", headers=login(client, "xc_huangdai")))
    assert opinion["reply_due"] == "2018-05-25" and opinion["state"] == "planned"
    (d,) = ok(client.get(f"{URL}/campaigns/{campaign['id']}/dispositions", headers=headers))
    assert (d["form"], d["measure"]) == (1, "诫勉")


def test_the_jiwei_finds_the_report_to_review_in_its_workbench(
    client: TestClient, rt: Runtime
) -> None:
    _, _, _, op = village_with_opinion(client, rt)
    oid = op["id"]
    body = {"plan": "整改方案内容", "mechanisms": "长效机制内容"}
    ok(post(client, "xc_huangdai", f"{URL}/opinions/{oid}/plan", body))
    page_login(client, "xc_huangdai")
    assert "待报送整改报告" in client.get("/workbench").text
    ok(post(client, "xc_huangdai", f"{URL}/opinions/{oid}/report", {"report": "已整改完毕"}))
    page_login(client, "jiwei")
    work = client.get("/workbench").text
    assert "待审核整改报告" in work and f"/inspections/opinions/{oid}" in work
    assert 'id="review-form"' in _page(client, f"/inspections/opinions/{oid}")
    page_login(client, "city")
    assert "待审核整改报告" not in client.get("/workbench").text
