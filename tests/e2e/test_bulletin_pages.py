"""工作动态 in a real browser: the city office's editor opens 工作动态 from the menu, creates an
issue, draws a draft from the record (the demo's 专题询问), rewrites it, adds a free item, moves
it to the top and approves both; 陈主任 publishes it; 昆山市263办 finds it unread in its 收文,
reads it; the office sees the read receipt.

Screenshots at 1366×768 (from the SQLite run): docs/screenshots/bulletin-archive.png,
bulletin-edit.png, bulletin-read.png and bulletin-receipts.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from eco263.inquiries import demo as inquiries_demo
from eco263.runtime import Runtime
from tests.conftest import Database
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_workflow import Browser

HEADLINE = "全省“263”专项行动年度考核苏州总分第一"


@pytest.fixture
def web(browser: Any, server: str, database: Database) -> Iterator[Browser]:
    person = Browser(browser, server, shots=database.backend == "sqlite")
    yield person
    assert not person.outside, f"the page reached outside the server: {person.outside}"
    person.close()


def _submit(web: Browser, selector: str) -> None:
    with web.page.expect_navigation():
        web.page.click(selector)
    web.page.wait_for_load_state("networkidle")


def _shot_at(web: Browser, selector: str, name: str) -> None:
    """A screenshot with ``selector`` scrolled to the top of the window."""
    if web.shots:
        web.page.locator(selector).evaluate("e => e.scrollIntoView()")
        web.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_edit_publish_and_read_an_issue(rt: Runtime, web: Browser) -> None:
    with rt.unit_of_work() as ctx:
        inquiries_demo.replay(ctx)

    # The editor: menu → 工作动态 → 新建一期.
    web.login("city")
    with web.page.expect_navigation():
        web.page.click("nav.mainnav >> text=工作动态")
    assert "暂无工作动态" in web.page.inner_text("body")
    web.page.fill("#f-number", "70")
    web.page.fill("#f-issue_date", "2018-04-30")
    web.page.fill("#f-period_from", "2018-04-01")
    web.page.fill("#f-period_to", "2018-04-30")
    _submit(web, "#issue-form button[type=submit]")
    assert "工作动态 第 70 期" in web.page.inner_text("h1")
    # A draft from the record: the 专题询问 of 4-27.
    _submit(web, "#drafts-form button")
    first = web.page.locator("article.bulletin-item").first
    assert "苏州市人大常委会就大气污染防治工作开展专题询问" in first.inner_text()
    assert "来源：专题询问" in first.inner_text()
    # Rewrite its text.
    first.locator("summary").click()
    body = first.locator("textarea[name=body]")
    body.fill(body.input_value() + "\n会后，市人大常委会将形成审议意见。")
    with web.page.expect_navigation():
        first.locator(".edit-form button[type=submit]").click()
    assert "会后，市人大常委会将形成审议意见。" in web.page.inner_text("#items")
    # A free item, moved to the top.
    web.page.fill("#add-form #f-title", HEADLINE)
    web.page.fill("#f-body", "通报显示，在全省“263”专项行动考核中，苏州以总分92.46分名列全省第一。")
    _submit(web, "#add-form button[type=submit]")
    second = web.page.locator("article.bulletin-item").nth(1)
    assert HEADLINE in second.inner_text() and "来源：编辑自撰" in second.inner_text()
    with web.page.expect_navigation():
        second.locator(".up-form button").click()
    titles = web.page.locator("article.bulletin-item h3").all_inner_texts()
    assert HEADLINE in titles[0] and "专题询问" in titles[1]
    assert web.page.inner_text("#pending-count") == "2"
    _submit(web, "#approve-all-form button")
    assert web.page.inner_text("#pending-count") == "0"
    assert web.page.locator("#publish-form").count() == 0  # the editor does not publish
    _shot_at(web, "#desk", "bulletin-edit")

    # Another office user publishes.
    web.login("city_chief")
    web.goto("/bulletin")
    with web.page.expect_navigation():
        web.page.click("table#issue-list >> text=第 70 期")
    _submit(web, "#publish-form button")
    assert web.page.inner_text("#issue-state") == "已印发"
    assert "已阅 0 / " in web.page.inner_text("#read-count")

    # A recipient unit: unread in its 收文, then read.
    web.login("kunshan")
    with web.page.expect_navigation():
        web.page.click("nav.mainnav >> text=工作动态")
    row = web.page.inner_text("table#issue-list tr[data-issue='70']")
    assert "未阅" in row
    web.shot("bulletin-archive")
    with web.page.expect_navigation():
        web.page.click("table#issue-list >> text=第 70 期")
    text = web.page.inner_text("body")
    assert "★ " + HEADLINE in text and "92.46" in text
    assert "市委、市政府、市人大、市政协办公室" in text  # the 送 line
    assert "本单位已阅" in web.page.inner_text("#my-receipt")
    assert web.page.locator("#desk").count() == 0
    web.shot("bulletin-read")
    web.goto("/bulletin")
    assert "已阅" in web.page.inner_text("table#issue-list tr[data-issue='70']")

    # The office sees the receipt.
    web.login("city")
    web.goto("/bulletin")
    with web.page.expect_navigation():
        web.page.click("table#issue-list >> text=第 70 期")
    assert "已阅 1 / " in web.page.inner_text("#read-count")
    receipt = web.page.inner_text("#receipts tr:has-text('昆山市263办')")
    assert "李主任" in receipt and "未阅" not in receipt
    assert "未阅" in web.page.inner_text("#receipts tr:has-text('吴江区263办')")
    _shot_at(web, "#receipts", "bulletin-receipts")
