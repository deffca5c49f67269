"""在线监测 and 监测告警 in a real browser: the city office opens the monitoring list, a point's
chart (drawn from the series endpoint, with the limit line and the maintenance flags), then
the dilution alarm of the tampering scenario with its evidence image and the linked problem;
the enterprise concerned opens the same alarm and finds no police file.

Screenshots at 1366×768 go to docs/screenshots/ (monitoring.png, point.png, alarm.png; from
the SQLite run).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from eco263.runtime import Runtime
from tests.conftest import Database
from tests.e2e.test_workflow import Browser
from tests.factories.alarms import COPPER_LIMIT, tampering_case


@pytest.fixture
def web(browser: Any, server: str, database: Database) -> Iterator[Browser]:
    b = Browser(browser, server, shots=database.backend == "sqlite")
    yield b
    assert not b.outside, f"the page reached outside the server: {b.outside}"
    b.close()


def _chart(web: Browser) -> dict[str, Any]:
    info: dict[str, Any] = web.page.evaluate(
        """() => {
          const option = window.eco263PointChart.chart.getOption();
          const mark = option.series[0].markLine;
          return {
            canvas: document.querySelectorAll('#chart canvas').length,
            line: option.series[0].data.length,
            limit: mark && mark.data && mark.data.length ? mark.data[0].yAxis : null,
            flags: option.series.slice(1).map(s => [s.name, s.data.length]),
            title: option.title[0].text,
          };
        }"""
    )
    return info


def test_city_office_follows_a_point_to_its_dilution_alarm_and_problem(
    rt: Runtime, as_user: Any, web: Browser
) -> None:
    point_id, alarm = tampering_case(rt, as_user)
    web.login("city")

    # 在线监测: the point is online, its copper value is listed, one alarm is open
    with web.page.expect_navigation():
        web.page.click("nav.mainnav >> text=在线监测")
    web.page.wait_for_load_state("networkidle")
    row = web.page.locator(f"tr[data-point='{point_id}']")
    assert row.get_attribute("data-status") == "online"
    text = row.inner_text()
    assert "依利安达" in text and "总铜" in text and "0.04" in text and "在线" in text
    web.shot("monitoring")

    # the point: the chart is drawn on a canvas with the data, the limit and the flags
    with web.page.expect_navigation():
        row.locator("a", has_text="依利安达 废水总排口").click()
    web.page.wait_for_selector("#chart[data-ready='1']")
    chart = _chart(web)
    assert chart["canvas"] >= 1 and chart["line"] == 360 and "总铜" in chart["title"]
    assert chart["limit"] == COPPER_LIMIT
    assert ["维护（M）", 15] in chart["flags"] and ["校准（C）", 1] in chart["flags"]
    painted = web.page.evaluate(
        """() => {
          const c = document.querySelector('#chart canvas');
          const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let ink = 0;
          for (let i = 3; i < px.length; i += 4) { if (px[i] > 0) { ink++; } }
          return ink;
        }"""
    )
    assert painted > 1000  # the canvas really has a drawing on it
    web.shot("point")
    # another pollutant through the selector: the chart follows
    with web.page.expect_navigation():
        web.page.select_option("#f-pollutant", "w01018")
        web.page.click("#chart-form button[type=submit]")
    web.page.wait_for_selector("#chart[data-ready='1']")
    cod = _chart(web)
    assert "化学需氧量" in cod["title"] and cod["limit"] is None and cod["line"] == 360

    # the alarm: statistics, the evidence image, the seal, the linked problem
    with web.page.expect_navigation():
        web.page.click(f"#alarms tr[data-alarm='{alarm.id}'] a >> nth=1")
    web.page.wait_for_load_state("networkidle")
    assert "疑似稀释采样" in web.page.inner_text("h1")
    width = web.page.evaluate(
        "document.querySelector('img.evidence-chart').complete && "
        "document.querySelector('img.evidence-chart').naturalWidth"
    )
    assert width == 1000
    assert len(web.page.inner_text("#pack-sha256")) == 64
    assert "稀释/下降倍数" in web.page.inner_text("#statistics")
    linked = web.page.locator("#linked-problem a")
    assert "依利安达" in linked.inner_text() and "疑似稀释采样" in linked.inner_text()
    web.shot("alarm")
    with web.page.expect_navigation():
        linked.click()
    web.page.wait_for_load_state("networkidle")
    assert web.page.url.endswith(f"/problems/{alarm.problem_id}")
    assert "在线监测" in web.page.inner_text("main")


def test_the_enterprise_opens_its_alarm_and_finds_no_police_file(
    rt: Runtime, as_user: Any, web: Browser
) -> None:
    """依利安达's own user sees its alarm and the data chart, never the 行刑衔接 section."""
    _, alarm = tampering_case(rt, as_user)
    web.login("yld")
    web.page.goto(f"{web.base}/alarms")
    with web.page.expect_navigation():
        web.page.click(f"tr[data-alarm='{alarm.id}'] a >> nth=0")
    web.page.wait_for_load_state("networkidle")
    assert "疑似稀释采样" in web.page.inner_text("h1")
    width = web.page.evaluate(
        "document.querySelector('img.evidence-chart').complete && "
        "document.querySelector('img.evidence-chart').naturalWidth"
    )
    assert width == 1000
    assert web.page.locator("#transfer").count() == 0
    assert web.page.locator("#pack-sha256").count() == 0
    main = web.page.inner_text("main")
    assert "报警产生" in main
    for word in ("行刑衔接", "移送公安", "证据包"):
        assert word not in main, word
    # the download link a reader's page carries, followed with the enterprise's session
    response = web.page.request.get(f"{web.base}/api/v1/alarms/{alarm.id}/evidence-pack")
    assert response.status == 404 and not response.body().startswith(b"PK")
