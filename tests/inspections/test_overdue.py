"""The ``opinion_overdue`` job on both databases: a 监督意见书 with no rectification plan past its
reply deadline (``opinion.reply``) is flagged once — audited, the town and the issuing 纪委
user told — and after the clue rules' grace a clue of 主动履职不到位 is opened against the town;
an inquiry whose handling report is late past ``npc.report`` is flagged once and the office and
the committee told.  Run twice = once; an answered opinion or a submitted report is left alone."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.audit.models import AuditEvent, AuditHead
from eco263.clock import FixedClock, parse_now
from eco263.inquiries.scheduled import check_overdue_reports
from eco263.inspections.scheduled import check_overdue_replies
from eco263.notifications.models import Notification
from eco263.outbox.models import OutboxEvent
from eco263.runtime import Runtime
from eco263.scheduler.models import ScheduledJob
from eco263.scheduler.service import ensure_jobs, run_due
from eco263.supervision.models import Clue
from tests.conftest import login
from tests.factories import inquiries as inq
from tests.factories.inspections import URL, ok, post, target, village_with_opinion
from tests.factories.joint_enforcement import user_id


def _record(rt: Runtime) -> tuple[Any, ...]:
    with rt.sessions() as s:
        head = tuple(s.execute(select(AuditHead.seq, AuditHead.hash)).one())
        counts = tuple(
            s.scalar(select(func.count()).select_from(m)) for m in (Notification, Clue, OutboxEvent)
        )
    return head, counts


def _messages(rt: Runtime, key: str) -> set[int]:
    with rt.sessions() as s:
        return set(s.scalars(select(Notification.user_id).where(Notification.event_key == key)))


def _clues(rt: Runtime) -> list[Clue]:
    with rt.sessions() as s:
        return list(s.scalars(select(Clue).where(Clue.cause_kind == "opinion_reply_overdue")))


def test_an_unanswered_opinion_is_flagged_once_then_a_clue_once(
    client: TestClient, rt: Runtime
) -> None:
    cid, _, _, op = village_with_opinion(client, rt)  # reply due Mon 2018-06-11
    # a second opinion, answered in time: never flagged
    tid2 = target(client, rt, cid, name="相城区黄埭镇三埂村")
    fid2 = int(
        ok(
            post(
                client,
                "jiwei",
                f"{URL}/targets/{tid2}/findings",
                {"found_on": "2018-05-08", "summary": "村级污水管网破损"},
            ),
            201,
        )["id"]
    )
    answered = ok(
        post(
            client,
            "jiwei",
            f"{URL}/targets/{tid2}/opinions",
            {
                "number": "苏纪监意〔2018〕2号",
                "issued_on": "2018-05-10",
                "finding_ids": [fid2],
                "measures": "修复管网，建立巡查机制",
            },
        ),
        201,
    )
    ok(
        post(
            client,
            "xc_huangdai",
            f"{URL}/opinions/{answered['id']}/plan",
            {"plan": "六月底前修复", "mechanisms": "每月巡查"},
        )
    )

    # on the deadline itself: nothing
    before = _record(rt)
    report = check_overdue_replies(rt, parse_now("2018-06-11T20:00"))
    assert (report.examined, report.flagged) == (0, 0) and _record(rt) == before

    # the next working day: flagged, the town and the 纪委 told, no clue yet (grace 5)
    report = check_overdue_replies(rt, parse_now("2018-06-12T02:00"))
    assert (report.examined, report.flagged) == (1, 1)
    key = f"opinion_reply_overdue:{op['id']}"
    told = _messages(rt, key)
    assert user_id(rt, "jiwei") in told and user_id(rt, "xc_huangdai") in told
    assert _clues(rt) == []
    with rt.sessions() as s:
        flagged = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "inspection.reply_overdue")
        ).all()
    assert [(e.subject_id, e.after["overdue_workdays"]) for e in flagged] == [(str(op["id"]), 1)]
    once = _record(rt)
    assert check_overdue_replies(rt, parse_now("2018-06-12T03:00")).flagged == 0
    assert _record(rt) == once

    # the town reads its message; the href is its own opinion's page
    page = client.get("/api/v1/notifications", headers=login(client, "xc_huangdai")).json()
    text = str(page)
    assert "监督意见书逾期未回复" in text and f"/inspections/opinions/{op['id']}" in text

    # past the grace (端午 Mon 06-18 is a holiday): one clue against the town, then no more
    check_overdue_replies(rt, parse_now("2018-06-20T02:00"))
    (clue,) = _clues(rt)
    assert clue.duty_failure == "主动履职不到位" and "苏纪监意〔2018〕1号" in clue.summary
    twice = _record(rt)
    check_overdue_replies(rt, parse_now("2018-06-21T02:00"))
    assert _record(rt) == twice and len(_clues(rt)) == 1
    assert _messages(rt, key) == told


def test_the_job_is_scheduled_and_idempotent(
    client: TestClient, rt: Runtime, clock: FixedClock
) -> None:
    village_with_opinion(client, rt)
    sid = inq.received(client, rt, clock)
    due = date.fromisoformat(
        client.get(f"/api/v1/inquiries/{sid}", headers=login(client, "city")).json()["report_due"]
    )
    now = parse_now(f"{due + timedelta(days=1)}T02:00")
    ensure_jobs(rt, now)
    assert "opinion_overdue" in run_due(rt, now)
    with rt.sessions() as s:
        status = s.get_one(ScheduledJob, "opinion_overdue").last_status or ""
    assert status.startswith("ok opinions=1 flagged=1 reports=1 flagged=1"), status
    assert len(_clues(rt)) == 1  # months past the reply deadline
    told = _messages(rt, f"inquiry_report_overdue:{sid}")
    assert user_id(rt, "city") in told
    once = _record(rt)
    # a second pass (another scheduler, or the next day) changes nothing
    assert run_due(rt, now) == []
    check_overdue_reports(rt, now + timedelta(days=1))
    check_overdue_replies(rt, now + timedelta(days=1))
    assert _record(rt) == once


def test_a_report_on_its_last_day_is_not_overdue(
    client: TestClient, rt: Runtime, clock: FixedClock
) -> None:
    sid = inq.received(client, rt, clock)
    due = date.fromisoformat(
        client.get(f"/api/v1/inquiries/{sid}", headers=login(client, "city")).json()["report_due"]
    )
    before = _record(rt)
    # the day of the deadline: not yet overdue
    report = check_overdue_reports(rt, parse_now(f"{due}T20:00"))
    assert (report.examined, report.flagged) == (0, 0) and _record(rt) == before
