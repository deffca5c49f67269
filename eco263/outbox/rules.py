"""Pure delivery rules: retry schedule with jitter, the dead horizon, reading an answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from eco263.config import Settings


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base_seconds: float = 1.0
    max_seconds: float = 60.0
    horizon: timedelta = timedelta(hours=72)

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            settings.outbox_backoff_base_seconds,
            settings.outbox_backoff_max_seconds,
            timedelta(hours=settings.outbox_horizon_hours),
        )


def backoff_seconds(attempt: int, policy: RetryPolicy, jitter: float) -> float:
    """Delay after the ``attempt``-th failure: exponential, capped, "equal jitter".

    ``jitter`` in [0, 1) spreads the second half of the delay so that many events
    failing together (receiver down) do not come back in lock-step.
    """
    cap = min(policy.max_seconds, policy.base_seconds * 2.0 ** max(attempt - 1, 0))
    return cap / 2 + cap / 2 * jitter


def next_attempt_at(
    attempt: int, now: datetime, window_start: datetime, policy: RetryPolicy, jitter: float
) -> datetime | None:
    """When to try again, or None when that would pass the horizon (the event is dead)."""
    at = now + timedelta(seconds=backoff_seconds(attempt, policy, jitter))
    if at > window_start + policy.horizon:
        return None
    return at


@dataclass(frozen=True, slots=True)
class Outcome:
    delivered: bool
    receipt: str | None = None
    error: str | None = None


def interpret(status: int, body: Any) -> Outcome:
    """What an HTTP answer means for delivery.

    2xx is an acknowledgement (the receipt id is the receiver's); 409 ``replayed``
    means the receiver already has this idempotency key — delivered earlier, the
    answer was lost — and also counts.  Everything else is retried until the horizon.
    """
    if 200 <= status < 300:
        receipt = body.get("receipt_id") if isinstance(body, dict) else None
        return Outcome(True, str(receipt) if receipt else None)
    error = body.get("error") if isinstance(body, dict) else None
    if status == 409 and isinstance(error, dict) and error.get("code") == "replayed":
        details = error.get("details")
        receipt = details.get("receipt_id") if isinstance(details, dict) else None
        return Outcome(True, str(receipt) if receipt else None)
    message = error.get("message") if isinstance(error, dict) else None
    return Outcome(False, error=f"HTTP {status}: {str(message or body)[:300]}")
