"""系统管理 and 帮助 in a real browser: the city office creates an account in the form, the new
user is sent to 修改密码 until a new password is saved; every role's header fits 1366 px with
its 帮助 link.  Screenshots (SQLite run) for the README."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Database
from tests.e2e.test_workflow import Browser


@pytest.fixture
def web(browser: Any, server: str, database: Database) -> Any:
    b = Browser(browser, server, shots=database.backend == "sqlite")
    yield b
    assert not b.outside, f"the page reached outside the server: {b.outside}"
    b.close()


def _header_fits(web: Any) -> None:
    """At 1366 px every menu link is one line and nothing runs off the bar."""
    width = web.page.evaluate("document.querySelector('header.topbar').scrollWidth")
    tallest = web.page.evaluate(
        "Math.max(...[...document.querySelectorAll('header.topbar a, header.topbar span')]"
        ".map(e => e.getBoundingClientRect().height))"
    )
    assert width <= 1366 and tallest <= 46, (width, tallest)


def test_an_account_is_created_and_its_first_login_changes_the_password(web: Any) -> None:
    web.login("city")
    _header_fits(web)
    with web.page.expect_navigation():
        web.page.click("nav.mainnav >> text=系统管理")
    assert web.page.url.endswith("/admin/users")
    form = web.page.locator("#user-form")
    form.locator("[name=username]").fill("ks_water")
    form.locator("[name=display_name]").fill("昆山市水务局 新科员")
    form.locator("[name=role]").select_option("department")
    form.locator("[name=division_code]").select_option("320583")
    form.locator("[name=organization_id]").select_option(label="昆山市环保局")
    form.locator("[name=password]").fill("first-pass-1")
    with web.page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "已创建用户" in web.page.inner_text("main")
    assert web.page.locator("tr[data-user=ks_water]").count() == 1
    web.shot("admin-users")

    web.context.clear_cookies()
    web.page.goto(web.base + "/login")
    web.page.fill("#username", "ks_water")
    web.page.fill("#password", "first-pass-1")
    with web.page.expect_navigation():
        web.page.click("button[type=submit]")
    web.page.wait_for_load_state("networkidle")
    assert web.page.url.endswith("/account/password"), web.page.url
    assert web.page.locator("nav.mainnav").count() == 0
    web.page.fill("#current_password", "first-pass-1")
    web.page.fill("#new_password", "first-pass-1")
    web.page.fill("#confirm_password", "first-pass-1")
    with web.page.expect_navigation():
        web.page.click("main button[type=submit]")
    assert "新密码不能与当前密码相同" in web.page.inner_text("main")
    web.shot("account-password")
    web.page.fill("#current_password", "first-pass-1")
    web.page.fill("#new_password", "second-pass-2")
    web.page.fill("#confirm_password", "second-pass-2")
    with web.page.expect_navigation():
        web.page.click("main button[type=submit]")
    assert "密码已修改" in web.page.inner_text("main")
    web.goto("/workbench")
    assert web.page.url.endswith("/workbench")


@pytest.mark.parametrize("who", ["city", "kunshan", "ks_epb", "jiwei", "leader", "yld"])
def test_every_header_fits_and_links_the_help(web: Any, who: str) -> None:
    web.login(who)
    _header_fits(web)
    with web.page.expect_navigation():
        web.page.click("header >> text=帮助")
    assert web.page.url.endswith("/help")
    with web.page.expect_navigation():
        web.page.click("li.own a")
    assert "使用说明" in web.page.inner_text("h1")
    if who == "ks_epb":
        web.shot("help-department")
