"""Every POST form needs this session's CSRF token; without it nothing changes."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.problems.models import Problem
from eco263.runtime import Runtime
from eco263.web.deps import csrf_for_session
from tests.web.conftest import page_login, post_form

NEW = {
    "title": "昆山某厂雨水排口偷排",
    "source": "信访举报",
    "category_code": "6T.taihu",
    "division_code": "320583",
    "found_on": "2018-05-08",
}


def _problems(rt: Runtime) -> int:
    with rt.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Problem)) or 0)


def test_a_form_without_the_token_is_refused_and_changes_nothing(
    client: TestClient, rt: Runtime
) -> None:
    page_login(client, "city")
    before = _problems(rt)
    missing = client.post("/problems/new", data=NEW, follow_redirects=False)
    assert missing.status_code == 403
    assert "页面已过期或请求来源无效" in missing.text
    forged = client.post("/problems/new", data={**NEW, "csrf_token": "0" * 64})
    assert forged.status_code == 403
    assert _problems(rt) == before
    ok = post_form(client, "/problems/new", NEW)
    assert ok.status_code == 303 and _problems(rt) == before + 1


def test_another_sessions_token_does_not_pass(client: TestClient, rt: Runtime) -> None:
    page_login(client, "kunshan")
    other_session_token = csrf_for_session("a-different-session-cookie")
    response = client.post(
        "/problems/new", data={**NEW, "csrf_token": other_session_token}, follow_redirects=False
    )
    assert response.status_code == 403


def test_logout_and_uploads_need_the_token_too(client: TestClient) -> None:
    page_login(client, "city")
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.get("/problems").status_code == 200  # still logged in
    created = post_form(client, "/problems/new", NEW)
    problem_url = created.headers["location"].split("?")[0]
    upload = client.post(
        f"{problem_url}/attachments",
        files={"file": ("现场.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, "image/png")},
        follow_redirects=False,
    )
    assert upload.status_code == 403


def test_login_form_has_its_own_double_submit_token(client: TestClient) -> None:
    from tests.conftest import PASSWORD

    refused = client.post("/login", data={"username": "city", "password": PASSWORD})
    assert refused.status_code == 403 and "页面已过期" in refused.text
    assert "eco263_session" not in client.cookies
    page_login(client, "city")  # with the form's token it works


def test_the_token_is_in_every_form_of_a_page(client: TestClient) -> None:
    page_login(client, "city")
    created = post_form(client, "/problems/new", NEW)
    page = client.get(created.headers["location"]).text
    forms = page.count("<form")
    assert forms >= 2
    expected = csrf_for_session(client.cookies["eco263_session"])
    assert page.count(f'name="csrf_token" value="{expected}"') == forms


def test_the_api_takes_no_writes_on_the_session_cookie_alone(client: TestClient) -> None:
    page_login(client, "city")
    assert client.get("/api/v1/auth/me").status_code == 200  # reading with the cookie is fine
    forged = client.post(
        "/api/v1/problems",
        json={
            "title": "跨站伪造的登记",
            "source": "其他",
            "category_code": "6T.taihu",
            "division_code": "320583",
            "found_on": "2018-05-08",
        },
    )
    assert forged.status_code == 401
