"""The 工作动态 pages on both databases: the city office's editor creates an issue, adds,
rewrites, orders and approves items; another office user publishes; a recipient unit reads
it (its receipt shows to the office); the archive searches by text, 期号 and period; DOCX
download.  Every bad input — no items, an unapproved item, the editor publishing, an unknown
期号, bad dates, empty text, a unit outside the 送 list — is a clear Chinese error and
changes nothing."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.audit.models import AuditEvent
from eco263.bulletin.models import BulletinIssue, BulletinItem, BulletinReceipt
from eco263.runtime import Runtime
from tests.web.conftest import page_login, post_form

NEW = {"number": "70", "issue_date": "2018-04-30", "period_from": "2018-04-01"}
NEW["period_to"] = "2018-04-30"


def _counts(rt: Runtime) -> tuple[int, int, int, int]:
    with rt.sessions() as s:
        return (
            s.scalar(select(func.count()).select_from(AuditEvent)) or 0,
            s.scalar(select(func.count()).select_from(BulletinIssue)) or 0,
            s.scalar(select(func.count()).select_from(BulletinItem)) or 0,
            s.scalar(select(func.count()).select_from(BulletinReceipt)) or 0,
        )


def _refused(client: TestClient, rt: Runtime, url: str, data: Any, status: int, text: str) -> None:
    """The POST is refused with ``status`` and a page saying ``text``; nothing changed."""
    before = _counts(rt)
    answer = post_form(client, url, data)
    assert answer.status_code == status, answer.text
    assert text in answer.text
    assert "<h1>" in answer.text and "error-text" in answer.text
    assert _counts(rt) == before


def _new_issue(client: TestClient) -> int:
    page_login(client, "city")
    answer = post_form(client, "/bulletin/new", NEW)
    assert answer.status_code == 303, answer.text
    match = re.fullmatch(r"/bulletin/(\d+)", answer.headers["location"])
    assert match
    return int(match.group(1))


def _add(client: TestClient, iid: int, title: str, body: str = "正文第一段。\n正文第二段。") -> int:
    answer = post_form(client, f"/bulletin/{iid}/items", {"title": title, "body": body})
    assert answer.status_code == 303, answer.text
    return int(answer.headers["location"].rsplit("-", 1)[1])


def _items(rt: Runtime, iid: int) -> list[tuple[str, str]]:
    with rt.sessions() as s:
        rows = s.scalars(
            select(BulletinItem).where(BulletinItem.issue_id == iid).order_by(BulletinItem.position)
        )
        return [(i.title, i.state) for i in rows]


def test_edit_order_approve_publish_and_read(client: TestClient, rt: Runtime) -> None:
    iid = _new_issue(client)
    page = client.get(f"/bulletin/{iid}")
    assert page.status_code == 200
    assert "工作动态 第 70 期" in page.text and "编辑中" in page.text
    assert "本期还没有稿件" in page.text and 'id="add-form"' in page.text
    a = _add(client, iid, "全省“263”专项行动年度考核苏州总分第一")
    b = _add(client, iid, "张家港海事局查处船舶偷倒垃圾")
    # Rewrite a (back to 待审定), move b to the top, approve a.
    edited = {"title": "全省“263”专项行动年度考核苏州总分第一"}
    edited["body"] = "苏州以总分92.46分名列第一。"
    assert post_form(client, f"/bulletin/{iid}/items/{a}", edited).status_code == 303
    moved = post_form(client, f"/bulletin/{iid}/items/{b}/position", {"position": "1"})
    assert moved.status_code == 303
    assert post_form(client, f"/bulletin/{iid}/items/{a}/approval", {}).status_code == 303
    assert _items(rt, iid) == [
        ("张家港海事局查处船舶偷倒垃圾", "draft"),
        ("全省“263”专项行动年度考核苏州总分第一", "approved"),
    ]
    page = client.get(f"/bulletin/{iid}")
    assert "92.46" in page.text and "1 </span> 篇待审定" not in page.text
    assert '<span id="pending-count">1</span>' in page.text
    # Another office user publishes; one item still 待审定: refused, nothing changed.
    page_login(client, "city_chief")
    chief = client.get(f"/bulletin/{iid}")
    assert 'id="publish-form"' in chief.text and 'id="add-form"' not in chief.text
    _refused(client, rt, f"/bulletin/{iid}/publication", {}, 422, "还有 1 篇稿件未审定，不能印发")
    # Only the editor approves.
    _refused(client, rt, f"/bulletin/{iid}/items/{b}/approval", {}, 403, "只有本期编辑")
    page_login(client, "city")
    assert post_form(client, f"/bulletin/{iid}/approval", {}).status_code == 303
    # The editor may not publish what they edited.
    _refused(client, rt, f"/bulletin/{iid}/publication", {}, 403, "编辑不能印发自己编辑的一期")
    page_login(client, "city_chief")
    assert post_form(client, f"/bulletin/{iid}/publication", {}).status_code == 303
    page = client.get(f"/bulletin/{iid}")
    assert "已印发" in page.text and "市263办 陈主任" in page.text
    assert "已阅 0 / " in page.text and "昆山市263办" in page.text
    # Frozen once published.
    page_login(client, "city")
    _refused(client, rt, f"/bulletin/{iid}/items", {"title": "x", "body": "y"}, 409, "已印发")
    # A recipient unit: the archive says 未阅, opening the issue records its receipt once.
    page_login(client, "kunshan")
    archive = client.get("/bulletin")
    assert "本单位收文" in archive.text and "第 70 期" in archive.text and "未阅" in archive.text
    reading = client.get(f"/bulletin/{iid}")
    assert reading.status_code == 200 and "本期要目" in reading.text
    assert "★ 张家港海事局查处船舶偷倒垃圾" in reading.text and "92.46" in reading.text
    assert "本单位已阅" in reading.text and "市委、市政府、市人大、市政协办公室" in reading.text
    assert 'id="add-form"' not in reading.text and 'id="publish-form"' not in reading.text
    before = _counts(rt)
    client.get(f"/bulletin/{iid}")
    assert _counts(rt) == before  # the second reading is not a new receipt
    assert "已阅" in client.get("/bulletin").text
    # The office sees the receipt.
    page_login(client, "city")
    page = client.get(f"/bulletin/{iid}")
    row = re.search(r"<td>昆山市263办</td>(.*?)</tr>", page.text)
    assert row and "李主任" in row.group(1) and "未阅" not in row.group(1)
    assert "已阅 1 / " in page.text
    # Archive search: text, 期号, period.
    assert "第 70 期" in client.get("/bulletin", params={"q": "海事局"}).text
    none = client.get("/bulletin", params={"q": "无此内容"})
    assert "没有符合条件的工作动态" in none.text
    later = client.get("/bulletin", params={"from": "2018-05-01", "to": "2018-05-31"})
    assert "没有符合条件的工作动态" in later.text
    april = client.get("/bulletin", params={"from": "2018-04-15", "to": "2018-05-31"})
    assert 'data-issue="70"' in april.text
    found = client.get("/bulletin/number", params={"n": "70"}, follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"] == f"/bulletin/{iid}"
    # DOCX download.
    doc = client.get(f"/bulletin/{iid}/document.docx")
    assert doc.status_code == 200 and doc.content[:2] == b"PK"
    assert "bulletin-70.docx" in doc.headers["content-disposition"]


def test_menu_and_drafts_from_the_record(client: TestClient, rt: Runtime) -> None:
    iid = _new_issue(client)
    page = client.get("/bulletin")
    assert '<a href="/bulletin"' in page.text or 'href="/bulletin"' in page.text
    assert "新建一期" in page.text
    answer = post_form(client, f"/bulletin/{iid}/drafts", {})
    assert answer.status_code == 303
    # Nothing in the record of the period on an empty ledger: nothing invented.
    assert _items(rt, iid) == []


def test_bad_input_is_refused_and_changes_nothing(client: TestClient, rt: Runtime) -> None:
    iid = _new_issue(client)
    # No items: publishing refused.
    page_login(client, "city_chief")
    _refused(client, rt, f"/bulletin/{iid}/publication", {}, 422, "该期没有任何稿件，不能印发")
    page_login(client, "city")
    # Bad dates, a taken number, a number that is not one.
    bad = dict(NEW, number="71", period_from="2018-05-01")
    _refused(client, rt, "/bulletin/new", bad, 422, "统计期间的起始日期晚于结束日期")
    _refused(client, rt, "/bulletin/new", NEW, 409, "第 70 期已存在")
    _refused(client, rt, "/bulletin/new", dict(NEW, number="七十"), 422, "期号应为正整数")
    _refused(client, rt, "/bulletin/new", dict(NEW, issue_date="30/4/2018"), 422, "印发日期格式")
    # Empty or oversized text, a bad position.
    _refused(client, rt, f"/bulletin/{iid}/items", {"title": " ", "body": "x"}, 422, "标题不能为空")
    _refused(client, rt, f"/bulletin/{iid}/items", {"title": "x", "body": ""}, 422, "正文不能为空")
    long = {"title": "长" * 61, "body": "x"}
    _refused(client, rt, f"/bulletin/{iid}/items", long, 422, "标题")
    item = _add(client, iid, "稿件")
    url = f"/bulletin/{iid}/items/{item}/position"
    _refused(client, rt, url, {"position": "第一"}, 422, "位置应为 1 至 500 的整数")
    # Approving twice.
    assert post_form(client, f"/bulletin/{iid}/items/{item}/approval", {}).status_code == 303
    _refused(client, rt, f"/bulletin/{iid}/items/{item}/approval", {}, 409, "该稿件已审定")
    _refused(client, rt, f"/bulletin/{iid}/approval", {}, 422, "没有待审定的稿件")
    # Unknown issue and item: the same 404 as out of reach.
    _refused(client, rt, "/bulletin/999999/items", {"title": "x", "body": "y"}, 404, "不存在")
    _refused(client, rt, f"/bulletin/{iid}/items/999999/approval", {}, 404, "稿件不存在")
    missing = client.get("/bulletin/number", params={"n": "4040"})
    assert missing.status_code == 404 and "第 4040 期工作动态不存在" in missing.text
    assert client.get("/bulletin/number", params={"n": "x"}).status_code == 422
    assert client.get("/bulletin/999999").status_code == 404
    assert client.get("/bulletin", params={"from": "2018-13-01"}).status_code == 422
    assert client.get(f"/bulletin/{iid}/document.odt").status_code == 422


def test_who_may_see_and_edit(client: TestClient, rt: Runtime) -> None:
    iid = _new_issue(client)
    _add(client, iid, "稿件")
    # A draft is the city office's: a district office and a member unit see no such issue.
    for who in ("kunshan", "sz_epb", "jiwei"):
        page_login(client, who)
        assert client.get(f"/bulletin/{iid}").status_code == 404
        assert "第 70 期" not in client.get("/bulletin").text
    # Writes by others are refused, nothing changed.
    page_login(client, "kunshan")
    _refused(client, rt, f"/bulletin/{iid}/items", {"title": "x", "body": "y"}, 403, "仅市263办")
    _refused(client, rt, "/bulletin/new", dict(NEW, number="71"), 403, "仅市263办")
    # A county department is not on the 送 list: a note, no archive.
    page_login(client, "ks_epb")
    page = client.get("/bulletin")
    assert page.status_code == 200 and "不在工作动态的发送范围内" in page.text
    assert 'id="issue-list"' not in page.text
    # The enterprise has no menu entry and no archive.
    page_login(client, "yld")
    assert 'href="/bulletin"' not in client.get("/workbench").text
    assert "不在工作动态的发送范围内" in client.get("/bulletin").text
    # Another city office user may read the draft but not edit another editor's item.
    page_login(client, "city_deputy")
    page = client.get(f"/bulletin/{iid}")
    assert page.status_code == 200 and 'id="add-form"' not in page.text
