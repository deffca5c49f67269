"""Issue #10, item 3, over real HTTP against eco263 on a loopback port: a captured signed
request replayed under a new key, on another path or method, or as is; an old (v1)
signature; and bodies too big to read (64 MB with a length, chunked without one).

Every refusal is checked to change nothing (问责 rows, inbound requests, clue state)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from eco263.app import create_app
from eco263.clock import FixedClock
from eco263.config import Settings
from eco263.outbox import signing
from eco263.runtime import Runtime
from eco263.supervision import inbound, wire
from eco263.supervision.models import Accountability, InboundRequest, SpentSignature
from eco263.wiring import build_runtime
from tests.supervision.servers import SECRET, ServerThread, free_port
from tests.supervision.test_inbound import ACCOUNTABILITY, STATUS, _clue, _state

MIB = 1024 * 1024


def _count(rt: Runtime, model: Any) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _capture(
    url: str, payload: dict[str, Any], key: str, *, method: str = "POST", at: datetime | None = None
) -> tuple[bytes, dict[str, str]]:
    """A request as the platform signs it (and as an eavesdropper then holds it)."""
    body = signing.canonical_json(payload)
    at = at or datetime.now(UTC)
    return body, signing.signed_headers(SECRET, body, key, at, method=method, url=url)


def _post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(url, content=body, headers=headers, timeout=10)


def _accountability(clue_id: int) -> dict[str, Any]:
    return {
        "clue_id": clue_id,
        "person": "王某",
        "position": "副局长",
        "form": "第一种形态",
        "measure": "诫勉谈话",
        "decided_on": "2018-05-09",
    }


def test_the_issue_replay_same_signed_body_under_new_keys_is_refused(
    rt: Runtime, as_user, eco263_server: ServerThread
) -> None:  # type: ignore[no-untyped-def]
    """ "One 问责 became three": the captured request, re-sent under two new keys."""
    clue_id, _, _ = _clue(as_user)
    url = eco263_server.url + ACCOUNTABILITY
    body, headers = _capture(url, _accountability(clue_id), "jw-accountability-1")
    assert _post(url, body, headers).status_code == 200
    before = (_count(rt, Accountability), _count(rt, InboundRequest))
    assert before[0] == 1
    for n in (2, 3):
        replay = _post(url, body, headers | {signing.HEADER_KEY: f"jw-accountability-{n}"})
        assert replay.status_code == 401, replay.text
        assert replay.json()["error"]["code"] == "bad_signature"
    assert (_count(rt, Accountability), _count(rt, InboundRequest)) == before


def test_a_status_signed_for_its_path_is_refused_on_the_accountability_path(
    rt: Runtime, as_user, eco263_server: ServerThread
) -> None:  # type: ignore[no-untyped-def]
    """A body valid for both routes (extra keys are ignored): v1 let a status become a 问责."""
    clue_id, _, _ = _clue(as_user)
    payload = {"status": "received", **_accountability(clue_id)}
    body, headers = _capture(eco263_server.url + STATUS, payload, "jw-status-9")
    answer = _post(eco263_server.url + ACCOUNTABILITY, body, headers)
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "bad_signature"
    assert _count(rt, Accountability) == 0
    assert _post(eco263_server.url + STATUS, body, headers).status_code == 200  # where it belongs


def test_a_request_signed_for_another_method_is_refused(
    rt: Runtime, as_user, eco263_server: ServerThread
) -> None:  # type: ignore[no-untyped-def]
    clue_id, _, _ = _clue(as_user)
    url = eco263_server.url + STATUS
    before = _state(rt, clue_id)
    body, headers = _capture(url, {"clue_id": clue_id, "status": "received"}, "m-1", method="PUT")
    answer = _post(url, body, headers)
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "bad_signature"
    assert _state(rt, clue_id) == before


def test_an_exact_replay_within_the_window_is_refused_before_the_keys_are_consulted(
    rt: Runtime, as_user, eco263_server: ServerThread
) -> None:  # type: ignore[no-untyped-def]
    clue_id, _, _ = _clue(as_user)
    url = eco263_server.url + STATUS
    body, headers = _capture(url, {"clue_id": clue_id, "status": "received"}, "jw-status-1")
    assert _post(url, body, headers).status_code == 200
    after_first = _state(rt, clue_id)
    for _ in range(3):
        replay = _post(url, body, headers)
        assert replay.status_code == 409, replay.text
        error = replay.json()["error"]
        assert error["code"] == "signature_replayed" and "receipt_id" not in error.get(
            "details", {}
        )
    assert _state(rt, clue_id) == after_first


def test_a_refused_request_cannot_be_replayed_once_the_state_would_allow_it(
    rt: Runtime, as_user, eco263_server: ServerThread
) -> None:  # type: ignore[no-untyped-def]
    """'concluded' before 'accepted' is refused (409); replayed after 'accepted' it must
    stay refused — the sender did not send it again."""
    clue_id, _, _ = _clue(as_user)
    url = eco263_server.url + STATUS
    early, early_headers = _capture(url, {"clue_id": clue_id, "status": "concluded"}, "jw-c-1")
    refused = _post(url, early, early_headers)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "illegal_status"
    body, headers = _capture(url, {"clue_id": clue_id, "status": "accepted"}, "jw-c-2")
    assert _post(url, body, headers).status_code == 200
    replay = _post(url, early, early_headers)
    assert replay.status_code == 409 and replay.json()["error"]["code"] == "signature_replayed"
    assert _state(rt, clue_id)[0] == "accepted"


def test_a_server_error_leaves_the_signature_unspent_so_the_sender_may_resend(
    rt: Runtime, as_user, eco263_server: ServerThread, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    clue_id, _, _ = _clue(as_user)
    url = eco263_server.url + STATUS
    real = inbound.do_record_clue_status
    calls: list[int] = []

    def flaky(ctx, body):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return real(ctx, body)

    monkeypatch.setattr(inbound, "do_record_clue_status", flaky)
    body, headers = _capture(url, {"clue_id": clue_id, "status": "received"}, "jw-5xx")
    failed = _post(url, body, headers)
    assert failed.status_code == 500
    assert _count(rt, SpentSignature) == 0 and _count(rt, InboundRequest) == 0
    resent = _post(url, body, headers)  # the very same bytes, e.g. a same-second retry
    assert resent.status_code == 200, resent.text
    assert _state(rt, clue_id)[0] == "received"


@pytest.fixture
def app_on(rt: Runtime, settings: Settings, clock: FixedClock) -> Iterator[Any]:
    """``app_on(**settings)`` — eco263 on a new port and runtime, on the test database."""
    running: list[tuple[ServerThread, Runtime]] = []

    def start(**overrides: Any) -> ServerThread:
        changed = settings.model_copy(update=overrides)
        runtime = build_runtime(changed, clock)
        app = create_app(changed, clock)
        app.state.runtime = runtime
        server = ServerThread(app, free_port()).start()
        running.append((server, runtime))
        return server

    yield start
    for server, runtime in running:
        server.stop()
        runtime.engine.dispose()


def test_the_replay_window_survives_a_restart(rt: Runtime, as_user, app_on) -> None:  # type: ignore[no-untyped-def]
    clue_id, _, _ = _clue(as_user)
    first = app_on()
    body, headers = _capture(
        first.url + STATUS, {"clue_id": clue_id, "status": "received"}, "jw-restart"
    )
    assert _post(first.url + STATUS, body, headers).status_code == 200
    first.stop()
    second = app_on()  # a new process as far as memory goes: only the database remembers
    replay = _post(second.url + STATUS, body, headers)
    assert replay.status_code == 409 and replay.json()["error"]["code"] == "signature_replayed"


def test_spent_signatures_expire_with_their_window(
    rt: Runtime, as_user, eco263_server: ServerThread
) -> None:  # type: ignore[no-untyped-def]
    old = signing.Verified(key="old", timestamp=int(time.time()) - 3600, signature="e" * 64)
    with rt.unit_of_work(inbound.PLATFORM) as ctx:
        inbound.spend_signature(
            ctx, old, wire_now=datetime.now(UTC) - timedelta(hours=1), max_skew=300
        )
    assert _count(rt, SpentSignature) == 1
    clue_id, _, _ = _clue(as_user)
    url = eco263_server.url + STATUS
    body, headers = _capture(url, {"clue_id": clue_id, "status": "received"}, "jw-fresh")
    assert _post(url, body, headers).status_code == 200
    with rt.sessions() as s:
        kept = list(s.scalars(select(SpentSignature)))
    assert [k.idempotency_key for k in kept] == ["jw-fresh"]  # the expired one was purged
    window = kept[0].expires_at - datetime.fromtimestamp(
        int(headers[signing.HEADER_TIMESTAMP]), UTC
    )
    assert window == timedelta(seconds=301)


def test_a_v1_signature_is_refused_with_a_clear_message(
    rt: Runtime, as_user, eco263_server: ServerThread
) -> None:  # type: ignore[no-untyped-def]
    import hashlib
    import hmac

    clue_id, _, _ = _clue(as_user)
    url = eco263_server.url + STATUS
    body, headers = _capture(url, {"clue_id": clue_id, "status": "received"}, "jw-v1")
    stamp = headers[signing.HEADER_TIMESTAMP].encode()
    v1 = hmac.new(SECRET, stamp + b"." + body, hashlib.sha256).hexdigest()
    answer = _post(url, body, headers | {signing.HEADER_SIGNATURE: "sha256=" + v1})
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["code"] == "signature_version" and "v2" in error["message"]
    assert _count(rt, InboundRequest) == 0


# -- body size ---------------------------------------------------------------------------------


def raw_request(
    port: int, path: str, headers: str, first_bytes: bytes, *, wait: float = 5.0
) -> tuple[bytes, float, bool]:
    """Send the request line, ``headers`` and only ``first_bytes`` of the body (the rest is
    never sent); return the answer, how long it took, and whether the server then closed
    the connection (rather than waiting to drain the unread body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n"
        started = time.monotonic()
        sock.sendall(head.encode("ascii") + first_bytes)
        answer, closed = b"", False
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    closed = True
                    break
                answer += chunk
        except ConnectionResetError:
            closed = True
        except TimeoutError:
            closed = False
        return answer, time.monotonic() - started, closed


def test_a_64_mb_body_is_refused_before_it_is_read(
    rt: Runtime, eco263_server: ServerThread
) -> None:
    """Headers announce 64 MiB; the client sends 64 KiB and waits: the answer is 413 at
    once, so the server never waited for (let alone buffered) the rest."""
    before = _count(rt, InboundRequest)
    answer, took, closed = raw_request(
        eco263_server.port,
        ACCOUNTABILITY,
        f"Content-Type: application/json\r\nContent-Length: {64 * MIB}\r\n",
        b" " * 65536,
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"too_large"' in answer and "上限".encode() in answer
    assert closed and took < 2.0  # answered and hung up without the other 63.9 MiB
    assert _count(rt, InboundRequest) == before


def test_a_chunked_body_is_read_only_up_to_the_limit(
    rt: Runtime, eco263_server: ServerThread
) -> None:
    """No length: 1.5 MiB of chunks is sent and the body never ends; 413 comes anyway."""
    chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
    answer, took, closed = raw_request(
        eco263_server.port,
        ACCOUNTABILITY,
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
        chunk * 24,
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert closed and took < 2.0


@pytest.mark.parametrize(("size", "status"), [(4096, 200), (4097, 413)])
def test_the_limit_is_configurable_and_exact(
    rt: Runtime, as_user, app_on, size: int, status: int
) -> None:  # type: ignore[no-untyped-def]
    clue_id, _, _ = _clue(as_user)
    server = app_on(inbound_max_bytes=4096)
    url = server.url + STATUS
    payload = signing.canonical_json({"clue_id": clue_id, "status": "received"})
    body = payload + b" " * (size - len(payload))  # JSON may end in white space
    headers = signing.signed_headers(
        SECRET, body, f"size-{size}", datetime.now(UTC), method="POST", url=url
    )
    answer = _post(url, body, headers)
    assert answer.status_code == status, answer.text
    if status == 413:
        assert answer.json()["error"]["code"] == "too_large"


def test_the_default_limit_is_one_mebibyte() -> None:
    assert Settings().inbound_max_bytes == MIB
    assert wire.BodyTooLarge.status_code == 413


def test_the_same_request_sent_eight_times_at_once_is_applied_once(
    rt: Runtime, as_user, eco263_server: ServerThread
) -> None:  # type: ignore[no-untyped-def]
    from concurrent.futures import ThreadPoolExecutor

    clue_id, _, _ = _clue(as_user)
    url = eco263_server.url + ACCOUNTABILITY
    body, headers = _capture(url, _accountability(clue_id), "jw-burst")
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: _post(url, body, headers), range(8)))
    codes = sorted(a.json()["error"]["code"] if a.status_code != 200 else "ok" for a in answers)
    assert codes == ["ok"] + ["signature_replayed"] * 7, [a.text for a in answers]
    assert (_count(rt, Accountability), _count(rt, InboundRequest)) == (1, 1)
