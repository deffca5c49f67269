"""专题询问 through the real routes: the 2018-04-27 sitting of bulletin no. 70."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from eco263.clock import FixedClock, parse_now
from eco263.registry.models import Organization
from eco263.runtime import Runtime
from tests.conftest import login

URL = "/api/v1/inquiries"

#: topic → (answering unit, the user who answers for it)
QUESTIONS = {
    "大气污染的主要原因": ("苏州市环保局", "sz_epb"),
    "机动车污染防治": ("苏州市公安局", "sz_police"),
    "推广新能源汽车现状": ("苏州市交通运输局", "sz_transport"),
}


def org_id(rt: Runtime, name: str) -> int:
    with rt.sessions() as s:
        found = s.scalar(select(Organization.id).where(Organization.name == name))
    assert found is not None, name
    return found


def post(client: TestClient, who: str, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json=body, headers=login(client, who))


def sitting_body(rt: Runtime, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "committee_org_id": org_id(rt, "苏州市人大常委会"),
        "session_name": "苏州市十六届人大常委会第11次会议",
        "held_on": "2018-04-27",
        "theme": "大气污染防治",
    }
    body.update(overrides)
    return body


def held(client: TestClient, rt: Runtime, clock: FixedClock) -> dict[str, Any]:
    """The sitting (2018-04-27) with its three questions, none answered yet."""
    clock.set(parse_now("2018-04-27T17:00"))
    answer = post(client, "city", URL, sitting_body(rt))
    assert answer.status_code == 201, answer.text
    sid = int(answer.json()["id"])
    for topic, (unit, _) in QUESTIONS.items():
        answer = post(
            client,
            "city",
            f"{URL}/{sid}/questions",
            {
                "asker": "委员甲",
                "topic": topic,
                "question": f"关于{topic}的询问",
                "organization_id": org_id(rt, unit),
            },
        )
        assert answer.status_code == 201, answer.text
    body: dict[str, Any] = client.get(f"{URL}/{sid}", headers=login(client, "city")).json()
    return body


def answered(client: TestClient, rt: Runtime, clock: FixedClock) -> dict[str, Any]:
    sitting = held(client, rt, clock)
    for q in sitting["questions"]:
        _, who = QUESTIONS[q["topic"]]
        answer = post(
            client,
            who,
            f"{URL}/questions/{q['id']}/answer",
            {"answerer": "负责同志", "answer": f"{q['topic']}：已采取措施"},
        )
        assert answer.status_code == 200, answer.text
    return sitting


def received(client: TestClient, rt: Runtime, clock: FixedClock) -> int:
    """…answered, and the 审议意见 received on Fri 2018-05-18."""
    sid = int(answered(client, rt, clock)["id"])
    clock.set(parse_now("2018-05-18T10:00"))
    answer = post(
        client,
        "city",
        f"{URL}/{sid}/opinion",
        {
            "text": "一、加大机动车污染防治力度。\n二、加快新能源汽车推广。",
            "received_on": "2018-05-18",
        },
    )
    assert answer.status_code == 200, answer.text
    return sid
