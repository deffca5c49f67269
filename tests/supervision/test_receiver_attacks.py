"""Issue #10, item 3, in the outbound direction: eco263's outbox worker signs clues (v2) for
the reference receiver on a loopback port; a request captured on the wire is replayed
under a new key, as is, after a restart, reflected to eco263's inbound side, or sent
with the old signature — and a 64 MB clue is refused before it is read."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from eco263.clock import FixedClock, OffsetClock
from eco263.config import Settings
from eco263.outbox import signing
from eco263.outbox.models import OutboxEvent
from eco263.outbox.worker import OutboxWorker
from eco263.runtime import Runtime
from eco263.supervision.delivery import handlers
from eco263.supervision.receiver.app import ReceiverHooks
from eco263.supervision.receiver.store import ReceiverStore
from eco263.wiring import build_runtime
from tests.supervision.making import make_clues
from tests.supervision.servers import SECRET, ServerThread, wait_until
from tests.supervision.test_delivery import Counter
from tests.supervision.test_inbound_attacks import MIB, raw_request


class Wire:
    """What went over the wire: every request the worker sent, bytes and headers."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> None:
        request.read()
        self.requests.append(request)

    def replay(self, url: str | None = None, **headers: str) -> httpx.Response:
        sent = self.requests[-1]
        changed = dict(sent.headers) | {k.lower(): v for k, v in headers.items()}
        changed.pop("content-length", None)
        return httpx.post(url or str(sent.url), content=sent.content, headers=changed, timeout=10)


@pytest.fixture
def tapped(rt: Runtime, docking: Settings) -> Iterator[tuple[OutboxWorker, Wire]]:
    """A worker (driven round by round) whose HTTP client records what it sends."""
    wire = Wire()
    wrt = build_runtime(docking, OffsetClock(rt.clock.now()))
    client = httpx.Client(timeout=0.5, event_hooks={"request": [wire]})
    worker = OutboxWorker(wrt, handlers(), client=client)
    yield worker, wire
    worker.close()
    wrt.engine.dispose()


def _deliver_one(rt: Runtime, worker: OutboxWorker) -> None:
    make_clues(rt, 1)
    assert worker.run_once().delivered == 1


def _event(rt: Runtime) -> OutboxEvent:
    with rt.sessions() as s:
        (event,) = s.query(OutboxEvent).all()
        return event


def test_a_captured_clue_replayed_under_a_new_key_is_refused(
    rt: Runtime, start_receiver, receiver_store: ReceiverStore, tapped
) -> None:  # type: ignore[no-untyped-def]
    start_receiver()
    worker, wire = tapped
    _deliver_one(rt, worker)
    assert receiver_store.count() == 1
    for n in (2, 3):
        answer = wire.replay(**{signing.HEADER_KEY: f"clue:forged:{n}"})
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "bad_signature"
    assert receiver_store.count() == 1


def test_a_captured_clue_replayed_as_is_is_refused_even_after_a_restart(
    rt: Runtime, start_receiver, receiver_store: ReceiverStore, tapped
) -> None:  # type: ignore[no-untyped-def]
    first = start_receiver()
    worker, wire = tapped
    _deliver_one(rt, worker)
    answer = wire.replay()
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "signature_replayed"
    first.stop()
    start_receiver()  # same store, new process state
    answer = wire.replay()
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "signature_replayed"
    assert receiver_store.count() == 1


def test_a_clue_request_reflected_to_eco263_inbound_is_refused(
    rt: Runtime, start_receiver, tapped, eco263_server: ServerThread
) -> None:  # type: ignore[no-untyped-def]
    """Both directions share the secret; the path in the signature keeps them apart."""
    start_receiver()
    worker, wire = tapped
    _deliver_one(rt, worker)
    for path in ("clue-status", "opinions", "accountability"):
        answer = wire.replay(eco263_server.url + f"/api/v1/supervision/inbound/{path}")
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "bad_signature"


def test_the_receiver_refuses_the_v1_signature(
    rt: Runtime, start_receiver, receiver_store: ReceiverStore, tapped
) -> None:  # type: ignore[no-untyped-def]
    start_receiver()
    worker, wire = tapped
    _deliver_one(rt, worker)
    sent = wire.requests[-1]
    stamp = sent.headers[signing.HEADER_TIMESTAMP].encode()
    v1 = hmac.new(SECRET, stamp + b"." + sent.content, hashlib.sha256).hexdigest()
    answer = wire.replay(
        **{signing.HEADER_KEY: "clue:v1", signing.HEADER_SIGNATURE: "sha256=" + v1}
    )
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "signature_version"
    assert receiver_store.count() == 1


def test_the_receiver_refuses_a_64_mb_clue_before_reading_it(
    start_receiver, receiver_store: ReceiverStore
) -> None:  # type: ignore[no-untyped-def]
    server = start_receiver()
    answer, took, closed = raw_request(
        server.port,
        "/clues",
        f"Content-Type: application/json\r\nContent-Length: {64 * MIB}\r\n",
        b" " * 65536,
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert closed and took < 2.0
    assert receiver_store.count() == 0


def test_an_attempt_reusing_an_answered_signature_is_retried_then_delivered(
    rt: Runtime, start_receiver, receiver_store: ReceiverStore, tapped
) -> None:  # type: ignore[no-untyped-def]
    """Attempt 1 times out but is stored; attempt 2 falls in the same wire second, so it
    carries the same signature and is refused (409 signature_replayed) — not taken for
    delivery; attempt 3, a second later, is answered 409 replayed: delivered, once."""
    start_receiver(hooks=ReceiverHooks(before_store=Counter(hang_first=1, hang_seconds=1.0)))
    worker, wire = tapped
    second = datetime.now(UTC).replace(microsecond=0)
    worker.wire_clock = FixedClock(second)
    make_clues(rt, 1)
    assert worker.run_once().retried == 1  # timed out
    wait_until(lambda: receiver_store.count() == 1, 10, "the hung attempt was not stored")

    def next_round() -> Any:
        wait_until(lambda: _event(rt).next_attempt_at <= worker.rt.clock.now(), 10)
        return worker.run_once()

    assert next_round().retried == 1
    assert "签名已使用过" in (_event(rt).last_error or "")
    worker.wire_clock = FixedClock(second + timedelta(seconds=1))
    assert next_round().delivered == 1
    event = _event(rt)
    assert event.state == "delivered" and event.attempts == 3
    assert event.receipt == receiver_store.clues()[0]["receipt_id"]
    assert len({r.headers[signing.HEADER_SIGNATURE] for r in wire.requests}) == 2
