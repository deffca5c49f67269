"""One meaning for every deadline on screen: each unit's own deadline drives the row, the
临期/逾期 filters and the dashboard's cards; a card equals the list it links to, for every
role; the ranking lists every division; a unit deadline after the problem's is refused."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from eco263.clock import parse_now
from eco263.errors import InvalidInput
from eco263.problems import actions
from eco263.problems.enums import Move
from eco263.problems.schemas import AssignmentSpec
from tests.factories.problems import dispatch, org, register, work
from tests.web.conftest import page_login

SETUP = parse_now("2018-04-20T09:00")  # today in the tests is 2018-05-10 (tests/conftest.py)
ROLES = ("city", "kunshan", "ks_epb", "wujiang", "gusu_water", "snd_epb", "jiwei", "leader")


def _kpis(html: str) -> dict[str, tuple[str, str | None]]:
    """KPI key → (value, href) as the dashboard shows them."""
    found: dict[str, tuple[str, str | None]] = {}
    for m in re.finditer(
        r'<(?:a|div) class="kpi[^"]*"(?: href="([^"]*)")? data-kpi="([^"]+)"[^>]*>\s*'
        r'<span class="kpi-label">[^<]*</span>\s*<span class="kpi-value">([^<]*)</span>',
        html,
    ):
        found[m.group(2)] = (m.group(3), m.group(1).replace("&amp;", "&") if m.group(1) else None)
    return found


def _total(html: str) -> str:
    m = re.search(r"问题台账 <small>共 (\d+) 条</small>", html)
    assert m, html[:500]
    return m.group(1)


def _spec(ctx: Any, name: str, due: date) -> AssignmentSpec:
    return AssignmentSpec(organization_id=org(ctx, name), due_date=due)


def _story(as_user: Any) -> dict[str, int]:
    with as_user("city", at=SETUP) as ctx:
        # A: the problem's deadline is far; its co-unit's own deadline has passed.
        a = register(ctx, division_code="320508", due_date=date(2018, 6, 29), title="甲问题")
        actions.do_dispatch(
            ctx,
            a.id,
            _spec(ctx, "姑苏区水务局", date(2018, 6, 28)),
            [_spec(ctx, "苏州市环保局", date(2018, 5, 8))],
        )
        # B: far problem deadline, its unit's own in one working day.
        b = register(ctx, due_date=date(2018, 6, 29), title="乙问题")
        actions.do_dispatch(ctx, b.id, _spec(ctx, "昆山市环保局", date(2018, 5, 11)), [])
        # C: not dispatched: its own deadline counts.
        c = register(ctx, due_date=date(2018, 5, 11), title="丙问题")
    closures = (
        ("2018-03-01T09:00", "2018-04-20T10:00"),  # closed in April
        ("2018-04-02T09:00", "2018-05-08T10:00"),
        ("2018-04-10T09:00", "2018-05-09T10:00"),
    )
    for found, verified in closures:
        with as_user("city", at=parse_now(found)) as ctx:
            p = register(ctx, due_date=date(2018, 5, 31), title="已销号问题")
            (x,) = dispatch(ctx, p.id, lead="昆山市环保局")
        work(as_user, x.id, Move.ACCEPT, Move.SUBMIT, Move.VERIFY, at=parse_now(verified))
    return {"a": a.id, "b": b.id, "c": c.id}


def test_each_card_equals_the_list_it_links_to_for_every_role(
    client: TestClient, as_user: Any
) -> None:
    _story(as_user)
    checked = 0
    for username in ROLES:
        page_login(client, username)
        kpis = _kpis(client.get("/").text)
        assert {"open", "due_soon", "overdue", "closed_month"} <= set(kpis), username
        for key, (value, href) in kpis.items():
            if href is None:
                continue
            listed = _total(client.get(href).text)
            assert listed == value, (username, key, href, value, listed)
            checked += 1
    assert checked == 4 * len(ROLES)


def test_city_counts_the_nearest_unit_deadline_and_the_row_names_its_unit(
    client: TestClient, as_user: Any
) -> None:
    ids = _story(as_user)
    page_login(client, "city")
    kpis = _kpis(client.get("/").text)
    assert kpis["overdue"][0] == "1"  # A, by its co-unit's own deadline
    assert kpis["due_soon"][0] == "2"  # B by its unit's deadline, C by its own
    assert kpis["closed_month"][0] == "2"  # closed in May, not the one in April
    overdue = client.get("/problems?due=overdue").text
    row = re.search(rf'<tr data-id="{ids["a"]}">(.*?)</tr>', overdue, re.S)
    assert row and "2018-05-08" in row.group(1) and "苏州市环保局" in row.group(1)
    soon = client.get("/problems?due=soon").text
    row = re.search(rf'<tr data-id="{ids["b"]}">(.*?)</tr>', soon, re.S)
    assert row and "2018-05-11" in row.group(1) and "data-flag>临期" in row.group(1)


def test_a_department_counts_its_own_task_not_another_units(
    client: TestClient, as_user: Any
) -> None:
    _story(as_user)
    page_login(client, "gusu_water")
    kpis = _kpis(client.get("/").text)
    assert kpis["open"][0] == "1"
    assert kpis["overdue"][0] == "0"  # A's overdue part is 苏州市环保局's
    assert _total(client.get("/problems?due=overdue").text) == "0"
    html = client.get("/problems").text
    assert "2018-06-28" in html and "2018-05-08" not in html


def test_the_ranking_lists_every_district_and_the_map_names_them_as_the_table_does(
    client: TestClient, as_user: Any
) -> None:
    _story(as_user)
    page_login(client, "city")
    html = client.get("/").text
    rank = html[html.index('<table class="rank">') : html.index("</table>", html.index("rank"))]
    every = ("姑苏", "吴中", "相城", "吴江", "高新区", "昆山", "常熟", "张家港", "太仓", "园区")
    for name in every:
        assert f">{name}</a>" in rank, name
    assert "虎丘区" not in rank
    data = json.loads(re.findall(r'id="dash-data">(.*?)</script>', html, re.S)[0])
    assert data["labels"]["虎丘区"] == "高新区"  # the map's label for the feature 虎丘区
    names = re.findall(r'<td><a href="/problems\?division=\d+">([^<]+)</a></td>', rank)
    # ranked by rate first (昆山 has closures), then those with no rate
    assert names[0] == "昆山"


def test_a_unit_deadline_after_the_problems_is_refused(as_user: Any) -> None:
    with as_user("city", at=SETUP) as ctx:
        p = register(ctx, due_date=date(2018, 5, 31))
        with pytest.raises(InvalidInput, match="单位期限不得晚于问题期限"):
            actions.do_dispatch(ctx, p.id, _spec(ctx, "昆山市环保局", date(2018, 6, 1)), [])
        actions.do_dispatch(ctx, p.id, _spec(ctx, "昆山市环保局", date(2018, 5, 31)), [])
