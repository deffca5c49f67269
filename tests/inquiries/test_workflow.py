"""专题询问 end to end through the API, on both databases: the sitting, the answers by the
answering departments only, the 审议意见's receipt anchoring the report (npc.report) and the
tasks (ledger problems), the report drafted by one and approved by another, its DOCX, the
满意度测评 and 跟踪监督, and bad input (clear error, nothing changed)."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.audit.models import AuditEvent, AuditHead
from eco263.clock import FixedClock, parse_now
from eco263.inquiries.models import (
    InquiryQuestion,
    InquiryRating,
    InquirySitting,
    InquiryTask,
    InquiryTracking,
)
from eco263.problems.models import Assignment, Problem
from eco263.runtime import Runtime
from tests.conftest import login
from tests.factories.inquiries import URL, held, org_id, post, received


def _state(rt: Runtime) -> tuple[Any, ...]:
    with rt.sessions() as s:
        head = tuple(s.execute(select(AuditHead.seq, AuditHead.hash)).one())
        rows = tuple(
            s.scalar(select(func.count()).select_from(m))
            for m in (
                InquirySitting,
                InquiryTask,
                InquiryRating,
                InquiryTracking,
                Problem,
                Assignment,
            )
        )
        versions = tuple(s.scalars(select(InquirySitting.version).order_by(InquirySitting.id)))
        answers = tuple(s.scalars(select(InquiryQuestion.answer).order_by(InquiryQuestion.id)))
    return head, rows, versions, answers


def _task(client: TestClient, rt: Runtime, sid: int, unit: str, **extra: Any) -> Any:
    body = {"organization_id": org_id(rt, unit), "title": f"{unit}落实审议意见", **extra}
    return post(client, "city", f"{URL}/{sid}/tasks", body)


def test_the_whole_inquiry(client: TestClient, rt: Runtime, clock: FixedClock) -> None:
    sid = received(client, rt, clock)
    sitting = client.get(f"{URL}/{sid}", headers=login(client, "city")).json()
    assert sitting["opinion_received_on"] == "2018-05-18"
    # 3 months from Fri 05-18 is Sat 08-18: the next working day
    assert sitting["report_due"] == "2018-08-20"
    assert sitting["report_due_rule"] == "npc.report"
    assert all(q["answer"] for q in sitting["questions"])

    clock.set(parse_now("2018-05-21T09:00"))
    answer = _task(client, rt, sid, "苏州市环保局")
    assert answer.status_code == 201, answer.text
    answer = _task(client, rt, sid, "苏州市交通运输局", due_date="2018-07-31")
    assert answer.status_code == 201, answer.text
    tasks = answer.json()["tasks"]
    assert [t["due_date"] for t in tasks] == ["2018-08-20", "2018-07-31"]
    with rt.sessions() as s:
        problem = s.get_one(Problem, tasks[0]["problem_id"])
        assert problem.source == "人大询问"
        assert problem.due_rule == "ledger.source.人大询问"
        assert problem.due_start.isoformat() == "2018-05-18"  # the receipt, not the sitting

    # the department carries its task out in the ledger; the office verifies it
    assignment = tasks[0]["assignment_id"]
    for who, move, note in (
        ("sz_epb", "accept", ""),
        ("sz_epb", "submit", "完成挥发性有机物重点行业整治清单"),
        ("city", "verify", "核查属实"),
    ):
        answer = post(client, who, f"/api/v1/assignments/{assignment}/{move}", {"note": note})
        assert answer.status_code == 200, answer.text

    clock.set(parse_now("2018-08-01T09:00"))
    answer = post(client, "city", f"{URL}/{sid}/report/draft", {})
    assert answer.status_code == 200, answer.text
    text = answer.json()["report_text"]
    assert "完成挥发性有机物重点行业整治清单" in text and "已办结 1 项" in text
    answer = post(client, "city_deputy", f"{URL}/{sid}/report/review", {"approve": True})
    assert answer.status_code == 200, answer.text
    assert answer.json()["report_state"] == "approved"

    docx = client.get(f"{URL}/{sid}/report.docx", headers=login(client, "city"))
    assert docx.status_code == 200
    assert docx.headers["content-type"].startswith("application/vnd.openxmlformats")
    paragraphs = [p.text for p in Document(io.BytesIO(docx.content)).paragraphs]
    assert paragraphs[0] == "关于大气污染防治专题询问审议意见落实情况的报告"
    assert any("完成挥发性有机物重点行业整治清单" in p for p in paragraphs)
    assert paragraphs[-1] == "苏州市人民政府"

    answer = post(client, "city", f"{URL}/{sid}/report/submission", {"submitted_on": "2018-08-01"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["report_state"] == "submitted"

    clock.set(parse_now("2018-08-28T09:00"))
    votes = [
        {"member": "委员甲", "rating": "满意"},
        {"member": "代表乙", "rating": "基本满意"},
        {"member": "委员丙", "rating": "满意"},
    ]
    answer = post(client, "city", f"{URL}/{sid}/ratings", {"votes": votes})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"满意": 2, "基本满意": 1, "不满意": 0}
    # a member's new vote replaces the old
    answer = post(
        client,
        "city",
        f"{URL}/{sid}/ratings",
        {"votes": [{"member": "代表乙", "rating": "不满意"}]},
    )
    assert answer.json() == {"满意": 2, "基本满意": 0, "不满意": 1}
    answer = post(
        client,
        "city",
        f"{URL}/{sid}/tracking",
        {"held_on": "2018-08-28", "note": "实地检查重型柴油车路检", "outcome": "继续跟踪"},
    )
    assert answer.status_code == 201, answer.text
    with rt.sessions() as s:
        actions = list(
            s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.subject_type == "inquiry_sitting")
                .order_by(AuditEvent.seq)
            )
        )
    assert actions == [
        "inquiry.sitting",
        *["inquiry.question"] * 3,
        *["inquiry.answer"] * 3,
        "inquiry.opinion",
        "inquiry.task",
        "inquiry.task",
        "inquiry.draft",
        "inquiry.approve",
        "inquiry.submit",
        "inquiry.rating",
        "inquiry.rating",
        "inquiry.tracking",
    ]


def test_an_answer_by_another_department_is_refused(
    client: TestClient, rt: Runtime, clock: FixedClock
) -> None:
    sitting = held(client, rt, clock)
    epb_question = next(q for q in sitting["questions"] if q["topic"] == "大气污染的主要原因")
    before = _state(rt)
    answer = post(
        client,
        "sz_transport",  # answers a question of its own in this sitting, not this one
        f"{URL}/questions/{epb_question['id']}/answer",
        {"answerer": "越权", "answer": "替环保局答复"},
    )
    assert answer.status_code == 403
    assert "本部门" in answer.json()["error"]["message"]
    # a department with no part in the sitting does not even see the question
    answer = post(
        client,
        "ks_epb",
        f"{URL}/questions/{epb_question['id']}/answer",
        {"answerer": "越权", "answer": "替环保局答复"},
    )
    assert answer.status_code == 404
    # nor does the office write an answer for the department
    answer = post(
        client,
        "city",
        f"{URL}/questions/{epb_question['id']}/answer",
        {"answerer": "越权", "answer": "代为答复"},
    )
    assert answer.status_code == 403
    assert _state(rt) == before


def test_the_report_is_never_approved_by_its_author(
    client: TestClient, rt: Runtime, clock: FixedClock
) -> None:
    sid = received(client, rt, clock)
    answer = post(client, "city", f"{URL}/{sid}/report/draft", {"text": "一、基本情况\n已落实。"})
    assert answer.status_code == 200, answer.text
    before = _state(rt)
    answer = post(client, "city", f"{URL}/{sid}/report/review", {"approve": True})
    assert answer.status_code == 403
    assert "起草人" in answer.json()["error"]["message"]
    # nor submitted before approval
    answer = post(client, "city", f"{URL}/{sid}/report/submission", {"submitted_on": "2018-05-18"})
    assert answer.status_code == 409
    assert _state(rt) == before


def test_a_task_due_after_the_report_is_refused(
    client: TestClient, rt: Runtime, clock: FixedClock
) -> None:
    sid = received(client, rt, clock)
    before = _state(rt)
    answer = _task(client, rt, sid, "苏州市环保局", due_date="2018-08-21")
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert "晚于落实情况报告期限 2018-08-20" in error["message"]
    assert _state(rt) == before


def test_an_unknown_sitting_is_404(client: TestClient, rt: Runtime, clock: FixedClock) -> None:
    before = _state(rt)
    assert client.get(f"{URL}/99999", headers=login(client, "city")).status_code == 404
    answer = post(
        client, "city", f"{URL}/99999/opinion", {"text": "审议意见", "received_on": "2018-04-27"}
    )
    assert answer.status_code == 404
    assert "专题询问" in answer.json()["error"]["message"]
    answer = post(
        client,
        "sz_epb",
        f"{URL}/questions/99999/answer",
        {"answerer": "负责同志", "answer": "无此问题"},
    )
    assert answer.status_code == 404
    assert _state(rt) == before


def test_dates_and_order_are_checked(client: TestClient, rt: Runtime, clock: FixedClock) -> None:
    sitting = held(client, rt, clock)
    sid = sitting["id"]
    before = _state(rt)
    clock.set(parse_now("2018-05-18T10:00"))
    # no task, draft or tracking before the 审议意见 arrives
    assert _task(client, rt, sid, "苏州市环保局").status_code == 409
    assert post(client, "city", f"{URL}/{sid}/report/draft", {}).status_code == 409
    # received before the sitting, or in the future
    for day in ("2018-04-26", "2018-05-19"):
        answer = post(
            client, "city", f"{URL}/{sid}/opinion", {"text": "审议意见", "received_on": day}
        )
        assert answer.status_code == 422, day
    # only the city office records; a district office, a department, a leader may not
    for who in ("wujiang", "sz_epb", "leader"):
        answer = post(
            client,
            who,
            URL,
            {
                "committee_org_id": 1,
                "session_name": "越权会议",
                "held_on": "2018-04-27",
                "theme": "越权",
            },
        )
        assert answer.status_code in (403, 404, 422), who
    # the committee must be a 人大常委会; a sitting cannot be held in the future
    answer = post(
        client,
        "city",
        URL,
        {
            "committee_org_id": org_id(rt, "苏州市环保局"),
            "session_name": "环保局会议",
            "held_on": "2018-04-27",
            "theme": "大气",
        },
    )
    assert answer.status_code == 422
    assert _state(rt) == before
    # ratings only after the report is submitted; a rating must be one of the three
    answer = post(
        client, "city", f"{URL}/{sid}/ratings", {"votes": [{"member": "委员甲", "rating": "满意"}]}
    )
    assert answer.status_code == 409
    assert _state(rt) == before


def test_received_twice_and_bad_rating(client: TestClient, rt: Runtime, clock: FixedClock) -> None:
    sid = received(client, rt, clock)
    answer = post(
        client, "city", f"{URL}/{sid}/opinion", {"text": "再次收到", "received_on": "2018-05-18"}
    )
    assert answer.status_code == 409
    post(client, "city", f"{URL}/{sid}/report/draft", {})
    post(client, "city_deputy", f"{URL}/{sid}/report/review", {"approve": True})
    answer = post(client, "city", f"{URL}/{sid}/report/submission", {"submitted_on": "2018-05-18"})
    assert answer.status_code == 200, answer.text
    before = _state(rt)
    for votes in (
        [{"member": "委员甲", "rating": "很好"}],
        [{"member": "委员甲", "rating": "满意"}, {"member": "委员甲", "rating": "不满意"}],
    ):
        answer = post(client, "city", f"{URL}/{sid}/ratings", {"votes": votes})
        assert answer.status_code == 422, votes
    answer = post(
        client,
        "city",
        f"{URL}/{sid}/tracking",
        {"held_on": "2018-05-17", "note": "早于收到审议意见", "outcome": "无效"},
    )
    assert answer.status_code == 422
    assert _state(rt) == before
