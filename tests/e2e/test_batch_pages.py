"""批量催办 in a real browser: the 昆山 office ticks rows of the ledger (one by one, then 全选本页),
writes a note and presses 批量催办; every open unit of the ticked problems is pressed once.
A refused batch (a row not yet dispatched) keeps the ticks and names the row.  Screenshot for
the README (SQLite run)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from eco263.problems.models import Assignment, AssignmentUrge
from eco263.runtime import Runtime
from tests.conftest import Database
from tests.e2e.test_workflow import Browser
from tests.factories import problems as f


@pytest.fixture
def web(browser: Any, server: str, database: Database) -> Any:
    b = Browser(browser, server, shots=database.backend == "sqlite")
    yield b
    assert not b.outside, f"the page reached outside the server: {b.outside}"
    b.close()


def _urges(rt: Runtime) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(AssignmentUrge)) or 0)


def test_tick_rows_and_urge_them(rt: Runtime, as_user: Any, web: Any) -> None:
    with as_user("kunshan") as ctx:
        first = f.register(ctx, title="批量催办：排口直排").id
        f.dispatch(ctx, first, "昆山市环保局", co=("昆山市水务局",))
        second = f.register(ctx, title="批量催办：河道黑臭").id
        f.dispatch(ctx, second, "昆山市环保局")
        waiting = f.register(ctx, title="批量催办：尚未交办").id

    web.login("kunshan")
    web.goto("/problems")
    page = web.page
    page.check(f'tr[data-id="{waiting}"] input[name=ids]')
    page.check(f'tr[data-id="{first}"] input[name=ids]')
    assert page.inner_text("[data-selected]") == "2"
    page.fill("form#batch input[name=note]", "请于本周五前报送整改进展")
    with page.expect_navigation():
        page.click("button[data-batch=urge]")
    assert f"编号 {waiting}" in page.inner_text("#batch-error")  # not dispatched: refused
    assert page.is_checked(f'tr[data-id="{first}"] input[name=ids]')  # the ticks are kept
    assert _urges(rt) == 0

    page.uncheck(f'tr[data-id="{waiting}"] input[name=ids]')
    page.check(f'tr[data-id="{second}"] input[name=ids]')
    assert page.inner_text("[data-selected]") == "2"
    page.fill("form#batch input[name=note]", "请于本周五前报送整改进展")
    web.shot("ledger-batch")
    with page.expect_navigation():
        page.click("button[data-batch=urge]")
    page.wait_for_load_state("networkidle")
    assert "已批量催办 2 条问题（3 个承办单位）" in page.inner_text("#batch-done")
    with rt.sessions() as s:
        counts = s.scalars(
            select(Assignment.urge_count).where(Assignment.problem_id.in_([first, second]))
        ).all()
    assert sorted(counts) == [1, 1, 1] and _urges(rt) == 3

    page.check("#pick-all")  # 全选本页
    rows = page.locator("input[name=ids]").count()
    assert page.inner_text("[data-selected]") == str(rows) and rows >= 3
    page.uncheck("#pick-all")
    assert page.inner_text("[data-selected]") == "0"
