"""The dashboard and the ledger run a fixed number of SQL statements, whatever the data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from eco263.clock import parse_now
from eco263.problems import actions
from eco263.problems.enums import Move
from eco263.runtime import Runtime
from tests.factories.problems import dispatch, give_account, register
from tests.web.conftest import page_login

#: Upper bounds (statements per page view, including the login-token lookup and, on SQLite,
#: the BEGIN); a change that adds a query per row breaks them at once.
DASHBOARD_MAX = 11
LEDGER_MAX = 10
DETAIL_MAX = 16  # + the menu's unread count and the problem's open 催办

#: The exact statements behind the dashboard and the ledger on PostgreSQL (SQLite adds its
#: BEGIN), so that any extra query shows up here, not only one per row.  Both start with the
#: session: token + user, the actor's division path, its subtree codes, and the menu's unread
#: 站内消息 count (4).
#: Dashboard: + per-division figures, divisions, clue pipeline, newest clues, newest alarms,
#: the latest assessment ranking (6) = 10, and one more for the alarms' points when there are
#: alarms (two more for the ranking's scheme and scores once a ranking is computed).
#: Ledger page with rows: + count, page, division choices, the rows' units (lead unit and
#: nearest open unit deadline, with names, in one statement) (4) = 8; an empty page skips the
#: units = 7.
DASHBOARD_STATEMENTS = 10
LEDGER_STATEMENTS = 8
EMPTY_LEDGER_STATEMENTS = 7

#: Ledger views the bench (bench/web.py) measures: every filter, a sort, a later page.
LEDGER_VIEWS = (
    "/problems",
    "/problems?division=320583",
    "/problems?state=open",
    "/problems?due=overdue",
    "/problems?due=soon&sort=due",
    "/problems?q=问题",
    "/problems?division=320583&state=open&sort=due&dir=asc",
    "/problems?page=2&size=20",
)


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _add(as_user: Any, n: int) -> int:
    last = 0
    accepting = []
    with as_user("city") as ctx:
        for i in range(n):
            division = ("320583", "320509", "320571", "320505")[i % 4]
            p = register(ctx, title=f"问题 {i}", division_code=division, due_date=date(2018, 5, 31))
            (a,) = dispatch(ctx, p.id, lead="苏州市环保局")
            if i % 3 == 0:
                accepting.append(a.id)
            last = p.id
    with as_user(give_account(as_user, "苏州市环保局", "sz_epb")) as ctx:
        for assignment_id in accepting:
            actions.do_move(ctx, assignment_id, Move.ACCEPT)
    return last


def _count(client: TestClient, rt: Runtime, url: str) -> int:
    with counting(rt.engine) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_statements_per_page_are_bounded_and_do_not_grow_with_rows(
    client: TestClient, rt: Runtime, as_user: Any
) -> None:
    last = _add(as_user, 3)
    page_login(client, "city")
    small = {
        url: _count(client, rt, url)
        for url in ("/", "/problems", "/problems?due=soon&sort=due", f"/problems/{last}")
    }
    last = _add(as_user, 40)
    large = {
        url: _count(client, rt, url)
        for url in ("/", "/problems", "/problems?due=soon&sort=due", f"/problems/{last}")
    }
    assert list(small.values()) == list(large.values()), (small, large)
    counts = list(large.values())
    assert counts[0] <= DASHBOARD_MAX, counts
    assert counts[1] <= LEDGER_MAX and counts[2] <= LEDGER_MAX, counts
    assert counts[3] <= DETAIL_MAX, counts
    with counting(rt.engine) as statements:
        assert client.get("/problems/export.xlsx").status_code == 200
    assert len(statements) <= LEDGER_MAX  # 43 rows: one chunk, one lead-unit lookup


def _extra_statements(rt: Runtime) -> int:
    """SQLite's explicit BEGIN (the engine takes over transaction control there)."""
    return 1 if rt.engine.dialect.name == "sqlite" else 0


def test_dashboard_and_ledger_statements_are_exact(
    client: TestClient, rt: Runtime, as_user: Any
) -> None:
    _add(as_user, 90)  # over a page of 20 for kunshan too: 320583 and three other divisions
    with as_user("city", at=parse_now("2018-04-20T09:00")) as ctx:
        for division in ("320583", "320509"):  # overdue and due-soon rows in both scopes
            for due in (date(2018, 5, 9), date(2018, 5, 14)):
                p = register(ctx, division_code=division, due_date=due)
                dispatch(ctx, p.id, lead="苏州市环保局", due=due)
    extra = _extra_statements(rt)
    for username in ("city", "kunshan"):
        page_login(client, username)
        assert _count(client, rt, "/") == DASHBOARD_STATEMENTS + extra, username
        for url in LEDGER_VIEWS:
            assert _count(client, rt, url) == LEDGER_STATEMENTS + extra, (username, url)
        empty = "/problems?q=没有这个词"
        assert _count(client, rt, empty) == EMPTY_LEDGER_STATEMENTS + extra, username
