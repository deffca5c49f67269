"""Real HTTP servers on loopback for the docking tests: uvicorn in a thread, free ports."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from eco263.outbox import signing

SECRET = b"eco263-demo-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerThread:
    """One uvicorn server in a daemon thread; ``start`` waits until it accepts connections."""

    def __init__(self, app: FastAPI, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> ServerThread:
        self.thread.start()
        wait_until(lambda: self.server.started, 10, "server did not start")
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def wait_until(predicate: Callable[[], Any], timeout: float, message: str = "") -> None:
    """Poll ``predicate`` until true; fail after ``timeout`` seconds (bounded waits only)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(message or f"condition not met within {timeout} s")


def signed_post(
    url: str,
    payload: dict[str, Any] | bytes,
    *,
    secret: bytes = SECRET,
    key: str | None = None,
    at: datetime | None = None,
    signature: str | None = None,
) -> httpx.Response:
    """A request as the other side sends it (optionally forged: other secret, time, signature)."""
    body = payload if isinstance(payload, bytes) else signing.canonical_json(payload)
    headers = signing.signed_headers(
        secret,
        body,
        key or f"test-{time.monotonic_ns()}",
        at or datetime.now(UTC),
        method="POST",
        url=url,
    )
    if signature is not None:
        headers[signing.HEADER_SIGNATURE] = signature
    return httpx.post(url, content=body, headers=headers, timeout=10)
