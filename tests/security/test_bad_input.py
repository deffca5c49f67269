"""#10 items 5 and 8 — plain bad input gets a 4xx and changes nothing; the extension route
is reachable.

Every route with an id in its path (API and pages, found from the application's own route
table, so a new route is attacked too) is called with ids past INTEGER and past BIGINT.
"""

from __future__ import annotations

import re

import httpx
import pytest

from eco263.app import API_ROUTERS, PAGE_ROUTERS
from eco263.web.inputs import control_character
from tests.security.conftest import Live, form_token

HUGE_IDS = ["2147483648", "9223372036854775808", "9" * 40, "-9" * 20, "0"]
NEW = {
    "title": "昆山某厂雨水排口偷排",
    "source": "信访举报",
    "category_code": "6T.taihu",
    "division_code": "320583",
    "found_on": "2018-05-08",
}


def _id_routes() -> list[tuple[str, str]]:
    """(method, path) of every API and page route whose path holds a parameter."""
    found = []
    mounted = [("/api/v1", r) for r in API_ROUTERS] + [("", r) for r in PAGE_ROUTERS]
    for prefix, router in mounted:
        for route in router.routes:
            path = prefix + getattr(route, "path", "")
            for method in sorted(getattr(route, "methods", None) or ()):
                if "{" in path and method in ("GET", "POST", "PUT", "DELETE"):
                    found.append((method, path))
    return found


def _fill(path: str, value: str) -> str:
    path = path.replace("{move}", "accept")
    return re.sub(r"\{[^}]+\}", value, path)


def test_ids_past_the_column_type_are_404_or_422(live: Live) -> None:
    api = live.token("city")
    browser = live.browser("city")
    routes = _id_routes()
    assert len(routes) > 20
    before = live.counts()
    tried = 0
    for method, path in routes:
        for value in HUGE_IDS:
            url = _fill(path, value)
            if path.startswith("/api/"):
                body = {} if method != "GET" else None
                r = browser.request(method, url, json=body, headers=api)
            elif method == "GET":
                r = browser.get(url)
            else:
                r = browser.request(method, url, data={"csrf_token": form_token(browser)})
            tried += 1
            assert r.status_code < 500, (method, url, r.status_code, r.text[:300])
            if path.startswith("/api/") and not path.startswith("/api/v1/supervision/inbound"):
                assert r.status_code in (404, 405, 409, 422), (method, url, r.status_code)
    assert tried >= 100
    assert live.counts() == before


@pytest.mark.parametrize(
    "query",
    [
        "page=9223372036854775808",
        "page=99999999999999999999",
        "page_size=99999999999999999999",
        "due_within_workdays=99999999999999999999",
        "q=%00",
        "q=%1B%5B31m",
        "division=%00",
        "state=%00",
        "source=%00",
        "category=%00",
    ],
)
def test_api_ledger_queries_never_500(live: Live, query: str) -> None:
    r = live.client().get(f"/api/v1/problems?{query}", headers=live.token("city"))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] in ("invalid",)


@pytest.mark.parametrize(
    "url",
    [
        "/problems?page=9223372036854775808",
        "/problems?page=99999999999999999999",
        "/problems?q=%00",
        "/problems?q=%01%02",
        "/problems?division=%00",
        "/problems?category=%00",
        "/problems/export.xlsx?q=%00",
        "/supervision?page=99999999999999999999",
        "/supervision?status=%00",
        "/monitoring?q=%00",
        "/alarms?point=99999999999999999999",
        "/api/v1/clues?page=99999999999999999999",
        "/api/v1/clues?status=%00",
        "/api/v1/divisions?under=%00",
        "/api/v1/monitoring/dead-letters?limit=99999999999999999999",
    ],
)
def test_pages_and_lists_never_500(live: Live, url: str) -> None:
    browser = live.browser("city")
    r = browser.get(url, headers=live.token("city") if url.startswith("/api/") else None)
    assert r.status_code in (200, 422), (url, r.status_code, r.text[:300])


def _point(live: Live, api: dict[str, str]) -> int:
    r = live.client().post(
        "/api/v1/monitoring/points",
        json={
            "mn": "SECTEST0000001",
            "password": "123456",
            "name": "测试排口",
            "division_code": "320583",
        },
        headers=api,
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_limits_must_be_finite(live: Live, number: str) -> None:
    api = live.token("city")
    point = _point(live, api)
    before = live.counts()
    body = '{"pollutant": "w01018", "limit": ' + number + ', "unit": "mg/L", "standard": "GB 8978"}'
    r = live.client().put(
        f"/api/v1/monitoring/points/{point}/limits",
        content=body,
        headers={**api, "Content-Type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert live.counts() == before
    ok = live.client().put(
        f"/api/v1/monitoring/points/{point}/limits",
        json={"pollutant": "w01018", "limit": 20.5, "unit": "mg/L", "standard": "GB 8978"},
        headers=api,
    )
    assert ok.status_code == 204, ok.text


@pytest.mark.parametrize(
    "field,value",
    [
        ("enterprise_id", 9223372036854775808),
        ("enterprise_id", 2147483648),
        ("enterprise_id", 1.5),
        ("title", "x" * 201),
        ("location", "地" * 201),
    ],
)
def test_body_values_past_the_column_are_422(live: Live, field: str, value: object) -> None:
    api = live.token("city")
    before = live.counts()
    r = live.client().post("/api/v1/problems", json={**NEW, field: value}, headers=api)
    assert r.status_code == 422, r.text
    assert live.counts() == before


def test_version_and_ids_in_bodies_are_bounded(live: Live) -> None:
    api = live.token("city")
    c = live.client()
    problem = c.post("/api/v1/problems", json=NEW, headers=api).json()
    before = live.counts()
    for body in (
        {"lead": {"organization_id": 9223372036854775808}},
        {"lead": {"organization_id": 1}, "version": 9223372036854775808},
        {"co": [{"organization_id": -1}]},
    ):
        r = c.post(f"/api/v1/problems/{problem['id']}/dispatch", json=body, headers=api)
        assert r.status_code == 422, (body, r.text)
    r = c.post(
        f"/api/v1/problems/{problem['id']}/merge",
        json={"into_problem_id": 9223372036854775808},
        headers=api,
    )
    assert r.status_code == 422
    assert live.counts() == before


def test_extension_route_is_reachable(live: Live) -> None:
    """#10 item 8: /assignments/{id}/{move} no longer captures /assignments/{id}/extensions."""
    city = live.token("city")
    c = live.client()
    problem = c.post("/api/v1/problems", json=NEW, headers=city).json()
    lead = live.org_id("昆山市环保局")
    detail = c.post(
        f"/api/v1/problems/{problem['id']}/dispatch",
        json={"lead": {"organization_id": lead}},
        headers=city,
    ).json()
    assignment = detail["assignments"][0]
    ks = live.token("ks_epb")
    r = c.post(
        f"/api/v1/assignments/{assignment['id']}/extensions",
        json={"requested_due": "2018-08-31", "reason": "汛期施工受限"},
        headers=ks,
    )
    assert r.status_code == 201, r.text
    ext = r.json()
    assert ext["state"] == "pending" and ext["requested_due"] == "2018-08-31"
    decided = c.post(
        f"/api/v1/extensions/{ext['id']}/decision", json={"approve": True}, headers=city
    )
    assert decided.status_code == 200, decided.text
    after = c.get(f"/api/v1/problems/{problem['id']}", headers=city).json()
    assert after["assignments"][0]["due_date"] == "2018-08-31"
    # The moves still route to their own handler.
    moved = c.post(f"/api/v1/assignments/{assignment['id']}/accept", json={}, headers=ks)
    assert moved.status_code == 200, moved.text
    unknown = c.post(f"/api/v1/assignments/{assignment['id']}/fly", json={}, headers=ks)
    assert unknown.status_code == 422


def test_malformed_bodies_are_422(live: Live) -> None:
    api = live.token("city")
    c = live.client()
    before = live.counts()
    for content in (b"{", b"\xff\xfe", b"[]", b'{"title": "\\ud800\\udc00x"}', b"null"):
        r = c.post(
            "/api/v1/problems",
            content=content,
            headers={**api, "Content-Type": "application/json"},
        )
        assert r.status_code == 422, (content, r.status_code, r.text)
    lone = '{"title": "孤\\ud800立", "source": "信访举报", "category_code": "6T.taihu", '
    lone += '"division_code": "320583", "found_on": "2018-05-08"}'
    r = c.post(
        "/api/v1/problems", content=lone, headers={**api, "Content-Type": "application/json"}
    )
    assert r.status_code == 422, r.text
    assert live.counts() == before


def test_the_frameworks_refusals_have_the_api_error_shape(live: Live) -> None:
    """A body that is not text (400), an unknown route (404), a wrong method (405): the same
    {"error": {code, message}} as every other refusal (the OpenAPI document says so)."""
    api = live.token("city")
    c = live.client()
    for method, url, content, status in (
        ("POST", "/api/v1/auth/login", b"\xe9\x06", 400),
        ("POST", "/api/v1/problems", b'{"title": "\xe9"}', 400),
        ("GET", "/api/v1/no-such-thing", b"", 404),
        ("DELETE", "/api/v1/problems", b"", 405),
    ):
        r = c.request(
            method, url, content=content, headers={**api, "Content-Type": "application/json"}
        )
        assert r.status_code == status, (url, r.status_code, r.text)
        error = r.json()["error"]
        assert error["code"] and error["message"]
    page = live.browser("city").get("/no-such-page")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]


def test_unknown_user_text_with_nul_is_refused_at_login(live: Live) -> None:
    r = httpx.post(f"{live.url}/api/v1/auth/login", json={"username": "ci\x00ty", "password": "x"})
    assert r.status_code in (401, 422), r.text


def test_upload_filenames_lose_their_control_characters(live: Live) -> None:
    """A file name is a label: control characters are dropped (never stored, never a 500)."""
    api = live.token("city")
    c = live.client()
    problem = c.post("/api/v1/problems", json=NEW, headers=api).json()
    for name in (b"a\x00b.pdf", b"a\x01b.pdf", b"\xe7\x8e\xb0\xe5\x9c\xba\x1b.pdf"):
        body = (
            b'--zzz\r\nContent-Disposition: form-data; name="file"; filename="'
            + name
            + b'"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 test\r\n--zzz--\r\n'
        )
        r = c.post(
            f"/api/v1/problems/{problem['id']}/attachments",
            content=body,
            headers={**api, "Content-Type": "multipart/form-data; boundary=zzz"},
        )
        assert r.status_code == 201, (name, r.status_code, r.text)
        assert control_character(r.json()["filename"]) is None
