"""Forms validate on the server, show Chinese errors beside the field, and keep what was typed."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.conftest import page_login, post_form

GOOD = {
    "title": "吴江某河道黑臭",
    "source": "信访举报",
    "category_code": "6T.black_water",
    "division_code": "320509",
    "found_on": "2018-05-08",
    "water_body": "某河",
    "description": "群众反映河水发黑发臭",
}


def _error(html: str, field: str) -> str:
    match = re.search(rf'data-field="{field}">([^<]+)<', html)
    assert match, f"no error shown beside {field}"
    return match.group(1)


def test_missing_fields_are_named_in_chinese_and_typed_values_are_kept(
    client: TestClient,
) -> None:
    page_login(client, "city")
    typed = {**GOOD, "title": "", "source": "", "found_on": "2018-13-40"}
    response = post_form(client, "/problems/new", typed)
    assert response.status_code == 422
    html = response.text
    assert _error(html, "title") == "请填写问题标题"
    assert _error(html, "source") == "请选择问题来源"
    assert "日期格式" in _error(html, "found_on")
    # nothing typed is lost
    assert 'value="2018-13-40"' in html and 'value="某河"' in html
    assert "群众反映河水发黑发臭</textarea>" in html
    assert 'value="320509" selected' in html and 'value="6T.black_water" selected' in html


def test_a_rule_broken_in_the_action_is_shown_beside_its_field(client: TestClient) -> None:
    page_login(client, "city")
    future = post_form(client, "/problems/new", {**GOOD, "found_on": "2018-06-01"})
    assert future.status_code == 422
    assert _error(future.text, "found_on") == "发现日期不能晚于今天"
    early = post_form(client, "/problems/new", {**GOOD, "due_date": "2018-05-01"})
    assert early.status_code == 422
    assert "早于起算日" in _error(early.text, "due_date")
    short = post_form(client, "/problems/new", {**GOOD, "title": "河"})
    assert _error(short.text, "title") == "至少 2 个字"


def test_a_district_office_cannot_file_outside_its_division(client: TestClient) -> None:
    page_login(client, "kunshan")
    response = post_form(client, "/problems/new", GOOD)  # 吴江
    assert response.status_code == 422
    assert "不在本单位辖区内" in _error(response.text, "division_code")


def test_a_valid_form_registers_through_the_action_and_shows_the_problem(
    client: TestClient,
) -> None:
    page_login(client, "city")
    response = post_form(client, "/problems/new", GOOD)
    assert response.status_code == 303
    assert re.fullmatch(r"/problems/\d+\?done=register", response.headers["location"])
    page = client.get(response.headers["location"]).text
    assert "问题已登记" in page and "吴江某河道黑臭" in page
    assert "60 日，自 2018-05-08 起算（信访举报）" in page  # the deadline with its reason
    assert "登记" in page and "#" in page  # the timeline from the audit chain


def test_roles_that_do_not_register_get_403_on_the_form(client: TestClient) -> None:
    for username in ("jiwei", "ks_epb", "leader"):
        page_login(client, username)
        assert client.get("/problems/new").status_code == 403
        assert post_form(client, "/problems/new", GOOD).status_code == 403


PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def test_photos_go_with_the_registration_or_nothing_is_registered(client: TestClient) -> None:
    """Photos at registration (issue 16 §7): the problem and its photos in one transaction."""
    page_login(client, "city")
    before = client.get("/problems?q=吴江某河道黑臭").text.count('href="/problems/')
    bad = post_form(
        client,
        "/problems/new",
        GOOD,
        files=[
            ("photos", ("河道.png", PNG, "image/png")),
            ("photos", ("排口.jpg", b"MZ not a photo", "image/jpeg")),
        ],
    )
    assert bad.status_code == 422 and "排口.jpg：不支持的文件类型" in _error(bad.text, "photos")
    assert 'value="吴江某河道黑臭"' in bad.text  # what was typed is kept
    after = client.get("/problems?q=吴江某河道黑臭").text.count('href="/problems/')
    assert after == before  # nothing registered
    ok = post_form(
        client,
        "/problems/new",
        GOOD,
        files=[
            ("photos", ("河道.png", PNG, "image/png")),
            ("photos", ("排口.png", PNG + b"2", "image/png")),
        ],
    )
    assert ok.status_code == 303
    page = client.get(ok.headers["location"]).text
    assert "河道.png" in page and "排口.png" in page
