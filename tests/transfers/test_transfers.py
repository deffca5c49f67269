"""行刑衔接 done by people (issue #12 item 5), through the API: the tampering alarm proposes,
the agency's head decides, the materials go to 昆山市公安局 (copied to 昆山市人民检察院), the
police sign, file and record 刑事拘留 — each step on its deadline, in order, by the right
unit, and never visible to the enterprise."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.audit.models import AuditEvent
from eco263.registry.models import Organization
from eco263.runtime import Runtime
from eco263.transfers.models import Transfer
from tests.conftest import login
from tests.factories.alarms import tampering_case


def _org(rt: Runtime, name: str) -> int:
    with rt.sessions() as s:
        return int(s.scalars(select(Organization.id).where(Organization.name == name)).one())


@pytest.fixture
def proposed(rt: Runtime, as_user: Any) -> int:
    _point, alarm = tampering_case(rt, as_user)
    with rt.sessions() as s:
        return int(s.scalars(select(Transfer.id).where(Transfer.alarm_id == alarm.id)).one())


def _state(rt: Runtime) -> tuple[Any, ...]:
    with rt.sessions() as s:
        events = s.scalar(select(func.count()).select_from(AuditEvent))
        rows = tuple(s.execute(select(Transfer.id, Transfer.state, Transfer.due_at)).all())
    return events, rows


def _post(client: TestClient, who: str, url: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/transfers{url}", json=body, headers=login(client, who))


def test_the_alarm_proposes_and_nobody_has_decided(
    rt: Runtime, client: TestClient, proposed: int
) -> None:
    got = client.get(f"/api/v1/transfers/{proposed}", headers=login(client, "ks_epb_head"))
    assert got.status_code == 200, got.text
    t = got.json()
    assert t["state"] == "proposed" and t["decided_by"] is None and t["police_org_id"] is None
    assert t["agency_org_id"] == _org(rt, "昆山市环保局")
    assert t["due_rule"] == "transfer.decision" and "3 日" in t["due_reason"]
    # proposed Thursday 2018-05-10: 3 calendar days, the start day not counted → Sunday 05-13,
    # a rest day, rolls to Monday 05-14 (XJ Art 38); due at its end (local midnight)
    assert t["due_at"].startswith("2018-05-14T16:00")
    assert t["pack_sha256"] and len(t["pack_sha256"]) == 64


def test_the_yilianda_case_from_the_alarm_to_criminal_detention(
    rt: Runtime, client: TestClient, proposed: int
) -> None:
    ks_police, ks_procuratorate = _org(rt, "昆山市公安局"), _org(rt, "昆山市人民检察院")
    # the police do not see a transfer before it is handed over
    assert client.get("/api/v1/transfers", headers=login(client, "ks_police")).json() == []
    decided = _post(
        client,
        "ks_epb_head",
        f"/{proposed}/decision",
        {
            "transfer": True,
            "reason": "重点排污单位篡改自动监测数据，涉嫌污染环境罪",
            "police_org_id": ks_police,
        },
    )
    assert decided.status_code == 200, decided.text
    d = decided.json()
    assert d["state"] == "approved" and d["procuratorate_org_id"] == ks_procuratorate
    assert d["due_rule"] == "transfer.handover" and d["due_at"].startswith("2018-05-11T01:00")
    handed = _post(
        client, "ks_epb", f"/{proposed}/handover", {"materials": "案件移送书、调查报告、证据包"}
    )
    assert handed.json()["state"] == "handed_over"
    inbox = client.get("/api/v1/transfers", headers=login(client, "ks_police")).json()
    assert [t["id"] for t in inbox] == [proposed]
    assert client.get("/api/v1/transfers", headers=login(client, "sz_police")).json() == []
    pack = client.get(
        f"/api/v1/transfers/{proposed}/evidence-pack", headers=login(client, "ks_police")
    )
    assert pack.status_code == 200 and pack.headers["x-eco263-sha256"] == d["pack_sha256"]
    received = _post(client, "ks_police", f"/{proposed}/receipt", {"complexity": "check"})
    assert received.json()["due_rule"] == "police.filing_decision_check"
    filed = _post(
        client,
        "ks_police",
        f"/{proposed}/filing-decision",
        {"file": True, "reason": "涉嫌污染环境罪，立案侦查"},
    )
    assert filed.json()["state"] == "filed"
    outcome = _post(
        client,
        "ks_police",
        f"/{proposed}/outcome",
        {
            "persons": [
                {"name": f"运维人员{i}", "measure": "刑事拘留", "on": "2018-04-21"}
                for i in "甲乙丙"
            ]
        },
    )
    assert outcome.status_code == 200, outcome.text
    assert outcome.json()["state"] == "concluded" and len(outcome.json()["outcome"]) == 3
    with rt.sessions() as s:
        actions = s.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_type == "transfer", AuditEvent.subject_id == str(proposed))
            .order_by(AuditEvent.seq)
        ).all()
    assert actions == [
        "transfer.propose",
        "transfer.decide",
        "transfer.hand_over",
        "transfer.receive",
        "transfer.file",
        "transfer.record_outcome",
    ]


def test_a_refusal_is_appealed_and_answered(rt: Runtime, client: TestClient, proposed: int) -> None:
    police = _org(rt, "昆山市公安局")
    _post(
        client,
        "ks_epb_head",
        f"/{proposed}/decision",
        {"transfer": True, "reason": "移送", "police_org_id": police},
    )
    _post(client, "ks_epb", f"/{proposed}/handover", {"materials": "移送书"})
    _post(client, "ks_police", f"/{proposed}/receipt", {})
    asked = _post(client, "ks_police", f"/{proposed}/material-request", {"note": "请补充采样记录"})
    assert asked.json()["state"] == "material_requested"
    assert asked.json()["due_rule"] == "transfer.material_supply"
    assert (
        _post(client, "ks_epb", f"/{proposed}/material", {"note": "已补充"}).json()["state"]
        == "received"
    )
    refused = _post(
        client, "ks_police", f"/{proposed}/filing-decision", {"file": False, "reason": "证据不足"}
    )
    assert refused.json()["state"] == "refused"
    assert refused.json()["due_rule"] == "transfer.review_request"
    review = _post(
        client, "ks_epb", f"/{proposed}/review-request", {"note": "数据篡改证据确实充分"}
    )
    assert review.json()["state"] == "review_requested"
    answer = _post(
        client, "ks_police", f"/{proposed}/review-answer", {"file": True, "reason": "复议后立案"}
    )
    assert answer.json()["state"] == "filed"


def test_a_detention_transfer_runs_on_working_days(
    rt: Runtime, client: TestClient, as_user: Any
) -> None:
    from tests.factories.problems import dispatch, register

    with as_user("kunshan") as ctx:
        problem = register(ctx)
        dispatch(ctx, problem.id, "昆山市环保局")
    made = _post(
        client,
        "ks_epb",
        "",
        {"kind": "detention", "problem_id": problem.id, "summary": "拒不停止排污，适用行政拘留"},
    )
    assert made.status_code == 201, made.text
    tid = made.json()["id"]
    # separation of duties: the proposer does not decide
    police = _org(rt, "昆山市公安局")
    body = {"transfer": True, "reason": "移送行政拘留", "police_org_id": police}
    own = _post(client, "ks_epb", f"/{tid}/decision", body)
    assert own.status_code == 403 and "提议移送的人不能决定" in own.text
    decided = _post(client, "ks_epb_head", f"/{tid}/decision", body)
    assert decided.json()["due_rule"] == "detention.handover"
    # 2018-05-10 (Thursday) + 3 working days → Tuesday 05-15
    assert decided.json()["due_at"].startswith("2018-05-15T16:00")


BAD = [
    (
        "not a police unit",
        "ks_epb_head",
        "/decision",
        lambda o: {"transfer": True, "reason": "移送", "police_org_id": o["epb"]},
        422,
        "不是公安机关",
    ),
    (
        "no reason",
        "ks_epb_head",
        "/decision",
        lambda o: {"transfer": False, "reason": "  "},
        422,
        "",
    ),
    (
        "out of order: hand over first",
        "ks_epb",
        "/handover",
        lambda o: {"materials": "移送书"},
        409,
        "不能移交材料",
    ),
    (
        "out of order: police file first",
        "ks_police",
        "/filing-decision",
        lambda o: {"file": True, "reason": "立案"},
        404,
        "",
    ),
    ("enterprise", "yld", "/decision", lambda o: {"transfer": False, "reason": "不移送"}, 404, ""),
    (
        "another agency",
        "snd_epb",
        "/decision",
        lambda o: {"transfer": False, "reason": "不移送"},
        404,
        "",
    ),
    (
        "office is not the head",
        "kunshan",
        "/decision",
        lambda o: {"transfer": False, "reason": "不移送"},
        403,
        "只有办案的环保部门",
    ),
    (
        "unknown measure",
        "ks_police",
        "/outcome",
        lambda o: {"persons": [{"name": "某", "measure": "罚款", "on": "2018-05-10"}]},
        422,
        "未知措施",
    ),
]


@pytest.mark.parametrize("case", BAD, ids=lambda c: c[0])
def test_bad_steps_are_refused_in_chinese_and_change_nothing(
    rt: Runtime, client: TestClient, proposed: int, case: tuple[Any, ...]
) -> None:
    _name, who, url, body, status, words = case
    orgs = {"epb": _org(rt, "昆山市环保局")}
    before = _state(rt)
    answer = _post(client, who, f"/{proposed}{url}", body(orgs))
    assert answer.status_code == status, answer.text
    assert words in answer.text
    assert _state(rt) == before


@pytest.mark.parametrize(
    "username", ["yld", "leader", "snd_epb", "sz_police", "ks_police", "wujiang"]
)
def test_who_may_not_read_a_proposed_transfer_gets_the_404_of_none(
    client: TestClient, proposed: int, username: str
) -> None:
    headers = login(client, username)
    for tail in ("", "/evidence-pack"):
        refused = client.get(f"/api/v1/transfers/{proposed}{tail}", headers=headers)
        absent = client.get(f"/api/v1/transfers/999999{tail}", headers=headers)
        assert refused.status_code == absent.status_code == 404
        assert refused.json() == absent.json()
    assert client.get("/api/v1/transfers", headers=headers).json() == []


def test_the_enterprise_never_sees_the_transfer_on_its_problem_timeline(
    client: TestClient, proposed: int, rt: Runtime
) -> None:
    police = _org(rt, "昆山市公安局")
    _post(
        client,
        "ks_epb_head",
        f"/{proposed}/decision",
        {"transfer": True, "reason": "移送", "police_org_id": police},
    )
    with rt.sessions() as s:
        problem_id = s.get_one(Transfer, proposed).problem_id
    headers = login(client, "yld")
    timeline = client.get(f"/api/v1/problems/{problem_id}/timeline", headers=headers)
    assert timeline.status_code == 200
    assert "transfer." not in timeline.text and "移送公安" not in timeline.text
    page = client.get(f"/problems/{problem_id}", headers=headers)
    assert "移送公安" not in page.text and "公安局" not in page.text


def test_the_clock_is_not_a_timedelta(rt: Runtime, proposed: int) -> None:
    with rt.sessions() as s:
        t = s.get_one(Transfer, proposed)
        assert t.due_at is not None and t.due_at - t.proposed_at > timedelta(days=3)


def test_the_escalation_job_warns_then_opens_a_clue_when_the_agency_sits_on_it(
    rt: Runtime, proposed: int
) -> None:
    from eco263.scheduler.service import JOBS
    from eco263.supervision.models import Clue

    with rt.sessions() as s:
        due = s.get_one(Transfer, proposed).due_at
    assert due is not None
    assert JOBS["transfer_escalation"].interval == timedelta(minutes=15)
    warned = JOBS["transfer_escalation"].run(rt, due - timedelta(hours=2))
    assert "'warn': 1" in warned and "clues=0" in warned
    late = JOBS["transfer_escalation"].run(rt, due + timedelta(minutes=1))
    assert "'overdue': 1" in late and "clues=1" in late
    again = JOBS["transfer_escalation"].run(rt, due + timedelta(hours=1))
    assert "raised={}" in again and "clues=0" in again  # once per step
    with rt.sessions() as s:
        clue = s.scalars(select(Clue).where(Clue.cause_kind == "transfer_delay")).one()
        assert clue.duty_failure == "执法监管不到位"
        assert "昆山市环保局未在时限内决定是否移送公安机关" in clue.summary
        actions = s.scalars(
            select(AuditEvent.action).where(
                AuditEvent.subject_type == "transfer", AuditEvent.subject_id == str(proposed)
            )
        ).all()
        assert "transfer.warn" in actions and "transfer.overdue" in actions
