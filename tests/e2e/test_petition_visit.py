"""带案下访 in a real browser: the 高新区263办 opens the demo's visit of 2018-04-25 with its
two 一企一策, then handles a new 来访 through to the 处理意见书 — registers it, accepts it,
takes it on a visit, opens an 一企一策 for the enterprise, answers.

Screenshots at 1366 px wide (from the SQLite run), full page: docs/screenshots/
petition-visit-demo.png, petition-visit-new.png, petition-visit-plan.png, petition-answer.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from eco263.petitions import demo
from eco263.runtime import Runtime
from tests.conftest import Database
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_workflow import Browser


@pytest.fixture
def web(browser: Any, server: str, database: Database) -> Iterator[Browser]:
    person = Browser(browser, server, shots=database.backend == "sqlite")
    yield person
    assert not person.outside, f"the page reached outside the server: {person.outside}"
    person.close()


def _shot(web: Browser, name: str) -> None:
    if web.shots:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        web.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _submit(web: Browser, selector: str) -> None:
    with web.page.expect_navigation():
        web.page.click(selector)
    web.page.wait_for_load_state("networkidle")


def test_staff_take_a_petition_to_the_field_and_answer_it(rt: Runtime, web: Browser) -> None:
    with rt.unit_of_work() as ctx:
        demo.replay(ctx)

    web.login("gaoxin")
    web.goto("/petitions")
    _submit(web, "#visits-link")
    assert "2018-04-25" in web.page.inner_text("table#visits")
    _submit(web, "table#visits >> text=2018-04-25")
    facts = web.page.inner_text("#visit-facts")
    assert "赵鹏" in facts and "高新区环保局" in facts
    plans = web.page.inner_text("#plans")
    assert plans.count("2018-05-31") == 2 and "世联汽车内饰" in plans and "埃塞克斯" in plans
    _shot(web, "petition-visit-demo")

    # A new 来访 about 华能's night noise, registered and accepted through the forms.
    web.goto("/petitions/new")
    web.page.select_option("#f-channel", "来访")
    web.page.select_option("#f-topic", "噪声")
    web.page.select_option("#f-division_code", "320505")
    web.page.select_option("#f-enterprise_id", label="华能（苏州）热电有限责任公司")
    web.page.fill("#f-location", "华能热电厂东侧居民区")
    web.page.fill("#f-description", "夜间厂界噪声扰民，开机时冒黄烟。")
    web.page.fill("#f-name", "周先生")
    web.page.fill("#f-phone", "13900000009")
    _submit(web, "#petition-form button[type=submit]")
    pid = web.page.url.rstrip("/").rsplit("/", 1)[1]
    code = web.page.inner_text("h1").split()[1]
    _submit(web, "#intake-form button[type=submit]")
    assert "已受理，办理中" in web.page.inner_text("#petition-state")

    # The visit: ticked on the form with its finding.
    web.goto("/petitions/visits/new")
    web.page.select_option("#f-division_code", "320505")
    web.page.fill("#f-place", "华能（苏州）热电有限责任公司")
    web.page.fill("#f-leader_name", "赵鹏")
    web.page.fill("#f-leader_post", "副局长")
    web.page.select_option("#f-leader_org_id", label="高新区环保局")
    web.page.fill("#f-findings", "现场了解企业噪声排放情况。")
    web.page.fill("#f-agreed", "企业开展厂界昼夜噪声监测。")
    web.page.check(f"#pick-{pid}")
    web.page.fill(f"textarea[name=finding_{pid}]", "企业正在准备开展厂界昼夜噪声监测")
    web.page.fill(f"textarea[name=agreed_{pid}]", "5月底前报送监测结果")
    _shot(web, "petition-visit-new")
    _submit(web, "#visit-form button[type=submit]")
    assert code in web.page.inner_text("#visit-items")

    # The 一企一策 for the enterprise, on the ledger with its due date.
    web.page.click(f"#plan-{pid} summary")
    web.page.fill(f"#f-title-{pid}", "华能热电厂界噪声治理一企一策")
    web.page.select_option(f"#f-owner-{pid}", label="高新区环保局")
    web.page.fill(f"#f-due-{pid}", "2018-05-31")
    web.page.fill(
        f"#f-measures-{pid}", "厂界昼夜噪声监测；冷却塔加装隔声屏障；研究开机冒黄烟问题。"
    )
    _submit(web, f"#plan-form-{pid} button[type=submit]")
    plans = web.page.inner_text("#plans")
    assert "华能热电厂界噪声治理一企一策" in plans and "已交办" in plans
    _shot(web, "petition-visit-plan")

    # Back on the petition: the visit and the plan are on its record; the answer follows.
    _submit(web, f"#visit-items >> text={code}")
    assert "赵鹏带队" in web.page.inner_text("#visits")
    assert "华能热电厂界噪声治理一企一策" in web.page.inner_text("#plans")
    web.page.fill("#f-facts", "经带案下访核查，夜间厂界噪声超标，开机冒黄烟属实。")
    web.page.fill("#f-answer", "已制定一企一策，5月底前完成噪声治理并报送监测结果。")
    web.page.fill("#f-basis", "《中华人民共和国环境噪声污染防治法》")
    web.page.select_option("#f-opinion", "支持")
    _submit(web, "#opinion-form button[type=submit]")
    assert "已答复" in web.page.inner_text("#petition-state")
    text = web.page.inner_text("main")
    assert "信访处理意见书" in text and "已制定一企一策" in text
    assert "带案下访" in web.page.inner_text("#history")
    _shot(web, "petition-answer")
