"""The 智慧监督 pages in a real browser: a red card from the sweep becomes a clue, delivered to
the platform, which accepts it and sends back a 监督意见书 and a 问责 result; the 纪委 opens
智慧监督, opens the clue, sees its evidence and delivery, and finds the problem read-only.

Screenshots at 1366×768: docs/screenshots/supervision.png and clue.png (from the SQLite run).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from eco263.actor import SYSTEM
from eco263.clock import FixedClock
from eco263.runtime import Runtime
from eco263.supervision.models import Clue
from tests.conftest import Database
from tests.e2e.test_workflow import Browser
from tests.supervision.making import tampering_clue
from tests.web.test_supervision_pages import TITLE, deliver, platform_replies, red_card


@pytest.fixture
def web(browser: Any, server: str, database: Database) -> Iterator[Browser]:
    """One person at the browser; screenshots from the SQLite run only (one set of files)."""
    person = Browser(browser, server, shots=database.backend == "sqlite")
    yield person
    assert not person.outside, f"the page reached outside the server: {person.outside}"
    person.close()


def test_the_commission_follows_a_red_card_clue_to_its_evidence(
    rt: Runtime, as_user: Any, clock: FixedClock, web: Browser
) -> None:
    clue_id = red_card(as_user, rt, clock)
    deliver(rt, httpx.Response(201, json={"receipt_id": "JW-2018-0001"}))
    platform_replies(rt, clue_id)
    with rt.unit_of_work(SYSTEM) as ctx:
        tampering_clue(ctx, 1)  # a second clue, still waiting for delivery
    with rt.sessions() as s:
        clue = s.get_one(Clue, clue_id)
        head, problem_id = clue.evidence["chain_head"]["hash"], clue.problem_id

    web.login("jiwei")
    with web.page.expect_navigation():
        web.page.click("nav.mainnav >> text=智慧监督")
    web.page.wait_for_load_state("networkidle")
    row = web.page.locator(f"tr[data-clue='{clue_id}']")
    assert TITLE in row.inner_text() and "主动履职不到位" in row.inner_text()
    assert "已受理" in row.inner_text() and "已送达" in row.inner_text()
    assert web.page.inner_text("[data-state=accepted] .p-value") == "1"
    assert web.page.inner_text("[data-delivery=pending] .p-value") == "1"
    assert "干扰自动监测" in web.page.inner_text("table#clues")
    web.shot("supervision")

    with web.page.expect_navigation():
        row.locator("td.title a").click()
    web.page.wait_for_load_state("networkidle")
    assert web.page.inner_text("#clue-state") == "已受理"
    evidence = web.page.inner_text("#evidence")
    assert head in evidence and "登记" in evidence and "交办" in evidence
    delivery = web.page.inner_text("#delivery")
    assert "已送达" in delivery and "JW-2018-0001" in delivery
    assert "苏纪监意〔2018〕7号" in web.page.inner_text("#opinions")
    assert "诫勉谈话" in web.page.inner_text("#accountability")
    assert web.page.locator("[data-retry]").count() == 0
    web.shot("clue")

    with web.page.expect_navigation():
        web.page.click("#problem-link")
    web.page.wait_for_load_state("networkidle")
    assert web.page.url.endswith(f"/problems/{problem_id}")
    assert web.buttons() == []
    for selector in ("#upload-file", "#dispatch-link", "form.moves", "details.ext"):
        assert web.page.locator(selector).count() == 0, selector
    posting = web.page.locator("main form[method=post]")
    assert posting.count() == 0
    assert "生成线索" in web.page.inner_text("#timeline")
