"""巡察 in a real browser: the 2018 campaign of the demo; the 纪委 opens 巡察, the campaign with
its progress, the village target with its disposition; the town opens its 监督意见书 from 待办.

Screenshots at 1366×768: docs/screenshots/inspections-campaign.png, inspections-target.png and
inspections-opinion.png (from the SQLite run).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from eco263.inspections import demo
from eco263.runtime import Runtime
from tests.conftest import Database
from tests.e2e.test_workflow import Browser


@pytest.fixture
def web(browser: Any, server: str, database: Database) -> Iterator[Browser]:
    person = Browser(browser, server, shots=database.backend == "sqlite")
    yield person
    assert not person.outside, f"the page reached outside the server: {person.outside}"
    person.close()


def test_the_commission_and_the_town_follow_the_2018_campaign(rt: Runtime, web: Browser) -> None:
    with rt.unit_of_work() as ctx:
        demo.replay(ctx)

    web.login("jiwei")
    with web.page.expect_navigation():
        web.page.click("nav.mainnav >> text=巡察")
    assert "污染防治攻坚战专项巡察" in web.page.inner_text("table#campaign-list")
    with web.page.expect_navigation():
        web.page.click("table#campaign-list >> text=污染防治攻坚战专项巡察")
    assert web.page.inner_text("#done") == "1"
    assert "苏纪监意〔2018〕1号" in web.page.inner_text("table#targets")
    assert "诫勉" in web.page.inner_text("#dispositions")
    web.shot("inspections-campaign")
    with web.page.expect_navigation():
        web.page.click("table#targets >> text=相城区黄埭镇冯梦龙村")
    assert "第一种形态 · 诫勉" in web.page.inner_text("#dispositions")
    assert "问题" in web.page.inner_text("#findings")
    web.shot("inspections-target")

    web.login("xc_huangdai")
    web.goto("/workbench")
    assert "待报送整改报告" in web.page.inner_text("body")
    with web.page.expect_navigation():
        web.page.click("text=苏纪监意〔2018〕1号")
    text = web.page.inner_text("body")
    assert "2018-05-25" in text and "长效机制" in text and "诫勉" not in text
    assert web.page.locator("#report-form").count() == 1
    web.shot("inspections-opinion")
