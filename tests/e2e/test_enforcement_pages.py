"""执法办案 in a real browser: the investigator sees no approval form, the head approves 立案 in
the case page, the police read the transfer handed to them, and the enterprise concerned
(`yld`) gets the 404 page on every transfer page.  Screenshots (SQLite run) for the README."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from eco263.runtime import Runtime
from tests.conftest import Database
from tests.e2e.test_workflow import Browser
from tests.enforcement.test_pages import _open


@pytest.fixture
def web(browser: Any, server: str, database: Database) -> Any:
    b = Browser(browser, server, shots=database.backend == "sqlite")
    yield b
    assert not b.outside, f"the page reached outside the server: {b.outside}"
    b.close()


def test_the_head_approves_in_the_page_and_the_enterprise_never_sees_a_transfer(
    rt: Runtime, as_user, web: Any
) -> None:  # type: ignore[no-untyped-def]
    case_id = _open(as_user)
    web.login("ks_epb")
    web.goto(f"/enforcement/cases/{case_id}")
    assert web.page.locator("#step-file").count() == 0
    assert "待本单位负责人批准立案" in web.page.inner_text("#next-steps")
    web.login("ks_epb_head")
    web.goto("/enforcement")
    web.shot("enforcement-list")
    web.goto(f"/enforcement/cases/{case_id}")
    web.page.fill("#f-filed_on", date(2018, 5, 10).isoformat())
    web.shot("enforcement-case-approve")
    with web.page.expect_navigation():
        web.page.click("#step-file button[type=submit]")
    web.page.wait_for_load_state("networkidle")
    assert web.page.inner_text("#case-state") == "调查取证"
    assert "2018-08-08" in web.page.inner_text("#deadlines")
    web.shot("enforcement-case-filed")
    with as_user("ks_epb") as ctx:
        from eco263.transfers import actions
        from eco263.transfers.schemas import ProposalIn

        t = actions.do_propose(
            ctx, ProposalIn(case_id=case_id, summary="篡改自动监测设施，涉嫌污染环境罪")
        )
    web.goto(f"/transfers/{t.id}")
    assert web.page.locator("#step-decide").count() == 1
    web.shot("transfer-decide")
    web.login("yld")
    for path in ("/transfers", f"/transfers/{t.id}", f"/enforcement/cases/{case_id}"):
        response = web.goto(path)
        assert response.status == 404, path
    web.shot("transfer-enterprise-404")
