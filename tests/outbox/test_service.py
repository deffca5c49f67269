"""The outbox's reads: events by key, and figures of the events a SELECT of keys names."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import aliased

from eco263.actor import SYSTEM
from eco263.outbox import service as outbox
from eco263.outbox.actions import Queued, enqueue, enqueue_many
from eco263.outbox.enums import OutboxState
from eco263.outbox.models import OutboxEvent
from eco263.runtime import Runtime


def _queue(rt: Runtime) -> None:
    with rt.unit_of_work(SYSTEM) as ctx:
        enqueue(ctx.session, kind="k", idempotency_key="a:1", payload={"n": 1}, now=ctx.now)
        later = ctx.now + timedelta(minutes=5)
        items = [Queued("k", f"b:{i}", {"n": i}) for i in range(3)]
        enqueue_many(ctx.session, items, now=later)
        ctx.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.idempotency_key.in_(["b:1", "b:2"]))
            .values(state=OutboxState.DEAD.value, last_error="连接失败")
        )


def test_events_are_read_by_key_as_frozen_copies(rt: Runtime) -> None:
    _queue(rt)
    with rt.sessions() as s:
        one = outbox.event_by_key(s, "b:0")
        assert one is not None and one.payload == {"n": 0}
        assert one.state == OutboxState.PENDING.value and one.attempts == 0
        assert outbox.event_by_key(s, "nope") is None
        assert set(outbox.events_by_key(s, ["a:1", "b:2", "nope"])) == {"a:1", "b:2"}
        assert outbox.events_by_key(s, []) == {}
        assert outbox.get_event(s, one.id) == one
        assert outbox.get_event(s, -1) is None


def test_figures_and_dead_events_of_the_keys_a_select_names(rt: Runtime) -> None:
    _queue(rt)
    with rt.sessions() as s:
        every = outbox.figures_by_state(s)
        assert every[OutboxState.PENDING].count == 2 and every[OutboxState.DEAD].count == 2
        assert OutboxState.DELIVERED not in every
        # A SELECT of keys, evaluated in the statement: two of the "b:" events.
        other = aliased(OutboxEvent)
        b_keys = select(other.idempotency_key).where(other.idempotency_key.in_(["b:0", "b:1"]))
        some = outbox.figures_by_state(s, keys=b_keys)
        assert some[OutboxState.PENDING].count == 1 and some[OutboxState.DEAD].count == 1
        pending = every[OutboxState.PENDING]
        assert pending.oldest_created_at is not None and pending.last_processed_at is None
        dead = outbox.dead_events(s, limit=1)
        assert [e.idempotency_key for e in dead] == ["b:1"]
        assert [e.last_error for e in outbox.dead_events(s, limit=5)] == ["连接失败"] * 2
