"""The 驾驶舱: KPI figures, the map's data, the ranking, the clue pipeline — scoped."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from eco263.clock import FixedClock, parse_now
from eco263.problems.enums import Move
from eco263.problems.scheduled import sweep
from eco263.runtime import Runtime
from tests.factories.problems import dispatch, give_account, register, work
from tests.web.conftest import page_login


def _kpi(html: str, key: str) -> str:
    match = re.search(
        rf'data-kpi="{key}"[^>]*>\s*<span class="kpi-label">[^<]*</span>\s*'
        r'<span class="kpi-value">([^<]*)</span>',
        html,
    )
    assert match, key
    return match.group(1)


def _map(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="dash-data">(.*?)</script>', html, re.S)
    assert match
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def _close(as_user: Any, *, found: str, due: date, verified: str, division: str) -> int:
    with as_user("city", at=parse_now(found)) as ctx:
        problem = register(ctx, division_code=division, due_date=due)
        (a,) = dispatch(ctx, problem.id, lead="苏州市环保局")
    give_account(as_user, "苏州市环保局", "sz_epb")
    work(as_user, a.id, Move.ACCEPT, Move.SUBMIT, Move.VERIFY, at=parse_now(verified))
    return problem.id


def test_kpis_count_open_due_soon_overdue_closed_this_month_and_on_time_rate(
    client: TestClient, as_user: Any
) -> None:
    _close(
        as_user,
        found="2018-04-20T09:00",
        due=date(2018, 5, 31),
        verified="2018-05-09T10:00",
        division="320583",
    )
    _close(
        as_user,
        found="2018-04-02T09:00",
        due=date(2018, 4, 27),
        verified="2018-05-08T10:00",
        division="320583",
    )
    _close(
        as_user,
        found="2018-03-01T09:00",
        due=date(2018, 4, 27),
        verified="2018-04-20T10:00",
        division="320509",
    )  # closed in April, on time
    with as_user("city", at=parse_now("2018-04-20T09:00")) as ctx:
        register(ctx, due_date=date(2018, 5, 9))  # overdue
        register(ctx, due_date=date(2018, 5, 11))  # due soon
        register(ctx, due_date=date(2018, 6, 30), division_code="320571")  # open, in 园区
    page_login(client, "city")
    html = client.get("/").text
    assert _kpi(html, "open") == "3"
    assert _kpi(html, "due_soon") == "1"
    assert _kpi(html, "overdue") == "1"
    assert _kpi(html, "closed_month") == "2"
    assert _kpi(html, "on_time") == "66.7%"  # 2 of 3 closed by their deadline
    data = _map(html)
    kunshan = next(r for r in data["regions"] if r["code"] == "320583")
    assert kunshan["name"] == "昆山市" and kunshan["open"] == 2 and kunshan["overdue"] == 1
    assert data["points"] == [
        {
            "name": "苏州工业园区",
            "code": "320571",
            "label": "园区",
            "open": 1,
            "overdue": 0,
            "due_soon": 0,
            "coord": [120.72, 31.32],
        }
    ]
    ranking = re.findall(r'<td><a href="/problems\?division=(\d+)">', html)
    assert ranking[0] == "320509"  # 100% on time ranks first, 昆山 (50%) after it
    assert ranking.index("320509") < ranking.index("320583")


def test_a_district_user_sees_only_its_own_division(client: TestClient, as_user: Any) -> None:
    with as_user("city") as ctx:
        register(ctx, division_code="320583")
        register(ctx, division_code="320509")
        register(ctx, division_code="320509")
    page_login(client, "kunshan")
    html = client.get("/").text
    assert "昆山市" in html and _kpi(html, "open") == "1"
    assert [r["code"] for r in _map(html)["regions"]] == ["320583"]
    assert re.findall(r'<td><a href="/problems\?division=(\d+)">', html) == ["320583"]


def test_the_commission_sees_the_red_card_clue_in_its_pipeline(
    client: TestClient, as_user: Any, rt: Runtime, clock: FixedClock
) -> None:
    with as_user("city", at=parse_now("2018-04-02T09:00")) as ctx:
        problem = register(ctx, title="昆山某厂逾期未整改", due_date=date(2018, 4, 27))
        dispatch(ctx, problem.id, lead="昆山市环保局")
    report = sweep(rt, now=clock.now())
    assert report.red_cards == 1
    page_login(client, "jiwei")
    html = client.get("/").text
    pipeline = re.findall(r'<span class="p-value">(\d+)</span><span class="p-label">([^<]+)', html)
    assert pipeline[0] == ("1", "已生成")
    assert "昆山某厂逾期未整改" in html and "主动履职不到位" in html
    page_login(client, "wujiang")
    html = client.get("/").text
    assert re.findall(r'<span class="p-value">(\d+)</span>', html)[0] == "0"
    assert "昆山某厂逾期未整改" not in html
    page_login(client, "ks_epb")  # a department has no clue card
    assert "问责线索" not in client.get("/").text


def test_the_live_alarm_feed_shows_alarms_in_scope_only(
    client: TestClient, rt: Runtime, as_user: Any
) -> None:
    """实时报警: the 昆山 dilution alarm is on the city's and 昆山's dashboards, not 吴江's."""
    from tests.factories.alarms import tampering_case

    _, alarm = tampering_case(rt, as_user)
    link = f'href="/alarms/{alarm.id}"'
    for username in ("city", "kunshan"):
        page_login(client, username)
        html = client.get("/").text
        assert link in html and "稀释" in html, username
    page_login(client, "wujiang")
    html = client.get("/").text
    assert link not in html and "暂无报警" in html
