"""The receiver talking back to eco263: signed POSTs of statuses, opinions and 问责.

Each message gets one idempotency key for all its attempts, each attempt its own signature
(v2, a new second); a lost answer is retried and eco263 answers the retry with 409
``replayed``, which counts as done.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from eco263.clock import Clock, SystemClock
from eco263.outbox import rules, signing
from eco263.supervision.receiver.store import ReceiverStore

log = logging.getLogger(__name__)

PATHS = {
    "clue_status": "/api/v1/supervision/inbound/clue-status",
    "opinion": "/api/v1/supervision/inbound/opinions",
    "accountability": "/api/v1/supervision/inbound/accountability",
}


@dataclass(frozen=True, slots=True)
class Answer:
    ok: bool
    status: int | None
    body: Any


class PlatformSender:
    def __init__(
        self,
        eco263_url: str,
        secret: bytes,
        store: ReceiverStore | None = None,
        *,
        clock: Clock | None = None,
        attempts: int = 5,
        timeout: float = 5.0,
    ) -> None:
        self.base = eco263_url.rstrip("/")
        self.secret = secret
        self.store = store
        self.clock = clock or SystemClock()
        self.attempts = attempts
        self.client = httpx.Client(timeout=timeout)
        self._last: tuple[str, int] | None = None  # the previous attempt's key and second

    def close(self) -> None:
        self.client.close()

    def send(self, kind: str, payload: dict[str, Any], key: str | None = None) -> Answer:
        """POST one message; retry connection errors and 5xx a few times, same key."""
        key = key or f"jw-{kind}-{secrets.token_hex(8)}"
        body = signing.canonical_json(payload)
        answer = Answer(False, None, None)
        for attempt in range(self.attempts):
            answer = self._once(kind, key, body)
            if answer.status is not None and answer.status < 500:
                break
            time.sleep(min(0.5 * 2**attempt, 5.0))
        return answer

    def _fresh_second(self, key: str) -> datetime:
        """Now, but never the second of this key's previous attempt: each attempt needs its
        own signature, since eco263 refuses a signature it has answered (replay window)."""
        now = self.clock.now()
        if self._last is not None and self._last[0] == key:
            wait = self._last[1] + 1 - now.timestamp()
            if wait > 0:
                time.sleep(wait)
                now = self.clock.now()
        self._last = (key, int(now.timestamp()))
        return now

    def _once(self, kind: str, key: str, body: bytes) -> Answer:
        url = self.base + PATHS[kind]
        headers = signing.signed_headers(
            self.secret, body, key, self._fresh_second(key), method="POST", url=url
        )
        try:
            response = self.client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("receiver: sending %s failed: %s", kind, exc)
            return Answer(False, None, str(exc))
        try:
            data: Any = response.json()
        except json.JSONDecodeError:
            data = response.text
        ok = rules.interpret(response.status_code, data).delivered
        if self.store is not None:
            self.store.log_sent(
                kind, key, body, response.status_code, response.text, self.clock.now()
            )
        return Answer(ok, response.status_code, data)
