"""``insert_many``: the bulk write path of the sweep and the audit chain (COPY on PostgreSQL
for big batches, a multi-row INSERT otherwise) stores exactly what an INSERT would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eco263.audit.actions import record_many
from eco263.audit.service import verify_chain
from eco263.context import Change
from eco263.db import COPY_MIN_ROWS, insert_many
from eco263.outbox.models import OutboxEvent
from eco263.runtime import Runtime

SIZES = [3, COPY_MIN_ROWS + 7]  # under the COPY threshold, and over it (COPY on PostgreSQL)


def _events(rt: Runtime, n: int, tag: str) -> list[dict[str, object]]:
    now = rt.clock.now()
    return [
        {
            "kind": "bulk.test",
            "idempotency_key": f"{tag}:{i}",
            # JSON that must survive: nesting, Chinese, quotes, backslashes, tabs, newlines.
            "payload": {"i": i, "名称": "昆山\t“铜”\\n", "nested": {"list": [1, None, True]}},
            "state": "pending",
            "created_at": now + timedelta(seconds=i),
            "next_attempt_at": now,
        }
        for i in range(n)
    ]


@pytest.mark.parametrize("n", SIZES)
def test_rows_read_back_as_given_with_ids_in_order(rt: Runtime, n: int) -> None:
    rows = _events(rt, n, f"order{n}")
    with rt.sessions() as s, s.begin():
        ids = insert_many(s, OutboxEvent, rows, return_ids=True)
    assert len(ids) == n and len(set(ids)) == n
    with rt.sessions() as s:
        stored = {e.id: e for e in s.scalars(select(OutboxEvent).where(OutboxEvent.id.in_(ids)))}
    for event_id, row in zip(ids, rows, strict=True):
        event = stored[event_id]
        assert event.idempotency_key == row["idempotency_key"]
        assert event.payload == row["payload"]
        assert event.created_at == row["created_at"]
        assert event.attempts == 0  # the model's Python-side default, applied on COPY too


@pytest.mark.parametrize("n", SIZES)
def test_a_duplicate_key_is_sqlalchemys_integrity_error_and_rolls_back(rt: Runtime, n: int) -> None:
    rows = _events(rt, n, f"dup{n}")
    with rt.sessions() as s, s.begin():
        insert_many(s, OutboxEvent, rows[:1])
        with pytest.raises(IntegrityError), s.begin_nested():
            insert_many(s, OutboxEvent, rows)  # repeats the first key
        # The savepoint rolled back; the transaction goes on.
        insert_many(s, OutboxEvent, rows[1:])
    with rt.sessions() as s:
        keys = s.scalars(
            select(OutboxEvent.idempotency_key).where(OutboxEvent.kind == "bulk.test")
        ).all()
    assert sorted(keys) == sorted(str(r["idempotency_key"]) for r in rows)


def test_a_big_append_keeps_the_chain_verifiable(rt: Runtime) -> None:
    changes = [
        Change(
            None, "测试", "bulk.append", "problem", str(i), {"n": i}, {"n": i + 1, "说明": "批量"}
        )
        for i in range(COPY_MIN_ROWS * 2)
    ]
    with rt.sessions() as s, s.begin():
        head = record_many(s, changes, at=rt.clock.now())
        head = record_many(s, changes[:5], at=rt.clock.now())  # the small path follows on
    with rt.sessions() as s:
        report = verify_chain(s)
    assert report.ok, report
    assert (report.head_seq, report.head_hash) == (head.seq, head.hash)
