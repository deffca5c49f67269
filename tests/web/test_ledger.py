"""The ledger page: filters, sorting, pagination, and the Excel export exactly as filtered;
scope on the list, the detail page and the export."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from eco263.clock import parse_now
from tests.factories.problems import dispatch, register
from tests.web.conftest import page_login


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-id="(\d+)">', html)]


def _export(client: TestClient, query: str) -> list[tuple[Any, ...]]:
    response = client.get("/problems/export.xlsx?" + query)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    sheet = load_workbook(BytesIO(response.content), read_only=True)["问题台账"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "问题", "来源")
    return rows[1:]


def _seed(as_user: Any) -> dict[str, int]:
    """Five problems in 昆山 and 吴江 with distinct sources, categories, states, deadlines."""
    ids: dict[str, int] = {}
    with as_user("city") as ctx:
        ids["ks_petition"] = register(
            ctx, title="昆山某厂雨水排口偷排", source="信访举报", category_code="6T.taihu"
        ).id
        ids["ks_overdue"] = register(
            ctx,
            title="昆山某河黑臭",
            found_on=date(2018, 4, 20),
            due_date=date(2018, 5, 10),
        ).id
        ids["ks_soon"] = register(ctx, title="昆山印染厂异味", due_date=date(2018, 5, 11)).id
        ids["wj_black"] = register(ctx, title="吴江某河黑臭", division_code="320509").id
        ids["wj_media"] = register(
            ctx,
            title="吴江码头扬尘",
            division_code="320509",
            source="媒体曝光",
            category_code="6T.ship_port",
        ).id
        dispatch(ctx, ids["ks_soon"])
    return ids


def test_filters_narrow_the_list_and_the_export_has_exactly_those_rows(
    client: TestClient, as_user: Any
) -> None:
    ids = _seed(as_user)
    page_login(client, "city")
    cases = {
        "division=320509": {ids["wj_black"], ids["wj_media"]},
        "source=媒体曝光": {ids["wj_media"]},
        "category=6T.taihu": {ids["ks_petition"]},
        "state=assigned": {ids["ks_soon"]},
        "due=soon&division=320583": {ids["ks_soon"], ids["ks_overdue"]},
        "q=黑臭": {ids["ks_overdue"], ids["wj_black"]},
        "q=黑臭&division=320583": {ids["ks_overdue"]},
    }
    for query, expected in cases.items():
        listed = set(_ids(client.get("/problems?" + query).text))
        assert listed == expected, query
        exported = {row[0] for row in _export(client, query)}
        assert exported == expected, query


def test_overdue_filter_uses_the_deadline_and_the_state(client: TestClient, as_user: Any) -> None:
    with as_user("city", at=parse_now("2018-04-20T09:00")) as ctx:
        late = register(ctx, title="昆山逾期问题", due_date=date(2018, 5, 9))
        register(ctx, title="昆山未逾期问题", due_date=date(2018, 5, 31))
    page_login(client, "kunshan")
    assert _ids(client.get("/problems?due=overdue").text) == [late.id]
    page = client.get("/problems?due=overdue").text
    assert "逾期 1" in page  # 2018-05-09 → 05-10: one working day late


def test_sorting_and_pagination_follow_the_url_and_the_export_keeps_the_order(
    client: TestClient, as_user: Any
) -> None:
    _seed(as_user)
    page_login(client, "city")
    page = client.get("/problems?sort=due&dir=asc&size=20&division=320583").text
    ordered = _ids(page)
    assert len(ordered) == 3
    exported = [row[0] for row in _export(client, "sort=due&dir=asc&division=320583")]
    assert exported == ordered
    dues = [row[9] for row in _export(client, "sort=due&dir=asc&division=320583")]
    assert dues == sorted(dues)
    # newest first by default; page 2 of size 20 holds the rest of the city's ledger
    first = _ids(client.get("/problems?size=20").text)
    assert first == sorted(first, reverse=True) and len(first) <= 20
    count = re.search(r"共 (\d+) 条", client.get("/problems").text)
    assert count
    total = int(count.group(1))
    second = _ids(client.get("/problems?size=20&page=2").text)
    assert len(first) + len(second) == min(total, 40)
    assert not set(first) & set(second)
    header = re.search(r'<a href="([^"]+)" class="sorted asc" data-sort="due">', page)
    assert header, "the sorted column is marked"
    assert header.group(1) == "/problems?division=320583&amp;sort=due&amp;size=20"  # flips to desc


def test_bad_parameters_are_ignored_not_errors(client: TestClient) -> None:
    page_login(client, "city")
    for query in ("page=x", "size=7", "sort=password", "state=nope", "due=later", "page=-3"):
        assert client.get("/problems?" + query).status_code == 200, query


def test_a_wujiang_user_cannot_see_a_kunshan_problem_anywhere(
    client: TestClient, as_user: Any
) -> None:
    ids = _seed(as_user)
    ks = ids["ks_petition"]
    page_login(client, "wujiang")
    assert ks not in _ids(client.get("/problems").text)
    detail = client.get(f"/problems/{ks}")
    missing = client.get("/problems/999999")
    assert detail.status_code == missing.status_code == 404
    assert detail.text == missing.text and "问题不存在" in detail.text  # scope cannot be probed
    exported = {row[0] for row in _export(client, "")}
    assert ks not in exported and exported == {ids["wj_black"], ids["wj_media"]}
    assert ks not in {row[0] for row in _export(client, "division=320583")}
    page_login(client, "kunshan")
    assert client.get(f"/problems/{ks}").status_code == 200
    assert ks in {row[0] for row in _export(client, "")}


def test_a_department_sees_only_the_problems_assigned_to_it(
    client: TestClient, as_user: Any
) -> None:
    ids = _seed(as_user)
    page_login(client, "ks_epb")
    assert _ids(client.get("/problems").text) == [ids["ks_soon"]]
    assert [row[0] for row in _export(client, "")] == [ids["ks_soon"]]
    assert client.get(f"/problems/{ids['ks_petition']}").status_code == 404


def test_a_long_list_has_page_links_that_keep_the_filters(client: TestClient, as_user: Any) -> None:
    with as_user("city") as ctx:
        for i in range(25):
            register(ctx, title=f"分页 {i}", division_code="320583")
    page_login(client, "city")
    html = client.get("/problems?division=320583&state=registered&size=20").text
    pager = re.search(r'<nav class="pager".*?</nav>', html, re.S)
    assert pager, "more than one page of rows shows the page links"
    assert re.search(r"第 1 / (\d+) 页", pager.group(0))
    assert 'rel="prev"' not in pager.group(0)
    assert re.search(r'href="[^"]*division=320583[^"]*page=2[^"]*" rel="next"', pager.group(0))
    last = client.get("/problems?division=320583&state=registered&size=20&page=2").text
    assert 'rel="prev"' in last and 'rel="next"' not in last
