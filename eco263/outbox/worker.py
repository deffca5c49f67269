"""``eco263 outbox run``: deliver outbox events, signed, at least once, with backoff.

The loop, per round:

1. **Claim** up to ``batch`` due events with one conditional UPDATE (``state='pending'
   AND next_attempt_at <= now``) that pushes ``next_attempt_at`` forward by a lease and
   counts the attempt.  Rows another worker claimed no longer match, so two workers never
   send the same event at once; a worker killed mid-flight leaves its events to be
   claimed again when the lease runs out (at-least-once).
2. **Send** them in parallel (``concurrency`` threads, one HTTP client), each signed (v2:
   method, path, key, body) with a fresh timestamp and the event's idempotency key; the
   body is the stored payload, so every attempt sends the same bytes.  An attempt in the
   same second as an answered one carries the same signature, which the receiver refuses
   (409 ``signature_replayed``): like any other refusal it is retried, a second later.
3. **Record** each outcome in its own transaction, conditional on the attempt count the
   claim returned (a stale worker cannot overwrite a newer attempt): delivered (and the
   handler's own bookkeeping, e.g. the clue's receipt and audit event), or the next
   attempt after an exponential, jittered delay — or ``dead`` past the horizon.

The receiver deduplicates by idempotency key, so at-least-once becomes exactly-once
for a conforming receiver.
"""

from __future__ import annotations

import json
import logging
import math
import random
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

import httpx
from sqlalchemy import select, tuple_, update

from eco263.actor import SYSTEM
from eco263.clock import Clock, SystemClock
from eco263.config import Settings
from eco263.context import Ctx
from eco263.outbox import rules, signing
from eco263.outbox.enums import OutboxState
from eco263.outbox.models import OutboxEvent
from eco263.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Target:
    url: str
    secret: bytes


class Handler(Protocol):
    """How one kind of event is delivered and what delivery means to its domain."""

    def target(self, settings: Settings) -> Target: ...

    def delivered(self, ctx: Ctx, items: list[tuple[dict[str, Any], str | None]]) -> None:
        """Bookkeeping for acknowledged events (payload, receipt), in the worker's transaction."""
        ...

    def dead(self, ctx: Ctx, payload: dict[str, Any], error: str) -> None: ...


@runtime_checkable
class Deliverer(Protocol):
    """A handler that delivers by its own means (SMTP, an unsigned robot webhook) instead of
    the signed docking POST; claiming, retries, the horizon and recording stay the worker's."""

    def deliver(
        self, settings: Settings, idempotency_key: str, payload: dict[str, Any]
    ) -> rules.Outcome: ...


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    kind: str
    idempotency_key: str
    payload: dict[str, Any]
    attempts: int
    window_start: datetime


@dataclass(slots=True)
class RoundReport:
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


class OutboxWorker:
    """Delivers events of the kinds it has handlers for; see the module docstring."""

    def __init__(
        self,
        rt: Runtime,
        handlers: Mapping[str, Handler],
        *,
        wire_clock: Clock | None = None,
        jitter: Callable[[], float] | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        s = rt.settings
        self.rt = rt
        self.handlers = dict(handlers)
        self.policy = rules.RetryPolicy.from_settings(s)
        self.wire_clock = wire_clock or SystemClock()
        self.jitter = jitter or random.SystemRandom().random
        self.batch = max(1, s.outbox_batch_size)
        self.concurrency = max(1, s.outbox_concurrency)
        rounds = math.ceil(self.batch / self.concurrency) + 1
        self.lease = timedelta(seconds=s.outbox_timeout_seconds * rounds + 1)
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(s.outbox_timeout_seconds),
            limits=httpx.Limits(max_connections=self.concurrency * 2),
        )
        self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="outbox")

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.client.close()

    # -- 1. claim ------------------------------------------------------------------------------

    def claim(self, now: datetime) -> list[Claimed]:
        due = (
            select(OutboxEvent.id)
            .where(
                OutboxEvent.state == OutboxState.PENDING.value,
                OutboxEvent.next_attempt_at <= now,
                OutboxEvent.kind.in_(list(self.handlers)),
            )
            .order_by(OutboxEvent.next_attempt_at, OutboxEvent.id)
            .limit(self.batch)
            .with_for_update(skip_locked=True)
        )
        with self.rt.sessions() as session, session.begin():
            rows = session.execute(
                update(OutboxEvent)
                .where(
                    OutboxEvent.id.in_(due.scalar_subquery()),
                    OutboxEvent.state == OutboxState.PENDING.value,
                    OutboxEvent.next_attempt_at <= now,
                )
                .values(
                    next_attempt_at=now + self.lease,
                    attempts=OutboxEvent.attempts + 1,
                    last_attempt_at=now,
                )
                .returning(
                    OutboxEvent.id,
                    OutboxEvent.kind,
                    OutboxEvent.idempotency_key,
                    OutboxEvent.payload,
                    OutboxEvent.attempts,
                    OutboxEvent.created_at,
                    OutboxEvent.retry_from,
                )
                .execution_options(synchronize_session=False)
            ).all()
        return [
            Claimed(
                r.id, r.kind, r.idempotency_key, r.payload, r.attempts, r.retry_from or r.created_at
            )
            for r in sorted(rows, key=lambda r: r.id)
        ]

    # -- 2. send ---------------------------------------------------------------------------------

    def send(self, event: Claimed) -> rules.Outcome:
        """One signed POST, or the handler's own ``deliver`` (e-mail, a group robot: see
        :class:`Deliverer`); never raises (a failure is an outcome)."""
        handler = self.handlers[event.kind]
        if isinstance(handler, Deliverer):
            try:
                return handler.deliver(self.rt.settings, event.idempotency_key, event.payload)
            except Exception as exc:  # a channel's bug must not stop the loop: retried
                log.exception("outbox: delivering event %s failed", event.id)
                return rules.Outcome(False, error=f"投递出错：{type(exc).__name__} {exc}"[:300])
        target = handler.target(self.rt.settings)
        body = signing.canonical_json(event.payload)
        headers = signing.signed_headers(
            target.secret,
            body,
            event.idempotency_key,
            self.wire_clock.now(),
            method="POST",
            url=target.url,
        )
        try:
            response = self.client.post(target.url, content=body, headers=headers)
        except httpx.TimeoutException:
            return rules.Outcome(False, error="超时：接收方未在时限内应答")
        except httpx.HTTPError as exc:
            return rules.Outcome(False, error=f"连接失败：{type(exc).__name__} {exc}"[:300])
        try:
            answer: Any = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            answer = response.text[:200]
        return rules.interpret(response.status_code, answer)

    # -- 3. record -------------------------------------------------------------------------------

    def record(self, event: Claimed, outcome: rules.Outcome) -> str:
        """Store the outcome; returns 'delivered', 'retry', 'dead' or 'stale'."""
        now = self.rt.clock.now()
        with self.rt.unit_of_work(SYSTEM) as ctx:
            if outcome.delivered:
                values: dict[str, Any] = {
                    "state": OutboxState.DELIVERED.value,
                    "processed_at": now,
                    "receipt": (outcome.receipt or "")[:128] or None,
                    "last_error": None,
                }
                verdict = "delivered"
            else:
                nxt = rules.next_attempt_at(
                    event.attempts, now, event.window_start, self.policy, self.jitter()
                )
                values = {"last_error": (outcome.error or "")[:500]}
                if nxt is None:
                    values |= {"state": OutboxState.DEAD.value, "processed_at": now}
                    verdict = "dead"
                else:
                    values |= {"next_attempt_at": nxt}
                    verdict = "retry"
            changed = ctx.session.execute(
                update(OutboxEvent)
                .where(
                    OutboxEvent.id == event.id,
                    OutboxEvent.attempts == event.attempts,
                    OutboxEvent.state == OutboxState.PENDING.value,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            ).rowcount  # type: ignore[attr-defined]
            if changed != 1:
                return "stale"
            handler = self.handlers[event.kind]
            if verdict == "delivered":
                handler.delivered(ctx, [(event.payload, outcome.receipt)])
            elif verdict == "dead":
                handler.dead(ctx, event.payload, outcome.error or "")
        return verdict

    # -- the loop --------------------------------------------------------------------------------

    def record_delivered(self, done: list[tuple[Claimed, rules.Outcome]]) -> int:
        """Store a round's acknowledgements in one transaction (the common case, batched):
        one conditional UPDATE on (id, attempts) — rows re-claimed by another worker since
        do not match — then the handlers' bookkeeping for the rows that did."""
        if not done:
            return 0
        now = self.rt.clock.now()
        receipts = {event.id: (outcome.receipt or "")[:128] or None for event, outcome in done}
        with self.rt.unit_of_work(SYSTEM) as ctx:
            matched = set(
                ctx.session.execute(
                    update(OutboxEvent)
                    .where(
                        tuple_(OutboxEvent.id, OutboxEvent.attempts).in_(
                            [(event.id, event.attempts) for event, _ in done]
                        ),
                        OutboxEvent.state == OutboxState.PENDING.value,
                    )
                    .values(state=OutboxState.DELIVERED.value, processed_at=now, last_error=None)
                    .returning(OutboxEvent.id)
                    .execution_options(synchronize_session=False)
                ).scalars()
            )
            if matched:
                ctx.session.execute(
                    update(OutboxEvent),
                    [{"id": i, "receipt": receipts[i]} for i in sorted(matched)],
                )
            by_kind: dict[str, list[tuple[dict[str, Any], str | None]]] = {}
            for event, outcome in done:
                if event.id in matched:
                    by_kind.setdefault(event.kind, []).append((event.payload, outcome.receipt))
            for kind, items in by_kind.items():
                self.handlers[kind].delivered(ctx, items)
        return len(matched)

    def run_once(self) -> RoundReport:
        """Claim, send and record one batch; returns what happened."""
        report = RoundReport()
        claimed = self.claim(self.rt.clock.now())
        report.claimed = len(claimed)
        futures = {self._pool.submit(self.send, e): e for e in claimed}
        results = [(futures[f], f.result()) for f in as_completed(futures)]
        done = [(e, o) for e, o in results if o.delivered]
        try:
            report.delivered += self.record_delivered(done)
        except Exception:  # record them one by one below
            log.exception("outbox: batch record failed, recording one by one")
        else:
            results = [(e, o) for e, o in results if not o.delivered]
        for event, outcome in results:
            self._record_one(event, outcome, report)
        return report

    def _record_one(self, event: Claimed, outcome: rules.Outcome, report: RoundReport) -> None:
        try:
            verdict = self.record(event, outcome)
        except Exception as exc:  # the lease brings it back; never stop the loop
            log.exception("outbox: recording event %s failed", event.id)
            report.errors.append(f"{event.id}: {exc}")
            return
        if verdict == "delivered":
            report.delivered += 1
        elif verdict == "retry":
            report.retried += 1
            log.info(
                "outbox: event %s attempt %s failed: %s", event.id, event.attempts, outcome.error
            )
        elif verdict == "dead":
            report.dead += 1
            log.warning("outbox: event %s is dead: %s", event.id, outcome.error)

    def run(
        self, stop: threading.Event, *, on_round: Callable[[RoundReport], None] | None = None
    ) -> None:
        """Work until ``stop`` is set; idle rounds sleep ``outbox_poll_seconds``."""
        poll = self.rt.settings.outbox_poll_seconds
        while not stop.is_set():
            try:
                report = self.run_once()
            except Exception:  # database away for a moment: wait and try again
                log.exception("outbox: round failed")
                stop.wait(max(poll, 1.0))
                continue
            if on_round is not None:
                on_round(report)
            if report.claimed == 0:
                stop.wait(poll)
