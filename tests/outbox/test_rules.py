"""Retry schedule (exponential, capped, jittered), the dead horizon, reading answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from eco263.outbox.rules import RetryPolicy, backoff_seconds, interpret, next_attempt_at

POLICY = RetryPolicy(base_seconds=1.0, max_seconds=60.0, horizon=timedelta(hours=1))
T0 = datetime(2018, 5, 10, 1, 0, tzinfo=UTC)


def test_backoff_doubles_then_caps() -> None:
    delays = [backoff_seconds(n, POLICY, jitter=1.0) for n in range(1, 10)]
    assert delays[:7] == [1, 2, 4, 8, 16, 32, 60]
    assert max(delays) == 60


def test_jitter_spreads_the_second_half_of_the_delay() -> None:
    assert backoff_seconds(4, POLICY, jitter=0.0) == 4.0
    assert backoff_seconds(4, POLICY, jitter=0.5) == 6.0
    assert 4.0 <= backoff_seconds(4, POLICY, jitter=0.999) < 8.0


def test_an_event_dies_when_the_next_attempt_would_pass_the_horizon() -> None:
    inside = next_attempt_at(3, T0 + timedelta(minutes=30), T0, POLICY, 0.5)
    assert inside == T0 + timedelta(minutes=30, seconds=3)
    assert next_attempt_at(9, T0 + timedelta(minutes=59, seconds=30), T0, POLICY, 0.5) is None


def test_a_2xx_is_delivered_with_the_receivers_receipt() -> None:
    outcome = interpret(201, {"receipt_id": "JW-1", "received_at": "2018-05-10T01:00:00Z"})
    assert outcome.delivered and outcome.receipt == "JW-1"


def test_409_replayed_counts_as_delivered_with_the_first_receipt() -> None:
    body = {"error": {"code": "replayed", "message": "…", "details": {"receipt_id": "JW-9"}}}
    outcome = interpret(409, body)
    assert outcome.delivered and outcome.receipt == "JW-9"


def test_other_answers_are_failures_with_a_readable_error() -> None:
    assert not interpret(500, "Internal Server Error").delivered
    conflict = interpret(409, {"error": {"code": "idempotency_conflict", "message": "内容不同"}})
    assert not conflict.delivered and "内容不同" in (conflict.error or "")
    refused = interpret(401, {"error": {"code": "bad_signature", "message": "签名无效"}})
    assert not refused.delivered and refused.error == "HTTP 401: 签名无效"
