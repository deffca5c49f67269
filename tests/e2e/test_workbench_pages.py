"""待办 in a real browser: every demo role lands on its workbench after login, sees its counts
and items, and an item opens its page (a problem, an alarm, a clue).  Screenshots per role
(SQLite run) for the README."""

from __future__ import annotations

from typing import Any

import pytest

from eco263.runtime import Runtime
from tests.conftest import Database
from tests.e2e.test_workflow import Browser, _seed_demo

ROLES = ("city", "kunshan", "ks_epb", "gusu_water", "jiwei", "leader", "yld")


@pytest.fixture
def web(browser: Any, server: str, database: Database) -> Any:
    b = Browser(browser, server, shots=database.backend == "sqlite")
    yield b
    assert not b.outside, f"the page reached outside the server: {b.outside}"
    b.close()


def test_every_role_lands_on_its_workbench_and_an_item_opens_its_problem(
    rt: Runtime, web: Any
) -> None:
    _seed_demo(rt)
    opened = 0
    for username in ROLES:
        web.login(username)
        assert web.page.url.endswith("/workbench"), (username, web.page.url)
        assert web.page.locator("nav.mainnav >> text=待办").count() == 1
        heading = web.page.inner_text("h1")
        assert heading.startswith("待办"), heading
        web.shot(f"workbench-{username}")
        links = web.page.locator("table.workbench a")
        if links.count():
            href = links.first.get_attribute("href")
            with web.page.expect_navigation():
                links.first.click()
            assert web.page.url.endswith(href), (username, href, web.page.url)
            opened += 1
    assert opened >= 2  # 昆山市环保局's rectification, the 纪委's red-card clue
