"""催办/督办 through the API and the problem's page: recorded, counted, audited, notified; bad
inputs refused with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.actor import Actor, Role
from eco263.audit.models import AuditEvent
from eco263.notifications.models import Notification
from eco263.problems import rules
from eco263.problems.enums import AssignmentState, Move
from eco263.problems.models import Assignment, AssignmentUrge
from eco263.runtime import Runtime
from tests.conftest import login
from tests.factories import problems as f
from tests.web.conftest import page_login, post_form


@pytest.fixture
def assigned(as_user: Any) -> tuple[int, int]:
    """A 昆山 problem dispatched to 昆山市环保局 (which has users): (problem, assignment)."""
    with as_user("kunshan") as ctx:
        problem = f.register(ctx, title="催办测试：排口污水直排")
        (a,) = f.dispatch(ctx, problem.id, "昆山市环保局")
        return problem.id, a.id


def _state(rt: Runtime, aid: int) -> tuple[int, int, int]:
    """(urge_count, urge rows, urge audit events, urge messages)."""
    with rt.sessions() as s:
        return (
            s.get_one(Assignment, aid).urge_count,
            int(s.scalar(select(func.count()).select_from(AssignmentUrge)) or 0),
            int(
                s.scalar(
                    select(func.count())
                    .select_from(AuditEvent)
                    .where(AuditEvent.action == "assignment.urge")
                )
                or 0
            ),
        )


def test_an_office_urges_through_the_api(
    client: TestClient, rt: Runtime, assigned: tuple[int, int]
) -> None:
    pid, aid = assigned
    r = client.post(
        f"/api/v1/assignments/{aid}/urges",
        json={"note": "请于本周五前报送整改进展"},
        headers=login(client, "kunshan"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["urge_count"] == 1 and r.json()["note"] == "请于本周五前报送整改进展"
    # the city office may press too (its scope covers 昆山)
    r = client.post(
        f"/api/v1/assignments/{aid}/urges", json={"note": "市办督办"}, headers=login(client, "city")
    )
    assert r.status_code == 201 and r.json()["urge_count"] == 2
    assert _state(rt, aid) == (2, 2, 2)
    unit = client.get("/api/v1/notifications", headers=login(client, "ks_epb")).json()
    urges = [n for n in unit["items"] if n["kind"] == "urge"]
    assert len(urges) == 2
    assert any("请于本周五前报送整改进展" in n["body"] for n in urges)
    detail = client.get(f"/api/v1/problems/{pid}", headers=login(client, "ks_epb")).json()
    assert detail["assignments"][0]["urge_count"] == 2
    assert detail["assignments"][0]["may_urge"] is False  # the unit itself


@pytest.mark.parametrize("note", ["", "   ", "超" * 501])
def test_a_bad_note_is_refused(
    client: TestClient, rt: Runtime, assigned: tuple[int, int], note: str
) -> None:
    _, aid = assigned
    r = client.post(
        f"/api/v1/assignments/{aid}/urges", json={"note": note}, headers=login(client, "kunshan")
    )
    assert r.status_code == 422, r.text
    assert "催办说明" in r.text
    assert _state(rt, aid) == (0, 0, 0)


def test_out_of_scope_wrong_role_closed_and_missing_are_refused(
    client: TestClient, rt: Runtime, as_user: Any, assigned: tuple[int, int]
) -> None:
    _, aid = assigned
    body = {"note": "请抓紧"}
    cases = (
        ("wujiang", aid, 404),  # another district's office: as if it did not exist
        ("ks_epb", aid, 403),  # the unit itself (a department)
        ("jiwei", aid, 403),  # the 纪委 reads, never presses
        ("kunshan", 2_000_000, 404),
    )
    for username, target, status in cases:
        r = client.post(
            f"/api/v1/assignments/{target}/urges", json=body, headers=login(client, username)
        )
        assert r.status_code == status, (username, r.text)
    r = client.post(
        f"/api/v1/assignments/{aid}/urges",
        json={"note": "x" * 2001},
        headers=login(client, "kunshan"),
    )
    assert r.status_code == 422
    f.work(as_user, aid, Move.ACCEPT, Move.SUBMIT, Move.VERIFY, office="kunshan")
    r = client.post(f"/api/v1/assignments/{aid}/urges", json=body, headers=login(client, "kunshan"))
    assert r.status_code == 409 and "销号" in r.text
    assert _state(rt, aid) == (0, 0, 0)


def test_a_unit_never_urges_itself() -> None:
    office = Actor(1, "办", Role.DISTRICT_OFFICE, "320583", "320000/320500/320583", 7)
    assert rules.urger_refusal(office, 7) == "不能催办本单位承办的事项"
    assert rules.urger_refusal(office, 8) is None
    assert not rules.may_urge(office, 8, AssignmentState.VERIFIED)
    assert rules.may_urge(office, 8, AssignmentState.RECTIFYING)


def test_urge_from_the_page_shows_on_the_page_and_the_workbench(
    client: TestClient, rt: Runtime, assigned: tuple[int, int]
) -> None:
    pid, aid = assigned
    page_login(client, "kunshan")
    html = client.get(f"/problems/{pid}").text
    assert f'data-urge="{aid}"' in html
    r = post_form(client, f"/problems/{pid}/assignments/{aid}/urge", {"note": "  "})
    assert r.status_code == 422 and "请填写催办说明" in r.text
    assert _state(rt, aid) == (0, 0, 0)
    r = post_form(client, f"/problems/{pid}/assignments/{aid}/urge", {"note": "请明日报送照片"})
    assert r.status_code == 303
    html = client.get(r.headers["location"]).text
    assert "已催办 1 次" in html and "请明日报送照片" in html
    page_login(client, "wujiang")
    r = post_form(client, f"/problems/{pid}/assignments/{aid}/urge", {"note": "越权"})
    assert r.status_code == 404
    page_login(client, "ks_epb")
    html = client.get(f"/problems/{pid}").text
    assert "已催办 1 次" in html and f'data-urge="{aid}"' not in html
    assert "（已催办 1 次）" in client.get("/workbench").text
    assert 'id="nav-badge-messages"' in html  # the unread count in the menu
    messages = client.get("/notifications").text
    assert "催办测试" in messages and "请明日报送照片" in messages
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Notification)) >= 2
    assert _state(rt, aid) == (1, 1, 1)
