"""工作动态 through the API and the CLI on both databases: create, drafts from the record,
edit, order, approve, publish by another user (not the editor), receipts, archive search,
render; and the bad input the issue names (no items, an unapproved item, the editor
publishing, an unknown issue number)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from eco263.cli import app as cli_app
from eco263.config import get_settings
from eco263.runtime import Runtime
from tests.conftest import login

URL = "/api/v1/bulletin/issues"
ISSUE = {
    "number": 70,
    "issue_date": "2018-04-30",
    "period_from": "2018-04-01",
    "period_to": "2018-04-30",
}


def _post(client: TestClient, who: str, url: str, body: Any = None) -> Any:
    return client.post(url, json=body, headers=login(client, who))


def _issue(client: TestClient) -> dict[str, Any]:
    answer = _post(client, "city", URL, ISSUE)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _item(client: TestClient, issue_id: int, title: str) -> dict[str, Any]:
    answer = _post(client, "city", f"{URL}/{issue_id}/items", {"title": title, "body": "正文。"})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_edit_approve_publish_read(client: TestClient, rt: Runtime) -> None:
    issue = _issue(client)
    iid = issue["id"]
    assert issue["state"] == "draft" and issue["items"] == []
    # No items: a clear refusal.
    answer = _post(client, "city_chief", f"{URL}/{iid}/publication")
    assert answer.status_code == 422 and "没有任何稿件" in answer.text
    a = _item(client, iid, "全省“263”专项行动年度考核苏州总分第一")
    b = _item(client, iid, "张家港海事局查处船舶偷倒垃圾")
    # Order: b first.
    moved = _post(client, "city", f"{URL}/{iid}/items/{b['id']}/position", {"position": 1})
    assert [i["id"] for i in moved.json()["items"]] == [b["id"], a["id"]]
    # Edit by the editor.
    edited = client.put(
        f"{URL}/{iid}/items/{a['id']}",
        json={"title": a["title"], "body": "苏州以总分92.46分名列全省第一。"},
        headers=login(client, "city"),
    )
    assert edited.status_code == 200 and "92.46" in edited.json()["body"]
    _post(client, "city", f"{URL}/{iid}/items/{a['id']}/approval")
    # One item not approved: refused.
    answer = _post(client, "city_chief", f"{URL}/{iid}/publication")
    assert answer.status_code == 422 and "未审定" in answer.text
    _post(client, "city", f"{URL}/{iid}/items/{b['id']}/approval")
    # The editor may not publish the issue they edited.
    answer = _post(client, "city", f"{URL}/{iid}/publication")
    assert answer.status_code == 403
    # Units may not publish either.
    assert _post(client, "ks_epb", f"{URL}/{iid}/publication").status_code in (403, 404)
    answer = _post(client, "city_chief", f"{URL}/{iid}/publication")
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "published"
    # Frozen once published.
    assert (
        _post(client, "city", f"{URL}/{iid}/items", {"title": "x", "body": "y"}).status_code == 409
    )
    # A recipient unit reads it: its receipt shows to the office.
    seen = client.get(f"{URL}/{iid}", headers=login(client, "kunshan"))
    assert seen.status_code == 200
    receipts = client.get(f"{URL}/{iid}/receipts", headers=login(client, "city")).json()
    read = {r["unit"]: r["read_at"] for r in receipts}
    assert read["昆山市263办"] is not None and read["吴江区263办"] is None
    assert "苏州市环保局" in read
    # Archive search.
    hits = client.get(URL, params={"q": "海事局"}, headers=login(client, "kunshan")).json()
    assert [h["number"] for h in hits] == [70]
    assert client.get(URL, params={"q": "无此内容"}, headers=login(client, "kunshan")).json() == []
    # The DOCX names the official fonts.
    doc = client.get(f"{URL}/{iid}/document.docx", headers=login(client, "city"))
    assert doc.status_code == 200 and doc.content[:2] == b"PK"


def test_drafts_from_the_closed_media_problem(client: TestClient, rt: Runtime) -> None:
    problem = _post(
        client,
        "city",
        "/api/v1/problems",
        {
            "title": "学士河沿岸污水直排",
            "description": "沿岸餐饮污水直排。",
            "source": "媒体曝光",
            "category_code": "6T.black_water",
            "division_code": "320508",
            "found_on": "2018-03-26",
        },
    )
    assert problem.status_code == 201, problem.text
    issue = _issue(client)
    drafts = _post(client, "city", f"{URL}/{issue['id']}/drafts")
    assert drafts.status_code == 200
    # Not closed: no media draft; nothing invented.
    assert all(i["source"] != "media" for i in drafts.json()["items"])


def test_unknown_issue_and_bad_dates(client: TestClient, rt: Runtime, tmp_path: Any) -> None:
    assert client.get(f"{URL}/999999", headers=login(client, "city")).status_code == 404
    bad = dict(ISSUE, period_from="2018-05-01")
    assert _post(client, "city", URL, bad).status_code == 422
    _issue(client)
    assert _post(client, "city", URL, ISSUE).status_code == 409  # the number is taken
    get_settings.cache_clear()
    result = CliRunner().invoke(
        cli_app,
        ["bulletin", "render", "--issue", "4040", "--output", str(tmp_path / "x.docx")],
        env={"ECO263_DATABASE_URL": rt.settings.database_url},
    )
    get_settings.cache_clear()
    assert result.exit_code != 0 and "第 4040 期" in result.output


@pytest.mark.parametrize("who", ["ks_epb", "yld"])
def test_units_cannot_create(client: TestClient, rt: Runtime, who: str) -> None:
    assert _post(client, who, URL, ISSUE).status_code == 403
