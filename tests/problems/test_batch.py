"""批量交办, 批量催办 and 导出所选 from the ledger, through the API and the page: all or
nothing (a refused row — out of scope, wrong state — names itself and changes nothing), each
row audited, the units notified; the export holds exactly the ticked rows the reader may see."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from eco263.audit.models import AuditEvent
from eco263.notifications.models import Notification
from eco263.problems.enums import Move
from eco263.problems.models import Assignment, AssignmentUrge, Problem
from eco263.runtime import Runtime
from tests.conftest import login
from tests.factories import problems as f
from tests.web.conftest import page_login, post_form

DUE = date(2018, 5, 31)


def _count(rt: Runtime, model: Any, *where: Any) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _snapshot(rt: Runtime) -> tuple[int, ...]:
    """(assignments, urges, audit events, notifications, summed problem versions)."""
    with rt.sessions() as s:
        versions = int(s.scalar(select(func.coalesce(func.sum(Problem.version), 0))) or 0)
    return (
        _count(rt, Assignment),
        _count(rt, AssignmentUrge),
        _count(rt, AuditEvent),
        _count(rt, Notification),
        versions,
    )


@pytest.fixture
def rows(as_user: Any) -> dict[str, int]:
    """Three registered 昆山 problems, one in 吴江 (outside 昆山's area), one dispatched in 昆山
    (with a co-unit) and one closed."""
    ids: dict[str, int] = {}
    with as_user("kunshan") as ctx:
        for n in (1, 2, 3):
            ids[f"new{n}"] = f.register(ctx, title=f"批量测试：排口直排 {n}").id
        ids["assigned"] = f.register(ctx, title="批量测试：已交办").id
        f.dispatch(ctx, ids["assigned"], "昆山市环保局", co=("昆山市水务局",))
        ids["closed"] = f.register(ctx, title="批量测试：已销号").id
        (done,) = f.dispatch(ctx, ids["closed"], "昆山市环保局")
    f.work(as_user, done.id, Move.ACCEPT, Move.SUBMIT, Move.VERIFY, office="kunshan")
    with as_user("city") as ctx:
        ids["wujiang"] = f.register(ctx, title="批量测试：吴江某河", division_code="320509").id
    return ids


def _lead(as_user: Any, name: str = "昆山市环保局") -> int:
    with as_user("kunshan") as ctx:
        return f.org(ctx, name)


# -- API -------------------------------------------------------------------------------------


def test_batch_dispatch_through_the_api(
    client: TestClient, rt: Runtime, as_user: Any, rows: dict[str, int]
) -> None:
    ids = [rows["new1"], rows["new2"], rows["new3"]]
    before = _count(rt, AuditEvent, AuditEvent.action == "problem.dispatch")
    body = {"ids": ids, "lead": {"organization_id": _lead(as_user), "due_date": DUE.isoformat()}}
    r = client.post("/api/v1/problems/batch/dispatch", json=body, headers=login(client, "kunshan"))
    assert r.status_code == 200, r.text
    assert r.json()["problem_ids"] == ids and len(r.json()["assignment_ids"]) == 3
    with rt.sessions() as s:
        for pid in ids:
            (a,) = s.scalars(select(Assignment).where(Assignment.problem_id == pid))
            assert a.is_lead and a.due_date == DUE
            assert s.get_one(Problem, pid).state == "assigned"
    assert _count(rt, AuditEvent, AuditEvent.action == "problem.dispatch") == before + 3
    assert _count(rt, Notification, Notification.kind == "assigned") >= 3


def test_batch_dispatch_refusals_change_nothing(
    client: TestClient, rt: Runtime, as_user: Any, rows: dict[str, int]
) -> None:
    lead = _lead(as_user)
    cases: list[tuple[str, dict[str, Any], int, str]] = [
        # a row of 吴江 among 昆山's: named, and reads as missing (scope is not probed)
        ("kunshan", {"ids": [rows["new1"], rows["wujiang"]]}, 404, f"编号 {rows['wujiang']}"),
        ("kunshan", {"ids": [rows["new1"], rows["assigned"]]}, 409, f"编号 {rows['assigned']}"),
        ("kunshan", {"ids": [rows["new1"], 2_000_000]}, 404, "不在您的管辖范围内"),
        ("kunshan", {"ids": [rows["new1"]], "due": "2019-01-31"}, 422, "晚于问题期限"),
        ("ks_epb", {"ids": [rows["new1"]]}, 403, "无权"),
        ("jiwei", {"ids": [rows["new1"]]}, 403, "无权"),
        ("kunshan", {"ids": []}, 422, ""),
        ("kunshan", {"ids": [rows["new1"]], "org": 2_000_000}, 422, "未知单位"),
    ]
    before = _snapshot(rt)
    for username, case, status, text in cases:
        spec = {"organization_id": case.get("org", lead), "due_date": case.get("due")}
        r = client.post(
            "/api/v1/problems/batch/dispatch",
            json={"ids": case["ids"], "lead": spec},
            headers=login(client, username),
        )
        assert r.status_code == status, (username, case, r.text)
        assert text in r.json()["error"]["message"], r.text
        if "编号" in text:
            assert "未作任何更改" in r.json()["error"]["message"]
    assert _snapshot(rt) == before


def test_batch_urge_through_the_api(
    client: TestClient, rt: Runtime, as_user: Any, rows: dict[str, int]
) -> None:
    with as_user("kunshan") as ctx:
        f.dispatch(ctx, rows["new1"], "昆山市环保局")
    body = {"ids": [rows["assigned"], rows["new1"]], "note": "请于本周五前报送整改进展"}
    r = client.post("/api/v1/problems/batch/urges", json=body, headers=login(client, "kunshan"))
    assert r.status_code == 201, r.text
    assert len(r.json()["urge_ids"]) == 3  # the lead and the co-unit of one, the lead of the other
    with rt.sessions() as s:
        counts = s.scalars(
            select(Assignment.urge_count).where(
                Assignment.problem_id.in_([rows["assigned"], rows["new1"]])
            )
        ).all()
    assert sorted(counts) == [1, 1, 1]
    assert _count(rt, AuditEvent, AuditEvent.action == "assignment.urge") == 3
    assert _count(rt, Notification, Notification.kind == "urge") >= 3


def test_batch_urge_refusals_change_nothing(
    client: TestClient, rt: Runtime, rows: dict[str, int]
) -> None:
    note = "请抓紧"
    cases: list[tuple[str, list[int], str, int, str]] = [
        ("kunshan", [rows["assigned"], rows["new1"]], note, 409, f"编号 {rows['new1']}"),
        ("kunshan", [rows["assigned"], rows["closed"]], note, 409, f"编号 {rows['closed']}"),
        ("kunshan", [rows["assigned"], rows["wujiang"]], note, 404, "管辖范围"),
        ("kunshan", [rows["assigned"]], "  ", 422, "催办说明"),
        ("ks_epb", [rows["assigned"]], note, 403, "263办"),
        ("jiwei", [rows["assigned"]], note, 403, "263办"),
        ("leader", [rows["assigned"]], note, 403, "263办"),
    ]
    before = _snapshot(rt)
    for username, ids, text, status, message in cases:
        r = client.post(
            "/api/v1/problems/batch/urges",
            json={"ids": ids, "note": text},
            headers=login(client, username),
        )
        assert r.status_code == status, (username, ids, r.text)
        assert message in r.json()["error"]["message"], r.text
    r = client.post(
        "/api/v1/problems/batch/urges",
        json={"ids": list(range(1, 202)), "note": note},
        headers=login(client, "kunshan"),
    )
    assert r.status_code == 422
    assert _snapshot(rt) == before


# -- pages -----------------------------------------------------------------------------------


def _ticked(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'name="ids" value="(\d+)" form="batch"[^>]*checked', html)}


def test_batch_dispatch_and_urge_on_the_ledger_page(
    client: TestClient, rt: Runtime, as_user: Any, rows: dict[str, int]
) -> None:
    page_login(client, "kunshan")
    page = client.get("/problems")
    assert 'data-batch="dispatch"' in page.text and 'data-batch="urge"' in page.text
    assert f'name="ids" value="{rows["new1"]}" form="batch"' in page.text
    ids = [rows["new1"], rows["new2"]]
    r = post_form(
        client, "/problems/batch/dispatch?sort=id&dir=asc", {"ids": ids, "lead": _lead(as_user)}
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/problems?dir=asc&done=batch_dispatch&n=2")
    shown = client.get(r.headers["location"])
    assert "已批量交办 2 条问题" in shown.text
    r = post_form(client, "/problems/batch/urge", {"ids": [*ids, rows["assigned"]], "note": "速办"})
    assert r.status_code == 303, r.text
    assert "已批量催办 3 条问题（4 个承办单位）" in client.get(r.headers["location"]).text
    assert _count(rt, AssignmentUrge) == 4


def test_a_refused_batch_on_the_page_keeps_the_selection_and_changes_nothing(
    client: TestClient, rt: Runtime, as_user: Any, rows: dict[str, int]
) -> None:
    page_login(client, "kunshan")
    before = _snapshot(rt)
    ids = [rows["new1"], rows["wujiang"]]
    r = post_form(client, "/problems/batch/dispatch", {"ids": ids, "lead": _lead(as_user)})
    assert r.status_code == 404
    assert f"编号 {rows['wujiang']}：问题不存在或不在您的管辖范围内" in r.text
    assert "未作任何更改" in r.text
    assert _ticked(r.text) == {rows["new1"]}  # the 吴江 row is not on 昆山's page at all
    r = post_form(client, "/problems/batch/urge", {"ids": [rows["new2"]], "note": "速办"})
    assert r.status_code == 409 and f"编号 {rows['new2']}" in r.text
    assert _ticked(r.text) == {rows["new2"]}
    r = post_form(client, "/problems/batch/urge", {"ids": [rows["assigned"]], "note": ""})
    assert r.status_code == 422 and "请填写催办说明" in r.text
    r = post_form(client, "/problems/batch/dispatch", {"ids": [rows["new1"]], "lead": ""})
    assert r.status_code == 422 and "请选择牵头单位" in r.text
    r = post_form(
        client, "/problems/batch/dispatch", {"ids": [rows["new1"]], "lead": "1", "due": "5月"}
    )
    assert r.status_code == 422 and "日期格式" in r.text
    r = post_form(client, "/problems/batch/dispatch", {"lead": _lead(as_user)})
    assert r.status_code == 422 and "请先勾选" in r.text
    many = {"ids": [rows["assigned"], *range(10_000, 10_200)], "note": "速办"}
    r = post_form(client, "/problems/batch/urge", many)
    assert r.status_code == 422 and "一次最多批量办理 200 条" in r.text
    r = post_form(client, "/problems/batch/urge", {"ids": [rows["assigned"]], "note": "长" * 501})
    assert r.status_code == 422 and "不超过 500 字" in r.text
    r = client.post("/problems/batch/urge", data={"ids": [rows["assigned"]], "note": "无令牌"})
    assert r.status_code == 403
    page_login(client, "ks_epb")  # a department: export only, no batch writes
    page = client.get("/problems")
    assert 'data-batch="export"' in page.text and 'data-batch="urge"' not in page.text
    r = post_form(client, "/problems/batch/urge", {"ids": [rows["assigned"]], "note": "速办"})
    assert r.status_code == 403
    assert _snapshot(rt) == before


def _sheet(client: TestClient, url: str) -> list[int]:
    r = client.get(url)
    assert r.status_code == 200
    book = load_workbook(BytesIO(r.content), read_only=True)
    return [row[0] for row in list(book["问题台账"].iter_rows(values_only=True))[1:]]


def test_export_of_the_ticked_rows(client: TestClient, rows: dict[str, int]) -> None:
    page_login(client, "kunshan")
    ticked = [rows["new3"], rows["assigned"], rows["new1"]]
    r = post_form(client, "/problems/batch/export?sort=id&dir=asc", {"ids": ticked})
    assert r.status_code == 303
    target = r.headers["location"]
    assert target.startswith("/problems/export.xlsx?")
    assert parse_qs(urlparse(target).query)["ids"] == [str(i) for i in ticked]
    assert _sheet(client, target) == sorted(ticked)
    # a row out of scope is never exported, even when its id is asked for
    assert _sheet(client, f"/problems/export.xlsx?ids={rows['wujiang']}&ids={rows['new1']}") == [
        rows["new1"]
    ]
    assert _sheet(client, "/problems/export.xlsx?ids=abc") != []  # junk ids: the whole ledger
    r = post_form(client, "/problems/batch/export", {})
    assert r.status_code == 422 and "请先勾选要导出的问题" in r.text
