"""The case write API through the door a user uses (HTTP, both databases): every lifecycle step
as its route, the head approving and the investigator refused, bad input refused in Chinese
with nothing changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.audit.models import AuditEvent
from eco263.clock import FixedClock
from eco263.enforcement.models import PenaltyCase
from eco263.runtime import Runtime
from tests.conftest import login

TZ = ZoneInfo("Asia/Shanghai")
SHIP = "防治船舶污染内河水域环境管理规定第44条"
URL = "/api/v1/enforcement/cases"


def _on(clock: FixedClock, day: str) -> None:
    clock.set(datetime.fromisoformat(day + "T10:00").replace(tzinfo=TZ))


def _fingerprint(rt: Runtime) -> tuple[Any, ...]:
    with rt.sessions() as s:
        audits = s.scalar(select(func.count()).select_from(AuditEvent))
        rows = [
            (c.id, c.version, c.state, c.fine)
            for c in s.scalars(select(PenaltyCase).order_by(PenaltyCase.id))
        ]
    return audits, rows


def _post(client: TestClient, user: str, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json=body, headers=login(client, user))


def _open(client: TestClient) -> int:
    answer = _post(
        client,
        "zjg_msa",
        URL,
        {
            "source": "inspection",
            "title": "“苏XX货1234”轮向长江倾倒废钢渣",
            "party_name": "“苏XX货1234”轮船舶所有人",
            "found_on": "2018-04-02",
            "facts": "巡航发现该轮在长江张家港段向水体倾倒废钢渣约3吨",
        },
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["case"]["state"] == "clue" and body["next_steps"] == ["file", "not_file"]
    return int(body["case"]["id"])


def test_a_case_walks_from_clue_to_closure_through_the_api(
    rt: Runtime, client: TestClient, clock: FixedClock
) -> None:
    _on(clock, "2018-04-03")
    case_id = _open(client)
    step = f"{URL}/{case_id}"
    # The investigator (who opened it) never approves his own 立案: 403, nothing changed.
    before = _fingerprint(rt)
    mine = _post(client, "zjg_msa", f"{step}/filing", {"filed_on": "2018-04-03"})
    assert mine.status_code == 403 and "负责人" in mine.json()["error"]["message"]
    assert _fingerprint(rt) == before
    filed = _post(client, "zjg_msa_head", f"{step}/filing", {"filed_on": "2018-04-03"})
    assert filed.status_code == 200, filed.text
    assert filed.json()["case"]["decision_due"] == "2018-07-02"
    assert "pause" in filed.json()["next_steps"]
    # 监测 excluded from the clock: 5 days, the deadline moves by them.
    _on(clock, "2018-04-04")
    paused = _post(
        client, "zjg_msa", f"{step}/pauses", {"kind": "monitoring", "started_on": "2018-04-04"}
    )
    assert paused.status_code == 200 and "resume" in paused.json()["next_steps"]
    _on(clock, "2018-04-09")
    resumed = _post(client, "zjg_msa", f"{step}/resumption", {"ended_on": "2018-04-09"})
    assert (
        resumed.json()["case"]["decision_due"] == "2018-07-09"
    )  # 07-07 is a Saturday: rolls forward
    assert "扣除中止 5 日" in resumed.json()["case"]["decision_due_reason"]
    investigated = _post(
        client,
        "zjg_msa",
        f"{step}/investigation",
        {"article": SHIP, "proposed_fine": 18000, "facts": "倾倒废钢渣约3吨，有航拍和船员笔录"},
    )
    assert investigated.json()["case"]["state"] == "reviewing"
    assert investigated.json()["case"]["hearing_right"] is False
    _on(clock, "2018-04-10")
    notified = _post(client, "zjg_msa", f"{step}/notice", {"received_on": "2018-04-10"})
    assert notified.json()["case"]["statement_until"] == "2018-04-17"
    # A decision before the 陈述申辩 window closes: 409, in Chinese, nothing changed.
    _on(clock, "2018-04-16")
    before = _fingerprint(rt)
    early = _post(
        client,
        "zjg_msa_head",
        f"{step}/decision",
        {"outcome": "penalty", "decided_on": "2018-04-16", "fine": 18000},
    )
    assert early.status_code == 409 and "届满前不得作出处罚决定" in early.json()["error"]["message"]
    assert _fingerprint(rt) == before
    _on(clock, "2018-04-18")
    decided = _post(
        client,
        "zjg_msa_head",
        f"{step}/decision",
        {"outcome": "penalty", "decided_on": "2018-04-18", "fine": 18000},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["case"]["state"] == "decided"
    _on(clock, "2018-04-19")
    served = _post(client, "zjg_msa", f"{step}/service", {"served_on": "2018-04-19"})
    assert served.json()["case"]["payment_due"] == "2018-05-04"
    _on(clock, "2018-04-25")
    paid = _post(client, "zjg_msa", f"{step}/payment", {"paid_on": "2018-04-25", "amount": 18000})
    assert paid.json()["case"]["state"] == "executed"
    _on(clock, "2018-04-26")
    closed = _post(client, "zjg_msa_head", f"{step}/closing", {"closed_on": "2018-04-26"})
    assert closed.json()["case"]["state"] == "closed" and closed.json()["next_steps"] == []


def test_extension_is_asked_by_the_investigator_and_approved_by_the_head(
    rt: Runtime, client: TestClient, clock: FixedClock
) -> None:
    _on(clock, "2018-04-03")
    case_id = _open(client)
    _post(client, "zjg_msa_head", f"{URL}/{case_id}/filing", {"filed_on": "2018-04-03"})
    asked = _post(client, "zjg_msa", f"{URL}/{case_id}/extensions", {"reason": "需鉴定废钢渣成分"})
    assert asked.status_code == 201
    ext = asked.json()["id"]
    own = _post(
        client, "zjg_msa", f"/api/v1/enforcement/extensions/{ext}/decision", {"approve": True}
    )
    assert own.status_code == 403
    ok = _post(
        client, "zjg_msa_head", f"/api/v1/enforcement/extensions/{ext}/decision", {"approve": True}
    )
    assert ok.status_code == 200 and ok.json()["state"] == "approved"
    detail = client.get(f"{URL}/{case_id}", headers=login(client, "zjg_msa")).json()
    assert detail["case"]["decision_due"] == "2018-08-01"
    assert [e["state"] for e in detail["extensions"]] == ["approved"]


def test_bad_input_is_refused_in_chinese_and_changes_nothing(
    rt: Runtime, client: TestClient, clock: FixedClock
) -> None:
    _on(clock, "2018-04-03")
    case_id = _open(client)
    _post(client, "zjg_msa_head", f"{URL}/{case_id}/filing", {"filed_on": "2018-04-03"})
    before = _fingerprint(rt)
    bad = [
        # a fine outside the cited article's range
        (
            "zjg_msa",
            f"{URL}/{case_id}/investigation",
            {"article": SHIP, "proposed_fine": 50000, "facts": "超出幅度"},
            422,
            "超出",
        ),
        # an article that is not in the data
        (
            "zjg_msa",
            f"{URL}/{case_id}/investigation",
            {"article": "不存在的条款", "proposed_fine": 5000, "facts": "未知条款"},
            422,
            "未知的处罚依据条款",
        ),
        # a decision before 事先告知
        (
            "zjg_msa_head",
            f"{URL}/{case_id}/decision",
            {"outcome": "penalty", "decided_on": "2018-04-03", "fine": 5000},
            409,
            "未经事先告知",
        ),
        # a fine the column cannot hold; an unknown outcome; an unbounded id
        (
            "zjg_msa",
            f"{URL}/{case_id}/investigation",
            {"article": SHIP, "proposed_fine": 2**40, "facts": "溢出"},
            422,
            "",
        ),
        (
            "zjg_msa_head",
            f"{URL}/{case_id}/decision",
            {"outcome": "x", "decided_on": "2018-04-03"},
            422,
            "",
        ),
        ("zjg_msa", f"{URL}/{2**40}/filing", {"filed_on": "2018-04-03"}, 422, ""),
        # a day in the future
        ("zjg_msa", f"{URL}/{case_id}/notice", {"received_on": "2018-04-30"}, 409, ""),
        # another unit (the 昆山 bureau) and the enterprise: the case does not exist for them
        (
            "ks_epb_head",
            f"{URL}/{case_id}/decision",
            {"outcome": "minor", "decided_on": "2018-04-03", "reason": "x"},
            404,
            "",
        ),
        (
            "yld",
            f"{URL}/{case_id}/pauses",
            {"kind": "monitoring", "started_on": "2018-04-03"},
            404,
            "",
        ),
    ]
    for user, url, body, status, words in bad:
        answer = _post(client, user, url, body)
        assert answer.status_code == status, (url, body, answer.text)
        assert words in answer.json()["error"]["message"]
        assert _fingerprint(rt) == before
