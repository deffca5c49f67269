"""Login with a session cookie, role-aware layout, the scoped ledger, logout."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD, login
from tests.test_api import _file
from tests.web.conftest import page_login, post_form


def test_login_page_then_ledger_lists_scoped_problems(client: TestClient) -> None:
    city = login(client, "city")
    _file(client, city, title="昆山某厂雨水排口偷排")
    _file(client, city, title="吴江某河黑臭", division_code="320509")
    assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=%2F"
    form = client.get("/login")
    assert form.status_code == 200 and "用户登录" in form.text
    page_login(client, "kunshan")
    page = client.get("/problems")
    assert page.status_code == 200
    assert "昆山某厂雨水排口偷排" in page.text and "吴江某河黑臭" not in page.text
    assert "共 1 条" in page.text
    assert post_form(client, "/logout", {}).status_code == 303
    assert client.get("/problems", follow_redirects=False).status_code == 303


def test_wrong_password_is_refused_in_chinese_and_keeps_the_username(client: TestClient) -> None:
    form = client.get("/login")
    csrf = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    bad = client.post("/login", data={"username": "kunshan", "password": "x", "csrf_token": csrf})
    assert bad.status_code == 401
    assert "用户名或密码错误" in bad.text and 'value="kunshan"' in bad.text


def test_login_returns_to_the_page_asked_for_but_never_off_site(client: TestClient) -> None:
    asked = client.get("/problems?state=open", follow_redirects=False)
    assert asked.headers["location"] == "/login?next=%2Fproblems%3Fstate%3Dopen"
    for target, expected in (
        ("/problems?state=open", "/problems?state=open"),
        ("//evil.example", "/workbench"),  # off-site: the first page, 待办
    ):
        form = client.get("/login", params={"next": target})
        csrf = form.text.split('name="csrf_token" value="')[1].split('"')[0]
        ok = client.post(
            "/login",
            data={"username": "city", "password": PASSWORD, "csrf_token": csrf, "next": target},
            follow_redirects=False,
        )
        assert ok.headers["location"] == expected


def test_layout_shows_user_role_today_and_role_aware_navigation(client: TestClient) -> None:
    page_login(client, "city")
    page = client.get("/").text
    assert "市263办 张科长" in page and "市263办" in page
    assert "今天 2018-05-10 星期四" in page
    assert 'href="/problems/new"' in page  # offices register problems
    page_login(client, "jiwei")
    page = client.get("/").text
    assert "纪委监委" in page and 'href="/problems/new"' not in page
    assert 'href="/problems"' in page
    page_login(client, "yld")  # an enterprise has no dashboard: straight to its ledger
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/problems"


def test_pages_send_a_content_security_policy_without_third_party_sources(
    client: TestClient,
) -> None:
    page_login(client, "city")
    response = client.get("/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "http" not in policy
    assert "cdn" not in response.text.lower()
    assert client.get("/static/app.css").status_code == 200
