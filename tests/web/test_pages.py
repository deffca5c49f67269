"""The plain ledger page: login with a session cookie, scoped list, logout."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD, login
from tests.test_api import _file


def test_login_page_then_ledger_lists_scoped_problems(client: TestClient) -> None:
    city = login(client, "city")
    _file(client, city, title="昆山某厂雨水排口偷排")
    _file(client, city, title="吴江某河黑臭", division_code="320509")
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    form = client.get("/login")
    assert form.status_code == 200 and "登录" in form.text
    bad = client.post("/login", data={"username": "kunshan", "password": "x"})
    assert bad.status_code == 401 and "用户名或密码错误" in bad.text
    ok = client.post(
        "/login", data={"username": "kunshan", "password": PASSWORD}, follow_redirects=False
    )
    assert ok.status_code == 303 and "eco263_session" in ok.cookies
    page = client.get("/")
    assert page.status_code == 200
    assert "昆山某厂雨水排口偷排" in page.text and "吴江某河黑臭" not in page.text
    assert "共 1 条" in page.text
    client.post("/logout")
    assert client.get("/", follow_redirects=False).status_code == 303
