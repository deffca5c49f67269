"""Who is told what: the sweep's 临期/黄牌/红牌 (the unit, and for 黄牌/红牌 the office that
answers for its leader), a returned rectification, an extension decided, an alarm (never the
enterprise of a suspected tampering), reading and marking read."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from eco263.clock import parse_now
from eco263.notifications.models import Notification
from eco263.problems import actions
from eco263.problems.enums import Move
from eco263.problems.scheduled import sweep
from eco263.runtime import Runtime
from tests.conftest import login
from tests.factories import problems as f
from tests.factories.alarms import tampering_case
from tests.web.conftest import page_login, post_form


def _inbox(rt: Runtime, username: str) -> list[Notification]:
    from eco263.auth.models import User

    with rt.sessions() as s:
        uid = s.scalar(select(User.id).where(User.username == username))
        return list(
            s.scalars(
                select(Notification).where(Notification.user_id == uid).order_by(Notification.id)
            )
        )


def test_the_sweep_tells_the_unit_and_for_cards_its_office(rt: Runtime, as_user: Any) -> None:
    with as_user("city", parse_now("2018-04-27T10:00")) as ctx:
        p = f.register(ctx, source="联合执法", division_code="320507", found_on=date(2018, 4, 27))
        f.dispatch(ctx, p.id, "相城区环保局")
    sweep(rt, now=parse_now("2018-05-07T09:00"))
    assert [n.kind for n in _inbox(rt, "xc_epb")] == ["assigned", "due_soon"]
    assert [n.kind for n in _inbox(rt, "xiangcheng")] == []
    sweep(rt, now=parse_now("2018-05-10T09:00"))
    sweep(rt, now=parse_now("2018-05-10T09:00"))  # twice: nothing twice
    unit = _inbox(rt, "xc_epb")
    assert [n.kind for n in unit] == ["assigned", "due_soon", "yellow"]
    assert "单位负责人" in unit[-1].body
    office = _inbox(rt, "xiangcheng")
    assert [n.kind for n in office] == ["yellow"]
    assert _inbox(rt, "city") == []  # the nearest office, not every office
    sweep(rt, now=parse_now("2018-05-16T09:00"))
    red = _inbox(rt, "xc_epb")[-1]
    assert red.kind == "red" and "线索" not in red.body + red.title
    assert _inbox(rt, "xiangcheng")[-1].kind == "red"


def test_returned_and_extension_decided_reach_the_unit(rt: Runtime, as_user: Any) -> None:
    with as_user("kunshan") as ctx:
        p = f.register(ctx)
        (a,) = f.dispatch(ctx, p.id, "昆山市环保局")
        aid, due = a.id, a.due_date
    f.work(as_user, aid, Move.ACCEPT, Move.SUBMIT, Move.RETURN, office="kunshan")
    with as_user("ks_epb") as ctx:
        ext = actions.do_request_extension(ctx, aid, date(due.year + 1, 1, 15), "需要采购设备")
    with as_user("kunshan") as ctx:
        actions.do_decide_extension(ctx, ext.id, approve=False, note="理由不充分")
    kinds = [n.kind for n in _inbox(rt, "ks_epb")]
    assert kinds == ["assigned", "returned", "extension"]
    last = _inbox(rt, "ks_epb")[-1]
    assert "未批准" in last.title and "理由不充分" in last.body


def test_a_tampering_alarm_reaches_the_office_not_the_enterprise(rt: Runtime, as_user: Any) -> None:
    _, alarm = tampering_case(rt, as_user)
    office = [n for n in _inbox(rt, "kunshan") if n.kind == "alarm"]
    assert len(office) == 1 and office[0].href == f"/alarms/{alarm.id}"
    assert "疑似稀释采样" in office[0].body
    assert [n for n in _inbox(rt, "yld") if n.kind == "alarm"] == []


def test_messages_are_ones_own_and_marked_read(
    client: TestClient, rt: Runtime, as_user: Any
) -> None:
    with as_user("kunshan") as ctx:
        p = f.register(ctx)
        f.dispatch(ctx, p.id, "昆山市环保局")
    mine = _inbox(rt, "ks_epb")[0]
    theirs = _inbox(rt, "ks_epb_head")[0]
    headers = login(client, "ks_epb")
    r = client.post("/api/v1/notifications/read", json={"ids": [theirs.id]}, headers=headers)
    assert r.status_code == 404  # another's message: as if missing
    r = client.post("/api/v1/notifications/read", json={}, headers=headers)
    assert r.status_code == 422
    r = client.post("/api/v1/notifications/read", json={"ids": [mine.id]}, headers=headers)
    assert r.status_code == 200 and r.json() == {"marked": 1}
    assert client.get("/api/v1/notifications", headers=headers).json()["unread"] == 0
    assert _inbox(rt, "ks_epb_head")[0].read_at is None
    page_login(client, "ks_epb_head")
    html = client.get("/notifications").text
    assert 'id="nav-badge-messages"' in html and "未读" in html
    r = post_form(client, f"/notifications/{mine.id}/open", {})
    assert r.status_code == 404
    r = post_form(client, f"/notifications/{theirs.id}/open", {})
    assert r.status_code == 303 and r.headers["location"] == f"/problems/{p.id}"
    assert 'id="nav-badge-messages"' not in client.get("/notifications").text
    r = post_form(client, "/notifications/settings", {"email": "坏地址", "quiet_start": ""})
    assert r.status_code == 422 and "电子邮箱格式不正确" in r.text
    r = post_form(
        client,
        "/notifications/settings",
        {"email": "head@example.cn", "quiet_start": "22:00", "quiet_end": "07:00", "digest": "1"},
    )
    assert r.status_code == 303
    html = client.get("/notifications/settings?saved=1").text
    assert "head@example.cn" in html and "22:00" in html
