"""Per-address limit of the public 信访 endpoints (a flood from one address answers 429)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from eco263.errors import DomainError

WINDOW_SECONDS = 600.0
MAX_SUBMISSIONS = 5  # new petitions per address per window
MAX_REQUESTS = 120  # any public call per address per window


class TooManyRequests(DomainError):
    status_code = 429
    code = "too_many_requests"


class AddressLimiter:
    """A sliding window per (kind, address), in this process."""

    def __init__(self) -> None:
        self._hits: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, kind: str, address: str, limit: int) -> None:
        now = time.monotonic()
        with self._lock:
            hits = self._hits[(kind, address)]
            while hits and hits[0] <= now - WINDOW_SECONDS:
                hits.popleft()
            if len(hits) >= limit:
                raise TooManyRequests("提交过于频繁，请稍后再试")
            hits.append(now)

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


LIMITER = AddressLimiter()
