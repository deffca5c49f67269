"""Notifications reach people: 站内消息, e-mail through a real SMTP server (aiosmtpd) and the
group robot through a local HTTP receiver, via the outbox worker (retries, no duplicates,
quiet hours)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.clock import FixedClock
from eco263.config import Settings
from eco263.notifications.actions import Draft, do_send_digests, notify_many
from eco263.notifications.enums import Kind
from eco263.notifications.models import Notification
from eco263.outbox.models import OutboxEvent
from eco263.outbox.worker import OutboxWorker
from eco263.runtime import Runtime
from eco263.wiring import outbox_handlers
from tests.conftest import Database, login
from tests.factories import problems as f
from tests.notifications.receivers import Mailbox, Robot, robot_server, smtp_server

__all__ = ["robot_server", "smtp_server"]

KS_MAIL = "ks_epb@example.cn"


@pytest.fixture
def settings(
    database: Database,
    tmp_path: Path,
    smtp_server: tuple[Mailbox, int],
    robot_server: tuple[Robot, str],
) -> Settings:
    return Settings(
        database_url=database.url,
        attachments_dir=tmp_path / "attachments",
        data_dir=tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=smtp_server[1],
        smtp_from="eco263@suzhou.example.cn",
        notify_webhook_url=robot_server[1],
        outbox_timeout_seconds=5.0,
    )


@pytest.fixture
def worker(rt: Runtime) -> Iterator[OutboxWorker]:
    w = OutboxWorker(rt, outbox_handlers(), jitter=lambda: 0.0)
    yield w
    w.close()


def _prefs(client: TestClient, username: str, **extra: Any) -> None:
    body = {
        "email": KS_MAIL,
        "channels": {"assigned": ["email", "webhook"], "urge": ["email", "webhook"]},
    } | extra
    r = client.put("/api/v1/notifications/preferences", json=body, headers=login(client, username))
    assert r.status_code == 200, r.text


def _dispatch(client: TestClient, as_user: Any) -> int:
    with as_user("kunshan") as ctx:
        problem = f.register(ctx, title="通知测试：排口污水直排")
        pid = problem.id
    r = client.post(
        f"/api/v1/problems/{pid}/dispatch",
        json={"lead": {"organization_id": _org(as_user, "昆山市环保局")}, "co": []},
        headers=login(client, "kunshan"),
    )
    assert r.status_code == 200, r.text
    return pid


def _org(as_user: Any, name: str) -> int:
    with as_user("city") as ctx:
        return f.org(ctx, name)


def _outbox(rt: Runtime) -> list[OutboxEvent]:
    with rt.sessions() as s:
        return list(
            s.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.kind.like("notify.%"))
                .order_by(OutboxEvent.id)
            )
        )


def test_a_dispatch_reaches_the_unit_on_every_channel(
    client: TestClient,
    as_user: Any,
    rt: Runtime,
    worker: OutboxWorker,
    smtp_server: tuple[Mailbox, int],
    robot_server: tuple[Robot, str],
) -> None:
    box, robot = smtp_server[0], robot_server[0]
    _prefs(client, "ks_epb")
    _dispatch(client, as_user)

    # 站内消息 at once, unread, for every user of the unit
    headers = login(client, "ks_epb")
    page = client.get("/api/v1/notifications", headers=headers).json()
    assert page["unread"] == 1
    assert page["items"][0]["kind"] == "assigned"
    assert "通知测试" in page["items"][0]["title"]
    head = client.get("/api/v1/notifications", headers=login(client, "ks_epb_head")).json()
    assert head["unread"] == 1
    assert (
        client.get("/api/v1/notifications", headers=login(client, "cs_epb")).json()["unread"] == 0
    )

    # the outbox: one e-mail (ks_epb gave an address) and one robot post for the fact
    events = _outbox(rt)
    assert sorted(e.kind for e in events) == ["notify.email", "notify.webhook"]
    report = worker.run_once()
    assert report.delivered == 2
    assert len(box.messages) == 1
    mail = box.messages[0]
    assert mail["To"] == KS_MAIL
    assert "通知测试" in str(mail["Subject"])
    assert "/problems/" in mail.get_content()
    assert mail["Message-ID"].endswith("@eco263>")
    assert len(robot.posts) == 1
    assert robot.posts[0]["msgtype"] == "text"
    assert "【新交办】" in robot.posts[0]["text"]["content"]

    # nothing is sent twice: another round, the same fact announced again
    assert worker.run_once().claimed == 0
    with as_user("kunshan") as ctx:
        n = ctx.session.scalar(select(Notification).where(Notification.kind == "assigned"))
        assert n is not None
        again = Draft(Kind.ASSIGNED, n.event_key, frozenset({n.user_id}), "重复", "重复")
        assert notify_many(ctx, [again]) == []
    assert len(_outbox(rt)) == 2
    assert worker.run_once().claimed == 0
    assert len(box.messages) == 1 and len(robot.posts) == 1


def test_quiet_hours_hold_email_and_robot_until_they_end(
    client: TestClient,
    as_user: Any,
    rt: Runtime,
    clock: FixedClock,
    worker: OutboxWorker,
    smtp_server: tuple[Mailbox, int],
    robot_server: tuple[Robot, str],
) -> None:
    box, robot = smtp_server[0], robot_server[0]
    # the test day starts at 09:00 Beijing time: quiet from 08:00 to 18:00
    _prefs(client, "ks_epb", quiet_start="08:00", quiet_end="18:00")
    _prefs(client, "ks_epb_head", quiet_start="08:00", quiet_end="18:00")
    _dispatch(client, as_user)
    page = client.get("/api/v1/notifications", headers=login(client, "ks_epb")).json()
    assert page["unread"] == 1  # the site does not wait
    assert worker.run_once().claimed == 0
    assert box.messages == [] and robot.posts == []
    clock.advance(timedelta(hours=8, minutes=59))  # 17:59
    assert worker.run_once().claimed == 0
    clock.advance(timedelta(minutes=1))  # 18:00: quiet hours over
    report = worker.run_once()
    assert report.delivered == 3  # two e-mails (both users), one robot post
    assert len(box.messages) == 2 and len(robot.posts) == 1


def test_a_failed_delivery_is_retried_and_sent_once(
    client: TestClient,
    as_user: Any,
    rt: Runtime,
    clock: FixedClock,
    worker: OutboxWorker,
    smtp_server: tuple[Mailbox, int],
    robot_server: tuple[Robot, str],
) -> None:
    box, robot = smtp_server[0], robot_server[0]
    box.refuse = 1  # the SMTP server answers 451 once
    robot.errcode = 45009  # the robot refuses (rate limit) once
    _prefs(client, "ks_epb")
    _dispatch(client, as_user)
    first = worker.run_once()
    assert first.claimed == 2 and first.retried == 2 and first.delivered == 0
    events = _outbox(rt)
    assert all(e.state == "pending" and e.attempts == 1 and e.last_error for e in events)
    robot.errcode = 0
    clock.advance(timedelta(seconds=5))
    second = worker.run_once()
    assert second.delivered == 2
    clock.advance(timedelta(minutes=5))
    assert worker.run_once().claimed == 0
    assert len(box.messages) == 1 and len(robot.posts) == 1
    assert {e.state for e in _outbox(rt)} == {"delivered"}
    assert all(e.attempts == 2 for e in _outbox(rt))


def test_the_daily_digest_gathers_the_emails(
    client: TestClient,
    as_user: Any,
    rt: Runtime,
    worker: OutboxWorker,
    smtp_server: tuple[Mailbox, int],
) -> None:
    box = smtp_server[0]
    _prefs(client, "ks_epb", digest=True)
    pid = _dispatch(client, as_user)
    assert [e.kind for e in _outbox(rt)] == ["notify.webhook"]  # no e-mail of its own
    r = client.post(
        f"/api/v1/assignments/{_assignment(as_user, pid)}/urges",
        json={"note": "请本周内报送整改情况"},
        headers=login(client, "kunshan"),
    )
    assert r.status_code == 201, r.text
    with as_user("city") as ctx:
        assert do_send_digests(ctx) == 1
    with as_user("city") as ctx:
        assert do_send_digests(ctx) == 0  # nothing held twice
    worker.run_once()
    mails = [m for m in box.messages if m["To"] == KS_MAIL]
    assert len(mails) == 1
    assert "每日通知汇总" in str(mails[0]["Subject"])
    text = mails[0].get_content()
    assert "【新交办】" in text and "【催办】" in text


def _assignment(as_user: Any, pid: int) -> int:
    from eco263.problems import service

    with as_user("kunshan") as ctx:
        return service.assignments_of(ctx.session, pid)[0].id


def test_preferences_refuse_bad_input(client: TestClient, rt: Runtime) -> None:
    headers = login(client, "ks_epb")
    for body, field in (
        ({"email": "不是邮箱"}, "email"),
        ({"phone": "123"}, "phone"),
        ({"quiet_start": "25:00", "quiet_end": "07:00"}, "quiet_start"),
        ({"quiet_start": "22:00"}, "quiet_end"),
        ({"channels": {"assigned": ["sms"]}}, "channels"),
    ):
        r = client.put("/api/v1/notifications/preferences", json=body, headers=headers)
        assert r.status_code == 422, (body, r.text)
        assert field in r.text
    r = client.put(
        "/api/v1/notifications/preferences",
        json={"channels": {"assigned": ["fax"]}},
        headers=headers,
    )
    assert r.status_code == 422
    with rt.sessions() as s:
        from eco263.notifications.models import NotificationProfile

        assert s.scalar(select(func.count()).select_from(NotificationProfile)) == 0
