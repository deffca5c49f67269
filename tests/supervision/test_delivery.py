"""Delivery end to end on loopback: eco263's outbox worker → the reference receiver.

Faults: receiver down for a while, answering 500, hanging past the timeout, crashing
before or after storing, eco263's worker killed mid-flight, a delivery going dead.
Each ends with every clue stored exactly once by the receiver.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi.responses import JSONResponse, Response
from sqlalchemy import func, select

from eco263.audit.models import AuditEvent
from eco263.config import Settings
from eco263.outbox.models import OutboxEvent
from eco263.runtime import Runtime
from eco263.supervision.models import Clue
from eco263.supervision.receiver.app import ReceiverHooks
from eco263.supervision.receiver.run import AutoReply
from eco263.supervision.receiver.sender import PlatformSender
from eco263.supervision.receiver.store import ReceiverStore
from tests.conftest import PASSWORD, Database
from tests.factories.problems import dispatch, register
from tests.supervision.making import make_clues
from tests.supervision.servers import SECRET, ServerThread, wait_until

ROOT = Path(__file__).resolve().parents[2]


def _events(rt: Runtime) -> list[OutboxEvent]:
    with rt.sessions() as s:
        return list(s.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


def _all_delivered(rt: Runtime) -> bool:
    return all(e.state == "delivered" for e in _events(rt))


def _assert_exactly_once(rt: Runtime, store: ReceiverStore, clue_ids: list[int]) -> None:
    received = store.clues()
    assert sorted(r["clue_id"] for r in received) == sorted(clue_ids)
    receipts = {r["clue_id"]: r["receipt_id"] for r in received}
    with rt.sessions() as s:
        for clue in s.scalars(select(Clue).where(Clue.id.in_(clue_ids))):
            assert clue.state == "delivered" and clue.receipt_id == receipts[clue.id]


class Counter:
    """A receiver hook that counts the POSTs that reach storage, optionally misbehaving."""

    def __init__(self, fail_first: int = 0, hang_first: int = 0, hang_seconds: float = 0) -> None:
        self.seen = 0
        self.fail_first, self.hang_first, self.hang_seconds = fail_first, hang_first, hang_seconds
        self.lock = threading.Lock()
        self.reached = threading.Event()

    def __call__(self, _doc: dict[str, Any]) -> Response | None:
        with self.lock:
            self.seen += 1
            n = self.seen
        self.reached.set()
        if n <= self.fail_first:
            return JSONResponse({"error": {"code": "boom", "message": "内部错误"}}, status_code=500)
        if n <= self.hang_first:
            time.sleep(self.hang_seconds)  # then store it anyway: the sender has given up
        return None


def _login(base: str, username: str) -> dict[str, str]:
    answer = httpx.post(
        f"{base}/api/v1/auth/login", json={"username": username, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_a_clue_reaches_the_receiver_within_5_seconds_of_its_cause(
    rt: Runtime, as_user, eco263_server: ServerThread, start_receiver, start_worker, receiver_store
) -> None:  # type: ignore[no-untyped-def]
    start_receiver()
    start_worker()
    with as_user("city") as ctx:
        p = register(ctx)
        dispatch(ctx, p.id)
    began = time.monotonic()
    answer = httpx.post(
        eco263_server.url + "/api/v1/clues",
        json={
            "problem_id": p.id,
            "duty_failure": "主动履职不到位",
            "summary": "人工移送：久拖不办",
        },
        headers=_login(eco263_server.url, "city"),
    )
    assert answer.status_code == 201, answer.text
    wait_until(lambda: receiver_store.count() == 1, 5, "clue not delivered within 5 s")
    assert time.monotonic() - began < 5
    wait_until(lambda: _all_delivered(rt), 15)
    _assert_exactly_once(rt, receiver_store, [answer.json()["id"]])
    detail = httpx.get(
        f"{eco263_server.url}/api/v1/clues/{answer.json()['id']}",
        headers=_login(eco263_server.url, "jiwei"),
    ).json()
    assert detail["delivery_state"] == "delivered"
    assert [h["state"] for h in detail["history"]] == ["generated", "delivered"]
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).where(AuditEvent.action == "clue.deliver")) == 1


def test_receiver_down_for_a_while_then_every_clue_arrives_exactly_once(
    rt: Runtime, start_receiver, start_worker, receiver_store
) -> None:  # type: ignore[no-untyped-def]
    ids = make_clues(rt, 20)
    start_worker(outbox_timeout_seconds=5)  # a long lease: nothing is re-sent by lease expiry
    wait_until(lambda: all(e.attempts >= 2 for e in _events(rt)), 30, "no retries while down")
    assert all(e.state == "pending" and "连接失败" in (e.last_error or "") for e in _events(rt))
    counter = Counter()
    start_receiver(hooks=ReceiverHooks(before_store=counter))
    wait_until(lambda: _all_delivered(rt), 30, "queue did not drain")
    _assert_exactly_once(rt, receiver_store, ids)
    assert counter.seen == 20  # nothing was sent twice once the receiver was up


def test_a_receiver_answering_500_is_retried(
    rt: Runtime, start_receiver, start_worker, receiver_store
) -> None:  # type: ignore[no-untyped-def]
    counter = Counter(fail_first=4)
    start_receiver(hooks=ReceiverHooks(before_store=counter))
    ids = make_clues(rt, 3)
    start_worker(outbox_timeout_seconds=5)
    wait_until(lambda: _all_delivered(rt), 30)
    _assert_exactly_once(rt, receiver_store, ids)
    assert counter.seen == 3 + 4
    assert sum(e.attempts for e in _events(rt)) == 7


def test_a_receiver_hanging_past_the_timeout_is_retried_and_dedup_holds(
    rt: Runtime, start_receiver, start_worker, receiver_store
) -> None:  # type: ignore[no-untyped-def]
    counter = Counter(hang_first=1, hang_seconds=1.2)  # timeout is 0.5 s
    start_receiver(hooks=ReceiverHooks(before_store=counter))
    ids = make_clues(rt, 1)
    start_worker()
    wait_until(lambda: _all_delivered(rt), 30)
    _assert_exactly_once(rt, receiver_store, ids)
    (event,) = _events(rt)
    assert event.attempts >= 2  # the first attempt timed out, the receiver stored it anyway
    assert event.receipt == receiver_store.clues()[0]["receipt_id"]


def _crashing_receiver(port: int, store_url: str, when: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(  # noqa: S603 - our own test server
        [sys.executable, "-m", "tests.supervision.crashing_receiver", str(port), store_url, when],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def up() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/health", timeout=0.5).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(up, 20, "crashing receiver did not start")
    return proc


def _crash_then_recover(
    rt: Runtime, start_receiver, start_worker, receiver_store, receiver_port, when: str
) -> None:  # type: ignore[no-untyped-def]
    url = str(receiver_store.engine.url)
    proc = _crashing_receiver(receiver_port, url, when)
    ids = make_clues(rt, 1)
    start_worker()
    assert proc.wait(timeout=15) == 3  # it died on the first clue
    assert receiver_store.count() == (1 if when == "after" else 0)
    assert _events(rt)[0].state == "pending"
    start_receiver()  # a healthy receiver on the same store and port
    wait_until(lambda: _all_delivered(rt), 30)
    _assert_exactly_once(rt, receiver_store, ids)


def test_a_receiver_that_crashes_after_storing_sees_the_clue_once(
    rt: Runtime, start_receiver, start_worker, receiver_store, receiver_port
) -> None:  # type: ignore[no-untyped-def]
    _crash_then_recover(rt, start_receiver, start_worker, receiver_store, receiver_port, "after")


def test_a_receiver_that_crashes_before_storing_gets_the_clue_again(
    rt: Runtime, start_receiver, start_worker, receiver_store, receiver_port
) -> None:  # type: ignore[no-untyped-def]
    _crash_then_recover(rt, start_receiver, start_worker, receiver_store, receiver_port, "before")


def _outbox_process(database: Database, docking: Settings) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ECO263_DATABASE_URL": database.url,
        "ECO263_SUPERVISION_URL": docking.supervision_url,
        "ECO263_OUTBOX_TIMEOUT_SECONDS": "1",
        "ECO263_OUTBOX_BACKOFF_BASE_SECONDS": "0.05",
        "ECO263_OUTBOX_BACKOFF_MAX_SECONDS": "0.3",
        "ECO263_OUTBOX_POLL_SECONDS": "0.05",
        "ECO263_OUTBOX_BATCH_SIZE": "4",
        "ECO263_OUTBOX_CONCURRENCY": "4",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "eco263", "outbox", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_eco263_killed_mid_delivery_delivers_after_restart(
    rt: Runtime, database: Database, docking: Settings, start_receiver, receiver_store
) -> None:  # type: ignore[no-untyped-def]
    counter = Counter(hang_first=1, hang_seconds=2.0)
    start_receiver(hooks=ReceiverHooks(before_store=counter))
    ids = make_clues(rt, 1)  # committed: from here on the clue must arrive
    first = _outbox_process(database, docking)
    try:
        assert counter.reached.wait(20), "worker never sent"
        first.send_signal(signal.SIGKILL)  # killed between commit and acknowledgement
        first.wait(10)
        assert _events(rt)[0].state == "pending"
        second = _outbox_process(database, docking)
        try:
            wait_until(lambda: _all_delivered(rt), 40, "not delivered after restart")
        finally:
            second.terminate()
            second.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    _assert_exactly_once(rt, receiver_store, ids)
    assert _events(rt)[0].attempts == 2  # the killed attempt and the one after its lease


def test_a_delivery_past_the_horizon_goes_dead_and_can_be_revived(
    rt: Runtime, eco263_server: ServerThread, start_receiver, start_worker, receiver_store
) -> None:  # type: ignore[no-untyped-def]
    ids = make_clues(rt, 1)
    start_worker(outbox_horizon_hours=0.4 / 3600)
    wait_until(lambda: _events(rt)[0].state == "dead", 20, "never went dead")
    board = httpx.get(
        eco263_server.url + "/api/v1/supervision/deliveries",
        headers=_login(eco263_server.url, "leader"),
    ).json()
    assert board["dead"] == 1 and board["pending"] == 0
    assert "连接失败" in board["dead_items"][0]["last_error"]
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).where(AuditEvent.action == "clue.delivery_dead")) == 1
    event_id = board["dead_items"][0]["id"]
    url = f"{eco263_server.url}/api/v1/supervision/deliveries/{event_id}/retry"
    assert httpx.post(url, headers=_login(eco263_server.url, "ks_epb")).status_code == 403
    start_receiver()
    revived = httpx.post(url, headers=_login(eco263_server.url, "city"))
    assert revived.status_code == 200 and revived.json() == {"revived": [event_id]}
    wait_until(lambda: _all_delivered(rt), 30)
    _assert_exactly_once(rt, receiver_store, ids)


def test_two_workers_never_send_the_same_clue(
    rt: Runtime, start_receiver, start_worker, receiver_store
) -> None:  # type: ignore[no-untyped-def]
    counter = Counter()
    start_receiver(hooks=ReceiverHooks(before_store=counter))
    ids = make_clues(rt, 40)
    start_worker(outbox_timeout_seconds=5)  # long leases: only the claim can keep them apart
    start_worker(outbox_timeout_seconds=5)
    wait_until(lambda: _all_delivered(rt), 30)
    _assert_exactly_once(rt, receiver_store, ids)
    assert counter.seen == 40


def test_the_demo_loop_an_opinion_comes_back(
    rt: Runtime, as_user, eco263_server: ServerThread, start_receiver, start_worker, receiver_store
) -> None:  # type: ignore[no-untyped-def]
    sender = PlatformSender(eco263_server.url, SECRET, receiver_store)
    start_receiver(on_clue=AutoReply(sender, opinion=True))
    start_worker()
    with as_user("city") as ctx:
        from eco263.supervision.actions.manual import do_open_manual_clue
        from eco263.supervision.enums import DutyFailure
        from eco263.supervision.schemas import ManualClueIn

        p = register(ctx)
        dispatch(ctx, p.id)
        clue = do_open_manual_clue(
            ctx,
            ManualClueIn(problem_id=p.id, duty_failure=DutyFailure.INITIATIVE, summary="演示线索"),
        )

    def opinion_problem() -> list[dict[str, Any]]:
        detail = httpx.get(
            f"{eco263_server.url}/api/v1/clues/{clue.id}",
            headers=_login(eco263_server.url, "jiwei"),
        ).json()
        return list(detail["opinions"]) if detail["state"] == "accepted" else []

    wait_until(lambda: opinion_problem(), 30, "no opinion came back")
    (opinion,) = opinion_problem()
    assert opinion["opinion_no"] == f"苏纪监意〔2018〕{clue.id}号"
    assert opinion["deadline"] == "2018-06-09"
    city = _login(eco263_server.url, "city")

    def actions() -> list[str]:
        url = f"{eco263_server.url}/api/v1/problems/{p.id}/timeline"
        return [e["action"] for e in httpx.get(url, headers=city).json()]

    # The receiver answers (status, opinion) while the delivery is still in flight: the
    # worker records clue.deliver once the receiver's 2xx is back, which may come after.
    expected = ("clue.open", "clue.deliver", "clue.status", "supervision.opinion")
    wait_until(lambda: all(a in actions() for a in expected), 30, "the timeline is incomplete")
    sender.close()
