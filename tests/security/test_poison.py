"""#10 item 4 — one user's input must not break pages for everyone.

Explicit dates the work calendar cannot count are refused at the door (API and forms) with the
calendar's own message; control characters are refused in text; a row that is odd anyway (old
data, a hand edit) shows "—" instead of failing the page; the Excel export writes what users
typed as text, never as a live formula.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.security.conftest import Live, form_token
from tests.supervision.servers import signed_post

NEW = {
    "title": "昆山某厂雨水排口偷排",
    "source": "信访举报",
    "category_code": "6T.taihu",
    "division_code": "320583",
    "found_on": "2018-05-08",
}

UNCOVERED = ["2028-01-10", "9999-12-31"]


def _problem_with_assignment(live: Live) -> tuple[dict[str, str], int, int]:
    city = live.token("city")
    c = live.client()
    problem = c.post("/api/v1/problems", json=NEW, headers=city).json()
    lead = live.org_id("昆山市环保局")
    r = c.post(
        f"/api/v1/problems/{problem['id']}/dispatch",
        json={"lead": {"organization_id": lead}},
        headers=city,
    )
    assert r.status_code == 200, r.text
    return city, int(problem["id"]), int(r.json()["assignments"][0]["id"])


def _assert_calendar_refusal(r: object, year: str) -> None:
    import httpx

    assert isinstance(r, httpx.Response)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "calendar_range"
    assert f"没有 {year} 年的节假日安排" in error["message"]


@pytest.mark.parametrize("due", UNCOVERED)
def test_api_refuses_uncovered_dates_and_changes_nothing(live: Live, due: str) -> None:
    city, problem_id, assignment_id = _problem_with_assignment(live)
    ks = live.token("ks_epb")
    c = live.client()
    before = live.counts()
    year = due[:4]
    _assert_calendar_refusal(
        c.post("/api/v1/problems", json={**NEW, "due_date": due}, headers=city), year
    )
    other = live.org_id("昆山市公安局")
    _assert_calendar_refusal(
        c.post(
            f"/api/v1/problems/{problem_id}/dispatch",
            json={"co": [{"organization_id": other, "due_date": due}]},
            headers=city,
        ),
        year,
    )
    _assert_calendar_refusal(
        c.post(
            f"/api/v1/assignments/{assignment_id}/extensions",
            json={"requested_due": due, "reason": "工程量大，需延期"},
            headers=ks,
        ),
        year,
    )
    assert live.counts() == before


def test_forms_refuse_uncovered_dates_and_change_nothing(live: Live) -> None:
    _, problem_id, assignment_id = _problem_with_assignment(live)
    city = live.browser("city")
    ks = live.browser("ks_epb")
    before = live.counts()
    r = city.post(
        "/problems/new",
        data={**NEW, "due_date": "2028-01-10", "csrf_token": form_token(city)},
    )
    assert r.status_code == 422 and "没有 2028 年的节假日安排" in r.text
    r = city.post(
        f"/problems/{problem_id}/dispatch",
        data={
            "co": str(live.org_id("昆山市公安局")),
            "co_due": "2028-01-10",
            "csrf_token": form_token(city),
        },
    )
    assert r.status_code == 422 and "没有 2028 年的节假日安排" in r.text
    r = ks.post(
        f"/problems/{problem_id}/assignments/{assignment_id}/extension",
        data={"requested_due": "9999-12-31", "reason": "需要延期", "csrf_token": form_token(ks)},
    )
    assert r.status_code == 422 and "没有 9999 年的节假日安排" in r.text
    assert live.counts() == before


def test_control_characters_are_refused_in_text(live: Live) -> None:
    city = live.token("city")
    c = live.client()
    browser = live.browser("city")
    before = live.counts()
    for title in ("偷排\x01问题", "偷排\x00问题", "偷排\u0085问题", "偷排\n问题"):
        r = c.post("/api/v1/problems", json={**NEW, "title": title}, headers=city)
        assert r.status_code == 422, (title, r.text)
        assert r.json()["error"]["details"][0]["field"] == "body.title"
    r = c.post("/api/v1/problems", json={**NEW, "description": "坏\x1b[31m字符"}, headers=city)
    assert r.status_code == 422
    r = browser.post(
        "/problems/new", data={**NEW, "title": "偷排\x01问题", "csrf_token": form_token(browser)}
    )
    assert r.status_code == 422 and "控制字符" in r.text
    assert live.counts() == before
    # Line breaks and tabs stay allowed where text has lines.
    ok = c.post(
        "/api/v1/problems", json={**NEW, "description": "第一行\r\n第二行\t完"}, headers=city
    )
    assert ok.status_code == 201, ok.text


OLD_TITLES = ["旧数据\x01控制字符", '=HYPERLINK("http://evil.example/","点此查看")']


@pytest.mark.parametrize("username", ["city", "leader", "jiwei"])
def test_an_odd_row_breaks_no_page(live: Live, username: str) -> None:
    odd = live.insert_old_problem(title=OLD_TITLES[0], due_date=date(2028, 3, 1))
    formula = live.insert_old_problem(title=OLD_TITLES[1], due_date=date(9999, 12, 31))
    live.insert_old_assignment(odd, live.org_id("昆山市环保局"), date(2028, 3, 1))
    browser = live.browser(username)
    ledger = browser.get("/problems")
    assert ledger.status_code == 200, ledger.text
    assert "—" in ledger.text
    for url in ("/", f"/problems/{odd}", f"/problems/{formula}", "/problems?due=soon"):
        r = browser.get(url)
        assert r.status_code == 200, (url, r.status_code)
    api = live.token(username)
    c = live.client()
    assert c.get("/api/v1/problems", headers=api).status_code == 200
    detail = c.get(f"/api/v1/problems/{odd}", headers=api)
    assert detail.status_code == 200, detail.text
    assert detail.json()["assignments"][0]["workdays_left"] is None

    export = browser.get("/problems/export.xlsx")
    assert export.status_code == 200, export.text[:500]
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    titles = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    evil = titles[formula]
    assert evil.data_type == "s", "a user's text is never a formula"
    assert evil.value == "'" + OLD_TITLES[1]
    assert titles[odd].data_type == "s"
    assert "\x01" not in str(titles[odd].value)


def test_export_escapes_formula_prefixes(live: Live) -> None:
    city = live.token("city")
    c = live.client()
    made = {}
    for title in ("=1+1 偷排", "+86 举报电话", "-5 超标", "@SUM(A1)", "正常标题"):
        r = c.post("/api/v1/problems", json={**NEW, "title": title}, headers=city)
        assert r.status_code == 201, r.text
        made[r.json()["id"]] = title
    export = live.browser("city").get("/problems/export.xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    for pid, title in made.items():
        cell = cells[pid]
        assert cell.data_type == "s"
        expected = title if title == "正常标题" else "'" + title
        assert cell.value == expected


def test_detail_page_forms_refuse_control_characters(live: Live) -> None:
    _, problem_id, assignment_id = _problem_with_assignment(live)
    ks = live.browser("ks_epb")
    before = live.counts()
    base = f"/problems/{problem_id}/assignments/{assignment_id}"
    for url, data in (
        (f"{base}/move", {"move": "accept", "note": "签收\x00"}),
        (f"{base}/extension", {"requested_due": "2018-08-31", "reason": "理由\x00\x01"}),
        (f"{base}/move", {"move": "accept", "note": "签收\x1b[2J"}),
    ):
        r = ks.post(url, data={**data, "csrf_token": form_token(ks)})
        assert r.status_code == 422, (url, r.status_code, r.text[:300])
        assert "控制字符" in r.text
    assert live.counts() == before
    ok = ks.post(
        f"{base}/move",
        data={"move": "accept", "note": "已签收\r\n明日进场", "csrf_token": form_token(ks)},
    )
    assert ok.status_code == 303, ok.text[:300]


@pytest.mark.parametrize(
    "override",
    [{"deadline": "2115-10-11"}, {"title": "整改\x1a意见"}, {"content": "正文\x00"}],
)
def test_an_inbound_opinion_cannot_poison_the_ledger(live: Live, override: dict[str, str]) -> None:
    """A 监督意见书 becomes a problem: its deadline and text meet the ledger's rules at the
    door (422 before anything is recorded; the ledger's own schema failed later: 500)."""
    body = {
        "opinion_no": "苏纪监意〔2018〕9号",
        "organization_id": live.org_id("昆山市环保局"),
        "title": "责令整改意见",
        "issued_on": "2018-05-09",
        "deadline": "2018-06-30",
        **override,
    }
    before = live.counts()
    r = signed_post(f"{live.url}/api/v1/supervision/inbound/opinions", body)
    assert r.status_code == 422, r.text
    assert live.counts() == before
