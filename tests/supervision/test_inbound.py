"""What the platform sends back, over real HTTP: statuses, 监督意见书, 问责 — and the hostile
requests that must be refused with a clear 4xx and change nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from eco263.app import create_app
from eco263.clock import FixedClock
from eco263.config import Settings
from eco263.outbox import signing
from eco263.problems.models import Assignment, Problem
from eco263.runtime import Runtime
from eco263.supervision.actions.manual import do_open_manual_clue
from eco263.supervision.enums import DutyFailure
from eco263.supervision.models import Accountability, Clue, ClueStateChange, InboundRequest
from eco263.supervision.schemas import ManualClueIn
from eco263.wiring import build_runtime
from tests.conftest import PASSWORD
from tests.factories.problems import dispatch, register
from tests.supervision.servers import ServerThread, free_port, signed_post

STATUS = "/api/v1/supervision/inbound/clue-status"
OPINIONS = "/api/v1/supervision/inbound/opinions"
ACCOUNTABILITY = "/api/v1/supervision/inbound/accountability"


def _clue(as_user) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """A clue about a dispatched problem: (clue id, problem id, unit id)."""
    with as_user("city") as ctx:
        p = register(ctx)
        (a,) = dispatch(ctx, p.id)
        clue = do_open_manual_clue(
            ctx,
            ManualClueIn(
                problem_id=p.id, duty_failure=DutyFailure.INITIATIVE, summary="久拖不办，移送线索"
            ),
        )
    return clue.id, p.id, a.organization_id


def _state(rt: Runtime, clue_id: int) -> tuple[str, int, int]:
    with rt.sessions() as s:
        clue = s.get_one(Clue, clue_id)
        requests = s.scalar(select(func.count()).select_from(InboundRequest)) or 0
        history = s.scalar(select(func.count()).where(ClueStateChange.clue_id == clue_id)) or 0
        return clue.state, int(requests), int(history)


def _timeline(base: str, problem_id: int) -> list[dict[str, Any]]:
    token = httpx.post(
        f"{base}/api/v1/auth/login", json={"username": "jiwei", "password": PASSWORD}
    ).json()["access_token"]
    answer = httpx.get(
        f"{base}/api/v1/problems/{problem_id}/timeline",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def test_statuses_move_the_clue_forward_and_show_in_the_timeline(
    rt: Runtime, as_user, eco263_server: ServerThread
) -> None:
    clue_id, problem_id, _ = _clue(as_user)
    receipts = []
    for status in ("received", "accepted", "concluded"):
        answer = signed_post(eco263_server.url + STATUS, {"clue_id": clue_id, "status": status})
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == status
        receipts.append(answer.json()["receipt_id"])
    assert len(set(receipts)) == 3
    assert _state(rt, clue_id)[0] == "concluded"
    actions = [e["action"] for e in _timeline(eco263_server.url, problem_id)]
    assert actions.count("clue.status") == 3


def test_a_status_going_backwards_is_refused_and_changes_nothing(
    rt: Runtime, as_user, eco263_server: ServerThread
) -> None:
    clue_id, _, _ = _clue(as_user)
    assert (
        signed_post(
            eco263_server.url + STATUS, {"clue_id": clue_id, "status": "rejected"}
        ).status_code
        == 200
    )
    before = _state(rt, clue_id)
    answer = signed_post(eco263_server.url + STATUS, {"clue_id": clue_id, "status": "accepted"})
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "illegal_status"
    assert _state(rt, clue_id) == before


def test_an_opinion_creates_a_rectification_problem_for_the_unit(
    rt: Runtime, as_user, eco263_server: ServerThread
) -> None:
    clue_id, problem_id, unit = _clue(as_user)
    body = {
        "opinion_no": "苏纪监意〔2018〕3号",
        "clue_id": clue_id,
        "organization_id": unit,
        "title": "关于昆山市环保局整改不力的监督意见",
        "content": "请于期限内整改到位并报送整改情况。",
        "issued_on": "2018-05-10",
        "deadline": "2018-06-08",
    }
    answer = signed_post(eco263_server.url + OPINIONS, body)
    assert answer.status_code == 200, answer.text
    new_id = answer.json()["problem_id"]
    with rt.sessions() as s:
        problem = s.get_one(Problem, new_id)
        (assignment,) = s.scalars(select(Assignment).where(Assignment.problem_id == new_id)).all()
    assert problem.source == "监督意见书" and problem.due_date == date(2018, 6, 8)
    assert problem.title.startswith("【监督意见书】") and problem.state == "assigned"
    assert (assignment.organization_id, assignment.due_date) == (unit, date(2018, 6, 8))
    assert "supervision.opinion" in [e["action"] for e in _timeline(eco263_server.url, problem_id)]
    assert "supervision.opinion" in [e["action"] for e in _timeline(eco263_server.url, new_id)]
    again = signed_post(eco263_server.url + OPINIONS, body)  # same 文号, new idempotency key
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate_opinion"


def test_an_opinion_dated_in_the_future_is_refused(rt: Runtime, as_user, eco263_server) -> None:  # type: ignore[no-untyped-def]
    clue_id, _, unit = _clue(as_user)
    body = {
        "opinion_no": "X-1",
        "clue_id": clue_id,
        "organization_id": unit,
        "title": "意见",
        "issued_on": "2018-05-11",
        "deadline": "2018-06-08",
    }
    answer = signed_post(eco263_server.url + OPINIONS, body)
    assert answer.status_code == 422 and "签发日期" in answer.json()["error"]["message"]
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).where(Problem.source == "监督意见书")) == 0


def test_accountability_is_recorded_on_the_clue_and_the_unit(
    rt: Runtime, as_user, eco263_server: ServerThread
) -> None:
    clue_id, problem_id, unit = _clue(as_user)
    body = {
        "clue_id": clue_id,
        "person": "王某",
        "position": "副局长",
        "form": "第一种形态",
        "measure": "诫勉谈话",
        "decided_on": "2018-05-09",
    }
    answer = signed_post(eco263_server.url + ACCOUNTABILITY, body)
    assert answer.status_code == 200, answer.text
    with rt.sessions() as s:
        record = s.scalars(select(Accountability)).one()
    assert (record.clue_id, record.organization_id, record.form) == (clue_id, unit, "第一种形态")
    assert "supervision.accountability" in [
        e["action"] for e in _timeline(eco263_server.url, problem_id)
    ]


# -- hostile requests ------------------------------------------------------------------------------


def _raw(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(url, content=body, headers=headers, timeout=10)


@pytest.mark.parametrize(
    ("attack", "status", "code"),
    [
        ("forged", 401, "bad_signature"),
        ("old", 401, "stale_timestamp"),
        ("future", 401, "stale_timestamp"),
        ("unknown_clue", 404, "not_found"),
        ("malformed", 400, "malformed_json"),
        ("unsigned", 400, "bad_headers"),
        ("bad_field", 422, "invalid"),
        ("tampered_body", 401, "bad_signature"),
    ],
)
def test_hostile_requests_are_refused_and_change_nothing(
    rt: Runtime, as_user, eco263_server: ServerThread, attack: str, status: int, code: str
) -> None:
    clue_id, _, _ = _clue(as_user)
    url = eco263_server.url + STATUS
    good = {"clue_id": clue_id, "status": "received"}
    before = _state(rt, clue_id)
    now = datetime.now(UTC)
    if attack == "forged":
        answer = signed_post(url, good, secret=b"not-the-secret")
    elif attack == "old":
        answer = signed_post(url, good, at=now - timedelta(minutes=6))
    elif attack == "future":
        answer = signed_post(url, good, at=now + timedelta(minutes=6))
    elif attack == "unknown_clue":
        answer = signed_post(url, {"clue_id": 987654, "status": "received"})
    elif attack == "malformed":
        answer = signed_post(url, b'{"clue_id": 1, "status": ')
    elif attack == "unsigned":
        answer = httpx.post(url, json=good)
    elif attack == "bad_field":
        answer = signed_post(url, {"clue_id": clue_id, "status": "approved"})
    else:
        body = signing.canonical_json(good)
        headers = signing.signed_headers(
            b"eco263-demo-secret", body, "k-1", now, method="POST", url=url
        )
        answer = _raw(url, body.replace(b"received", b"rejected"), headers)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code and error["message"]
    assert _state(rt, clue_id) == before


def test_a_resigned_retry_of_a_known_key_is_refused_with_the_first_receipt(
    rt: Runtime, as_user, eco263_server: ServerThread
) -> None:
    clue_id, _, _ = _clue(as_user)
    url = eco263_server.url + STATUS
    body = signing.canonical_json({"clue_id": clue_id, "status": "received"})
    headers = signing.signed_headers(
        b"eco263-demo-secret", body, "jw-status-1", datetime.now(UTC), method="POST", url=url
    )
    first = _raw(url, body, headers)
    assert first.status_code == 200
    after_first = _state(rt, clue_id)
    resigned = signing.signed_headers(  # a retry after a lost answer: same key, re-signed
        b"eco263-demo-secret",
        body,
        "jw-status-1",
        datetime.now(UTC) + timedelta(seconds=1),
        method="POST",
        url=url,
    )
    replay = _raw(url, body, resigned)
    assert replay.status_code == 409
    error = replay.json()["error"]
    assert error["code"] == "replayed"
    assert error["details"]["receipt_id"] == first.json()["receipt_id"]
    assert _state(rt, clue_id) == after_first


@pytest.fixture
def rotating_server(rt: Runtime, settings: Settings, clock: FixedClock):  # type: ignore[no-untyped-def]
    """eco263 in a secret rotation: signs with 'new', accepts 'old' until a given time."""
    servers: list[tuple[ServerThread, Runtime]] = []

    def start(until: datetime) -> ServerThread:
        rotated = settings.model_copy(
            update={
                "supervision_secret": "new-secret",
                "supervision_previous_secret": "eco263-demo-secret",
                "supervision_previous_secret_until": until,
            }
        )
        rotated = Settings.model_validate(rotated.model_dump())
        runtime = build_runtime(rotated, clock)
        app = create_app(rotated, clock)
        app.state.runtime = runtime
        server = ServerThread(app, free_port()).start()
        servers.append((server, runtime))
        return server

    yield start
    for server, runtime in servers:
        server.stop()
        runtime.engine.dispose()


def test_during_a_rotation_the_previous_secret_is_accepted_until_the_window_ends(
    rt: Runtime, as_user, rotating_server
) -> None:  # type: ignore[no-untyped-def]
    clue_id, _, _ = _clue(as_user)
    open_window = rotating_server(datetime.now(UTC) + timedelta(hours=1))
    old = signed_post(open_window.url + STATUS, {"clue_id": clue_id, "status": "received"})
    assert old.status_code == 200, old.text
    new = signed_post(
        open_window.url + STATUS, {"clue_id": clue_id, "status": "accepted"}, secret=b"new-secret"
    )
    assert new.status_code == 200, new.text
    closed = rotating_server(datetime.now(UTC) - timedelta(minutes=1))
    late = signed_post(closed.url + STATUS, {"clue_id": clue_id, "status": "concluded"})
    assert late.status_code == 401 and late.json()["error"]["code"] == "bad_signature"
