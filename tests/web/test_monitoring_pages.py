"""在线监测 pages: the points with their latest values and status, a point's chart data and
page, scope (a 404 like a missing point), and a fixed number of queries per page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from eco263.alarms.actions import do_record_alarm
from eco263.runtime import Runtime
from tests.factories.alarms import (
    COPPER,
    NOW,
    SCENARIO_START,
    dilution,
    facts,
    limited_point,
    scenario_copper,
    scenario_flag,
    store_minutes,
)
from tests.factories.monitoring import MN
from tests.web.conftest import page_login
from tests.web.test_queries import counting

WUJIANG_MN = "010000A8900016F000169WJ1"
#: Statements per page view (login-token lookup and SQLite's BEGIN included).
LIST_MAX = 10
POINT_MAX = 11


def _row(html: str, point_id: int) -> str:
    match = re.search(rf'<tr data-point="{point_id}".*?</tr>', html, re.S)
    assert match, f"point {point_id} not listed"
    return match.group(0)


def _value(html: str, pollutant: str) -> str:
    match = re.search(rf'data-pollutant="{pollutant}"[^>]*>(.*?)</li>', html, re.S)
    assert match, pollutant
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def _points(as_user: Any) -> tuple[int, int]:
    """A 昆山 point (依利安达, copper limit) and a 吴江 point without an enterprise."""
    with as_user("city") as ctx:
        kunshan = limited_point(ctx).id
        wujiang = limited_point(
            ctx, mn=WUJIANG_MN, name="吴江某印染厂 废水排口", division_code="320509", uscc=None
        ).id
    return kunshan, wujiang


def test_list_shows_latest_values_flags_status_and_exceedance(
    client: TestClient, rt: Runtime, as_user: Any
) -> None:
    kunshan, wujiang = _points(as_user)
    # 昆山: the last minute (5 minutes ago) has copper 0.45 mg/L against a 0.3 limit.
    store_minutes(rt, kunshan, NOW - timedelta(minutes=30), 26, lambda i: 0.45 if i == 25 else 0.2)
    # 吴江: its last record is three hours old, and flagged maintenance at 0.9 (not counted).
    store_minutes(
        rt, wujiang, NOW - timedelta(hours=3), 10, lambda i: 0.9, lambda i: "M", mn=WUJIANG_MN
    )
    page_login(client, "city")
    html = client.get("/monitoring").text

    ks = _row(html, kunshan)
    assert 'data-status="online"' in ks and "在线" in ks and "超标" in ks
    assert "依利安达" in ks and "昆山市" in ks
    assert "2018-05-10 08:55" in ks and "分钟数据" in ks  # last data time, Beijing time
    assert _value(ks, COPPER) == "总铜 0.45 mg/L"
    assert 'class="val over"' in ks
    assert _value(ks, "w01018").startswith("化学需氧量 ")

    wj = _row(html, wujiang)
    assert 'data-status="offline"' in wj and "离线" in wj
    assert "超标" not in wj  # 0.9 > 0.3, but flagged M: not a valid value
    assert _value(wj, COPPER) == "总铜 0.9 mg/L M"
    assert "flagged" in wj


def test_point_without_data_is_listed_as_such(
    client: TestClient, rt: Runtime, as_user: Any
) -> None:
    kunshan, _ = _points(as_user)
    page_login(client, "kunshan")
    row = _row(client.get("/monitoring").text, kunshan)
    assert 'data-status="no_data"' in row and "暂无数据" in row


def test_scope_other_division_is_not_listed_and_is_a_404_like_a_missing_point(
    client: TestClient, rt: Runtime, as_user: Any
) -> None:
    kunshan, wujiang = _points(as_user)
    store_minutes(rt, kunshan, NOW - timedelta(minutes=10), 5, lambda i: 0.2)
    page_login(client, "wujiang")
    html = client.get("/monitoring").text
    assert f'data-point="{wujiang}"' in html
    assert f'data-point="{kunshan}"' not in html and "依利安达" not in html
    other = client.get(f"/monitoring/points/{kunshan}")
    missing = client.get("/monitoring/points/999999")
    assert other.status_code == missing.status_code == 404
    assert other.text == missing.text and "监测点位不存在" in other.text
    series = client.get(f"/monitoring/points/{kunshan}/series")
    assert series.status_code == 404 and "application/json" not in series.headers["content-type"]
    # an enterprise sees its own points only
    page_login(client, "yld")
    html = client.get("/monitoring").text
    assert f'data-point="{kunshan}"' in html and f'data-point="{wujiang}"' not in html
    assert client.get(f"/monitoring/points/{wujiang}").status_code == 404


def test_series_defaults_to_the_last_48_hours_of_data_with_limit_and_flags(
    client: TestClient, rt: Runtime, as_user: Any
) -> None:
    kunshan, _ = _points(as_user)
    # 2018-05-01: older than 48 h before the data's end, so outside the default window
    store_minutes(rt, kunshan, NOW - timedelta(days=9), 5, lambda i: 0.1)
    store_minutes(rt, kunshan, SCENARIO_START, 360, scenario_copper, scenario_flag)
    page_login(client, "city")
    data = client.get(f"/monitoring/points/{kunshan}/series").json()
    assert data["pollutant"] == COPPER and data["pollutant_name"] == "总铜"
    assert data["cn"] == "2051" and data["unit"] == "mg/L"
    assert data["end"] == "2018-05-10 08:59:00"  # the newest record, not "now"
    assert data["start"] == "2018-05-08 08:59:00"
    assert data["limit"] == {"value": 0.3, "unit": "mg/L", "standard": "GB 21900-2008 表3"}
    assert data["count"] == 360
    values = [v for _, v in data["line"]]
    assert values[0] == 0.4 and values[-1] == 0.04 and None not in values  # no gap
    assert data["line"][0][0] == "2018-05-10 03:00:00"
    flags = {g["flag"]: g for g in data["flagged"]}
    assert set(flags) == {"M", "C"}
    assert flags["M"]["kind"] == "maintenance" and flags["M"]["label"] == "维护（M）"
    assert len(flags["M"]["data"]) == 15 and flags["M"]["data"][0][0] == "2018-05-10 04:40:00"
    assert len(flags["C"]["data"]) == 1 and flags["C"]["kind"] == "calibration"

    # a chosen window and pollutant: the first hour of COD, which has no limit
    chosen = client.get(
        f"/monitoring/points/{kunshan}/series",
        params={"pollutant": "w01018", "hours": "6", "end": "2018-05-10T04:00"},
    ).json()
    assert chosen["pollutant"] == "w01018" and chosen["limit"] is None
    assert chosen["start"] == "2018-05-09 22:00:00" and chosen["end"] == "2018-05-10 04:00:00"
    assert chosen["count"] == 61  # 03:00 … 04:00 inclusive
    # nonsense parameters fall back to the defaults
    fallback = client.get(
        f"/monitoring/points/{kunshan}/series",
        params={"pollutant": "x'; drop", "hours": "99999", "end": "yesterday", "cn": "9999"},
    ).json()
    assert fallback["pollutant"] == COPPER and fallback["count"] == 360


def test_series_marks_gaps_so_the_line_breaks(
    client: TestClient, rt: Runtime, as_user: Any
) -> None:
    kunshan, _ = _points(as_user)
    store_minutes(rt, kunshan, NOW - timedelta(hours=2), 10, lambda i: 0.1)
    store_minutes(rt, kunshan, NOW - timedelta(minutes=30), 10, lambda i: 0.2)
    page_login(client, "city")
    data = client.get(f"/monitoring/points/{kunshan}/series").json()
    assert data["count"] == 20
    assert [v for _, v in data["line"]].count(None) == 1


def test_point_page_shows_chart_selectors_limit_latest_values_and_alarms(
    client: TestClient, rt: Runtime, as_user: Any
) -> None:
    kunshan, _ = _points(as_user)
    store_minutes(rt, kunshan, SCENARIO_START, 360, scenario_copper, scenario_flag)
    with as_user("city") as ctx:
        alarm = do_record_alarm(ctx, facts(ctx, kunshan), dilution(NOW - timedelta(hours=3), NOW))
    page_login(client, "kunshan")
    response = client.get(f"/monitoring/points/{kunshan}")
    assert response.status_code == 200
    html = response.text
    assert (
        f'data-src="/monitoring/points/{kunshan}/series?pollutant=w20122&amp;cn=2051&amp;hours=48"'
        in html
    )
    assert '<option value="w20122" selected>总铜</option>' in html
    assert '<option value="48" selected>48 小时</option>' in html
    assert "vendor/echarts.min.js" in html and "point_chart.js" in html
    assert "cdn" not in html.lower()
    assert "GB 21900-2008 表3" in html and "0.3 mg/L" in html
    assert "2018-05-08 08:59 至 2018-05-10 08:59" in html
    assert f'<tr data-alarm="{alarm.id}">' in html and "疑似稀释采样" in html
    assert f'href="/problems/{alarm.problem_id}"' in html
    latest = re.search(r'<tr data-pollutant="w20122".*?</tr>', html, re.S)
    assert latest and "0.04" in latest.group(0) and "正常" in latest.group(0)
    # choosing a pollutant and window is a plain GET: the chart source follows it
    chosen = client.get(
        f"/monitoring/points/{kunshan}", params={"pollutant": "w01018", "hours": "6"}
    ).text
    assert "series?pollutant=w01018&amp;cn=2051&amp;hours=6" in chosen


def test_point_page_without_data_has_no_chart(
    client: TestClient, rt: Runtime, as_user: Any
) -> None:
    kunshan, _ = _points(as_user)
    page_login(client, "city")
    html = client.get(f"/monitoring/points/{kunshan}").text
    assert 'id="chart-empty"' in html and 'id="chart"' not in html


def _count(client: TestClient, rt: Runtime, url: str) -> int:
    with counting(rt.engine) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_statements_per_monitoring_page_do_not_grow_with_points(
    client: TestClient, rt: Runtime, as_user: Any
) -> None:
    kunshan, wujiang = _points(as_user)
    for pid, mn in ((kunshan, MN), (wujiang, WUJIANG_MN)):
        store_minutes(rt, pid, NOW - timedelta(minutes=20), 3, lambda i: 0.2, mn=mn)
    page_login(client, "city")
    urls = ("/monitoring", f"/monitoring/points/{kunshan}", f"/monitoring/points/{kunshan}/series")
    small = [_count(client, rt, url) for url in urls]
    with as_user("city") as ctx:
        extra = [
            limited_point(ctx, mn=f"010000A8900016F00016{n:04d}", name=f"点位 {n}", uscc=None)
            for n in range(6)
        ]
        for p in extra:
            do_record_alarm(ctx, p, dilution(NOW - timedelta(hours=3), NOW, mn=p.mn))
        made = [(p.id, p.mn) for p in extra]
    for pid, mn in made:
        store_minutes(rt, pid, NOW - timedelta(minutes=20), 3, lambda i: 0.2, mn=mn)
    large = [_count(client, rt, url) for url in urls]
    assert small == large, (small, large)
    assert large[0] <= LIST_MAX and large[1] <= POINT_MAX and large[2] <= POINT_MAX, large
    html = client.get("/monitoring").text
    assert html.count("<tr data-point=") == 8
