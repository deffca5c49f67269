"""待办: what waits for each role, linking to the item, the most urgent first."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from eco263.clock import parse_now
from eco263.problems.enums import Move
from tests.factories.problems import dispatch, register, work
from tests.web.conftest import page_login


def _rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr data-kind="([^"]+)">.*?<a href="(/problems/\d+)">', html, re.S)


def test_the_unit_sees_what_to_sign_and_rectify_and_the_office_what_to_verify(
    client: TestClient, as_user: Any
) -> None:
    with as_user("city", at=parse_now("2018-04-20T09:00")) as ctx:
        first = register(ctx, due_date=date(2018, 5, 31), title="待签收的问题")
        dispatch(ctx, first.id, lead="昆山市环保局", due=date(2018, 5, 31))
        second = register(ctx, due_date=date(2018, 5, 14), title="整改中的问题")
        (b,) = dispatch(ctx, second.id, lead="昆山市环保局", due=date(2018, 5, 14))
        third = register(ctx, due_date=date(2018, 5, 30), title="待核查的问题")
        (c,) = dispatch(ctx, third.id, lead="昆山市环保局", due=date(2018, 5, 30))
    work(as_user, b.id, Move.ACCEPT)
    work(as_user, c.id, Move.ACCEPT, Move.SUBMIT)

    page_login(client, "ks_epb")
    html = client.get("/workbench").text
    assert 'href="/workbench"' in html  # in the navigation
    assert _rows(html) == [
        ("待整改", f"/problems/{second.id}"),  # 2 working days left
        ("待签收", f"/problems/{first.id}"),
    ]
    assert "共 2 项" in html

    page_login(client, "city")
    html = client.get("/workbench").text
    assert _rows(html) == [("待核查", f"/problems/{third.id}")]

    page_login(client, "wujiang")  # another district: nothing of 昆山's
    assert _rows(client.get("/workbench").text) == []
    assert "暂无待办事项" in client.get("/workbench").text


def test_the_jiwei_sees_clues_to_accept_and_offices_alarms_to_acknowledge(
    client: TestClient, rt: Any
) -> None:
    """On the demo (its sweep on 2018-05-10 raises a red-card clue; the copper case an alarm)."""
    from tests.e2e.test_workflow import _seed_demo

    _seed_demo(rt)
    page_login(client, "jiwei")
    html = client.get("/workbench").text
    kinds = re.findall(r'<tr data-kind="([^"]+)">.*?<a href="([^"]+)">', html, re.S)
    assert kinds and all(href.startswith("/supervision/clues/") for _, href in kinds), kinds
    assert {kind for kind, _ in kinds} == {"待阅线索"}
    for _, href in kinds:
        assert client.get(href).status_code == 200
    page_login(client, "ks_epb")  # a department acknowledges no alarm, reads no clue
    html = client.get("/workbench").text
    assert "待确认报警" not in html and "待阅线索" not in html


def test_offices_in_scope_see_an_open_alarm_to_acknowledge(
    client: TestClient, rt: Any, as_user: Any
) -> None:
    from tests.factories.alarms import tampering_case

    _, alarm = tampering_case(rt, as_user)
    for username in ("city", "kunshan"):
        page_login(client, username)
        html = client.get("/workbench").text
        assert ("待确认报警", f"/alarms/{alarm.id}") in re.findall(
            r'<tr data-kind="([^"]+)">.*?<a href="([^"]+)">', html, re.S
        ), username
    page_login(client, "wujiang")
    assert f"/alarms/{alarm.id}" not in client.get("/workbench").text
