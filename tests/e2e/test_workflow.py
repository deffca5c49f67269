"""The ledger in a real browser: the city office registers and dispatches a problem to 昆山市,
昆山 rectifies it with an uploaded photo, the city office verifies and closes it; 吴江 cannot
see it (list, detail URL, export); the 纪委 sees a clue; the dashboard map renders with data.

Screenshots of each page at 1366×768 go to docs/screenshots/ (from the SQLite run).
"""

from __future__ import annotations

import re
import struct
import zlib
from io import BytesIO
from typing import Any
from urllib.parse import urlparse

import pytest
from openpyxl import load_workbook

from eco263.demo import seed_story
from eco263.problems.scheduled import sweep
from eco263.runtime import Runtime
from tests.conftest import PASSWORD, Database
from tests.e2e.conftest import SCREENSHOTS, VIEWPORT

TITLE = "昆山市某电镀厂雨水排口偷排含铜废水"


def photo_png(width: int = 160, height: int = 120) -> bytes:
    """A real PNG (a gradient), so the preview has something to decode."""
    rows = b"".join(
        b"\x00" + bytes(c for x in range(width) for c in (x * 255 // width, 140, y * 255 // height))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


class Browser:
    """One browser context (its own cookies) with the steps a person takes."""

    def __init__(self, browser: Any, base: str, shots: bool) -> None:
        self.base = base
        self.shots = shots
        self.outside: list[str] = []
        self.context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        self.context.route("**/*", self._only_loopback)
        self.page = self.context.new_page()

    def _only_loopback(self, route: Any) -> None:
        host = urlparse(route.request.url).hostname or ""
        if host != "127.0.0.1" and not route.request.url.startswith("data:"):
            self.outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def login(self, username: str) -> None:
        self.context.clear_cookies()
        self.page.goto(self.base + "/login")
        self.page.fill("#username", username)
        self.page.fill("#password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")
        assert "/login" not in self.page.url, f"{username} could not log in"

    def goto(self, path: str) -> Any:
        response = self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        return response

    def shot(self, name: str) -> None:
        if self.shots:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            self.page.evaluate("window.scrollTo(0, 0)")
            self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))

    def move(self, move: str, note: str = "") -> None:
        if note:
            self.page.fill("form.moves textarea[name=note]", note)
        with self.page.expect_navigation():
            self.page.click(f"button[data-move={move}]")
        self.page.wait_for_load_state("networkidle")

    def buttons(self) -> list[str]:
        return [b.get_attribute("data-move") for b in self.page.query_selector_all("[data-move]")]

    def close(self) -> None:
        self.context.close()


def _seed_demo(rt: Runtime) -> None:
    """The bulletin's April 2018 cases and the sweep on 2018-05-10 (a red card → a clue)."""
    with rt.unit_of_work() as ctx:
        seed_story(ctx)
    sweep(rt, now=rt.clock.now())


@pytest.fixture
def person(browser: Any, server: str, database: Database) -> Any:
    opened: list[Browser] = []

    def _open() -> Browser:
        b = Browser(browser, server, shots=database.backend == "sqlite")
        opened.append(b)
        return b

    yield _open
    for b in opened:
        assert not b.outside, f"the page reached outside the server: {b.outside}"
        b.close()


def test_dispatch_rectify_with_photo_verify_close_and_scope(rt: Runtime, person: Any) -> None:
    _seed_demo(rt)
    web = person()

    # 市263办: dashboard, ledger, register (first with a mistake), dispatch to 昆山市
    web.page.goto(web.base + "/login")
    web.shot("01-login")
    web.login("city")
    web.goto("/")  # 驾驶舱 (login lands on 待办)
    web.page.wait_for_selector("#map[data-ready='1']")
    web.shot("02-dashboard")
    web.goto("/problems")
    web.shot("03-ledger")
    web.goto("/problems/new")
    web.page.fill("#f-title", TITLE)
    web.page.fill("#f-water_body", "吴淞江支浜")
    web.page.click("button.primary[type=submit]")
    assert web.page.locator("[data-field=source]").inner_text() == "请选择问题来源"
    assert web.page.input_value("#f-title") == TITLE  # kept after the error
    web.shot("04-register-errors")
    web.page.select_option("#f-source", "信访举报")
    web.page.select_option("#f-category_code", "6T.taihu")
    web.page.select_option("#f-division_code", "320583")
    web.page.fill("#f-location", "昆山市千灯镇某工业区")
    with web.page.expect_navigation():
        web.page.click("button.primary[type=submit]")
    assert "问题已登记" in web.page.inner_text(".notice")
    problem_url = urlparse(web.page.url).path
    problem_id = int(problem_url.rsplit("/", 1)[1])
    web.page.click("#dispatch-link")
    web.page.select_option("#f-lead", label="昆山市263办")
    web.page.fill("#f-lead_due", "2018-05-25")
    web.shot("05-dispatch")
    with web.page.expect_navigation():
        web.page.click("button.primary[type=submit]")
    assert "已交办" in web.page.inner_text(".notice")
    assert "剩余 11 个工作日" in web.page.inner_text("#assignments")  # 05-11 … 05-25

    # 昆山市263办: accept, upload a photo, submit the rectification
    web.login("kunshan")
    web.goto(problem_url)
    assert web.buttons() == ["accept"]
    web.move("accept")
    assert web.buttons() == ["submit"]
    web.page.set_input_files(
        "#upload-file", {"name": "整改后现场.png", "mimeType": "image/png", "buffer": photo_png()}
    )
    with web.page.expect_navigation():
        web.page.click("#evidence button[type=submit]")
    web.page.wait_for_load_state("networkidle")
    preview = web.page.locator("#evidence img")
    assert preview.count() == 1
    assert web.page.evaluate("document.querySelector('#evidence img').naturalWidth") == 160
    web.move("submit", "已封堵雨水排口，含铜废水接入厂内处理设施，附整改后照片。")
    assert web.page.inner_text("#problem-state") == "待核查"
    web.shot("06-detail-rectified")

    # 市263办: verify → closed (销号)
    web.login("city")
    web.goto(problem_url)
    assert web.buttons() == ["verify", "return"]
    web.move("verify", "现场核查：排口已封堵，照片与现场一致。")
    assert web.page.inner_text("#problem-state") == "已销号"
    timeline = web.page.inner_text("#timeline")
    for step in ("登记", "交办", "签收", "上传材料", "提交整改", "核查通过"):
        assert step in timeline
    web.shot("07-detail-closed")

    # 吴江区263办: not in the list, the detail URL is a 404, the export does not hold it
    web.login("wujiang")
    web.goto("/problems")
    assert TITLE not in web.page.inner_text("table.ledger")
    response = web.goto(problem_url)
    assert response.status == 404 and "问题不存在" in web.page.inner_text("main")
    web.shot("08-wujiang-not-found")
    export = web.context.request.get(web.base + "/problems/export.xlsx")
    assert export.status == 200
    sheet = load_workbook(BytesIO(export.body()), read_only=True)["问题台账"]
    ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert problem_id not in ids
    image = web.context.request.get(web.base + "/attachments/1/view")
    assert image.status == 404 or "image" not in image.headers.get("content-type", "")

    # 纪委监委: the red-card clue on its dashboard, read-only problem page
    web.login("jiwei")
    web.goto("/")  # 驾驶舱 (login lands on 待办)
    web.page.wait_for_selector("#map[data-ready='1']")
    pipeline = web.page.inner_text(".pipeline")
    assert re.search(r"1\s*已生成", pipeline), pipeline
    clues = web.page.inner_text("ul.clues")
    assert "红牌" in clues or "逾期" in clues
    assert "主动履职不到位" in clues
    web.shot("09-dashboard-jiwei")
    web.page.click("ul.clues a")
    web.page.wait_for_load_state("networkidle")
    assert web.buttons() == [] and web.page.locator("#upload-file").count() == 0
    assert "生成线索" in web.page.inner_text("#timeline")


def test_dashboard_map_renders_suzhou_with_data_and_links_into_the_ledger(
    rt: Runtime, person: Any
) -> None:
    _seed_demo(rt)
    web = person()
    web.login("leader")
    web.goto("/")  # 驾驶舱 (login lands on 待办)
    web.page.wait_for_selector("#map[data-ready='1']")
    info = web.page.evaluate(
        """() => {
          const chart = window.eco263Dashboard.chart;
          const option = chart.getOption();
          const regions = option.series[0].data;
          return {
            features: echarts.getMap('suzhou').geoJSON.features.map(f => f.properties.name),
            regions: regions.map(d => [d.name, d.value]),
            points: option.series[1].data.map(d => d.name),
            canvas: document.querySelectorAll('#map canvas').length,
          };
        }"""
    )
    assert len(info["features"]) == 9 and "昆山市" in info["features"]
    assert info["canvas"] >= 1
    values = {name: v for name, v in info["regions"] if v is not None}  # ECharts adds the rest
    assert values["姑苏区"] >= 1 and all(name in info["features"] for name in values)
    assert info["points"] == ["苏州工业园区"]  # 320571 as a point of its own
    kpi_open = int(web.page.inner_text("[data-kpi=open] .kpi-value"))
    assert kpi_open == sum(values.values()) + sum(
        int(p) for p in web.page.evaluate("window.eco263Dashboard.data.points.map(p => p.open)")
    ) + _city_level_open(web)
    # the 按逾期 toggle recolours by overdue counts
    web.page.click(".toggle button[data-metric=overdue]")
    coloured = web.page.evaluate(
        "window.eco263Dashboard.chart.getOption().series[0].data.map(d => [d.name, d.value])"
    )
    expected = {
        d["name"]: d["overdue"] for d in web.page.evaluate("window.eco263Dashboard.data.regions")
    }
    assert {name: v for name, v in coloured if v is not None} == expected
    # clicking 昆山市 on the map (coloured by overdue now) opens its overdue problems
    x, y = web.page.evaluate(
        """() => {
          const [px, py] = window.eco263Dashboard.chart.convertToPixel({geoIndex: 0},
                                                                     [120.95, 31.42]);
          const box = document.getElementById('map').getBoundingClientRect();
          return [box.left + px, box.top + py];
        }"""
    )
    with web.page.expect_navigation():
        web.page.mouse.click(x, y)
    assert urlparse(web.page.url).query == "division=320583&due=overdue"
    web.goto("/")
    web.page.wait_for_selector("#map[data-ready='1']")
    # the ranking leads into the division's ledger too
    href = web.page.locator("table.rank a", has_text="姑苏").get_attribute("href")
    assert href == "/problems?division=320508"
    web.goto(href)
    rows = web.page.locator("table.ledger tbody tr").count()
    assert rows >= 1 and "姑苏" in web.page.inner_text("table.ledger")


def _city_level_open(web: Browser) -> int:
    """Open problems filed at city level (市本级) are in the KPI but on no district."""
    for row in web.page.locator("table.rank tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        if len(cells) > 2 and cells[1] == "市本级":
            return int(cells[2])
    return 0
