"""Fixtures for the docking tests: eco263 and the reference receiver on real loopback HTTP,
and an outbox worker thread with short timeouts and backoff."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from eco263.app import create_app
from eco263.clock import FixedClock, OffsetClock
from eco263.config import Settings
from eco263.outbox.signing import KeyRing
from eco263.outbox.worker import OutboxWorker
from eco263.runtime import Runtime
from eco263.supervision.receiver.app import ReceiverHooks, create_receiver_app
from eco263.supervision.receiver.store import ReceiverStore
from eco263.wiring import build_runtime
from eco263.wiring import outbox_handlers as handlers
from tests.supervision.servers import SECRET, ServerThread, free_port

FAST = {
    "outbox_timeout_seconds": 0.5,
    "outbox_backoff_base_seconds": 0.05,
    "outbox_backoff_max_seconds": 0.3,
    "outbox_poll_seconds": 0.05,
    "outbox_batch_size": 8,
    "outbox_concurrency": 4,
}


@pytest.fixture
def receiver_port() -> int:
    return free_port()


@pytest.fixture
def docking(settings: Settings, receiver_port: int) -> Settings:
    """The test settings with the receiver's URL and fast delivery timings."""
    return settings.model_copy(
        update={"supervision_url": f"http://127.0.0.1:{receiver_port}", **FAST}
    )


@pytest.fixture
def receiver_store(tmp_path: Path) -> Iterator[ReceiverStore]:
    store = ReceiverStore(f"sqlite:///{tmp_path / 'receiver.db'}")
    yield store
    store.close()


ReceiverFactory = Callable[..., ServerThread]


@pytest.fixture
def start_receiver(receiver_store: ReceiverStore, receiver_port: int) -> Iterator[ReceiverFactory]:
    """``start_receiver(hooks=…, on_clue=…)`` — the reference receiver on its port."""
    running: list[ServerThread] = []

    def start(
        hooks: ReceiverHooks | None = None,
        on_clue: Callable[[dict[str, Any]], None] | None = None,
        ring: KeyRing | None = None,
    ) -> ServerThread:
        app = create_receiver_app(
            receiver_store, ring or KeyRing(SECRET), hooks=hooks, on_clue=on_clue
        )
        server = ServerThread(app, receiver_port).start()
        running.append(server)
        return server

    yield start
    for server in running:
        server.stop()


@pytest.fixture
def eco263_server(rt: Runtime, settings: Settings, clock: FixedClock) -> Iterator[ServerThread]:
    """eco263 itself (web + API) on a loopback port, sharing the test runtime."""
    app = create_app(settings, clock)
    app.state.runtime = rt
    server = ServerThread(app, free_port()).start()
    yield server
    server.stop()


WorkerFactory = Callable[..., OutboxWorker]


@pytest.fixture
def start_worker(rt: Runtime, docking: Settings) -> Iterator[WorkerFactory]:
    """``start_worker(**setting_overrides)`` — an outbox worker thread on the test database.

    Its clock flows from the test's start time, so events made at the frozen test time
    are due at once and retries come due as real time passes.
    """
    stops: list[tuple[threading.Event, threading.Thread, OutboxWorker, Runtime]] = []

    def start(**overrides: Any) -> OutboxWorker:
        wrt = build_runtime(docking.model_copy(update=overrides), OffsetClock(rt.clock.now()))
        worker = OutboxWorker(wrt, handlers())
        stop = threading.Event()
        thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
        thread.start()
        stops.append((stop, thread, worker, wrt))
        return worker

    yield start
    for stop, thread, worker, wrt in stops:
        stop.set()
        thread.join(10)
        worker.close()
        wrt.engine.dispose()


@pytest.fixture
def worker_once(rt: Runtime, docking: Settings) -> Iterator[OutboxWorker]:
    """A worker driven round by round by the test (no thread)."""
    wrt = build_runtime(docking, OffsetClock(rt.clock.now()))
    worker = OutboxWorker(wrt, handlers())
    yield worker
    worker.close()
    wrt.engine.dispose()
