"""Issue #10, item 10, the exact attack end to end: clues carry chain heads to the reference
receiver over real HTTP; `eco263 supervision-receiver heads` exports what it stored; the
tail and the head are rewritten in eco263's database with every hash recomputed; `eco263
audit verify` still says intact, `eco263 audit verify --against` names the rewritten seq."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from eco263.audit.models import AuditEvent
from eco263.outbox.worker import OutboxWorker
from eco263.runtime import Runtime
from eco263.supervision.models import Clue
from eco263.supervision.receiver.store import ReceiverStore
from tests.audit.forgery import rewrite_tail
from tests.factories.problems import dispatch, register
from tests.supervision.making import make_clues


def _eco263(rt: Runtime, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ECO263_DATABASE_URL": rt.settings.database_url}
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "eco263", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _hash(rt: Runtime, seq: int) -> str:
    with rt.sessions() as s:
        return s.scalars(select(AuditEvent.hash).where(AuditEvent.seq == seq)).one()


def test_a_rewritten_tail_and_head_are_caught_by_the_receivers_heads(
    rt: Runtime,
    as_user,  # type: ignore[no-untyped-def]
    start_receiver,
    receiver_store: ReceiverStore,
    worker_once: OutboxWorker,
    tmp_path: Path,
) -> None:
    start_receiver()
    clue_ids = []
    for _ in range(2):  # work, then a clue that carries the chain head out
        with as_user("city") as ctx:
            dispatch(ctx, register(ctx).id)
        (clue_id,) = make_clues(rt, 1)
        clue_ids.append(clue_id)
        assert worker_once.run_once().delivered == 1
    with as_user("city") as ctx:  # more work nobody outside has seen yet
        register(ctx)
    with rt.sessions() as s:
        sent = {c.id: c.evidence["chain_head"] for c in s.scalars(select(Clue))}

    heads = tmp_path / "heads.jsonl"
    exported = _eco263(
        rt,
        "supervision-receiver",
        "--database",
        receiver_store.engine.url.render_as_string(hide_password=False),
        "heads",
        "--output",
        str(heads),
    )
    assert exported.returncode == 0, exported.stderr
    lines = [json.loads(x) for x in heads.read_text(encoding="utf-8").splitlines()]
    witnessed_heads = {x["clue_id"]: (x["seq"], x["hash"]) for x in lines if x["kind"] == "head"}
    assert witnessed_heads == {i: (sent[i]["seq"], sent[i]["hash"]) for i in clue_ids}
    assert all(x["received_at"] and x["receipt_id"].startswith("JW-") for x in lines)
    assert _eco263(rt, "audit", "verify", "--against", str(heads)).returncode == 0

    first_head, second_head = (witnessed_heads[i][0] for i in clue_ids)
    target = first_head + 1  # an event the second clue's head covers
    witnessed = _hash(rt, second_head)
    rewrite_tail(rt, target, actor_name="某人")  # …and every hash after it, and the head

    alone = _eco263(rt, "audit", "verify")
    assert alone.returncode == 0 and "审计链完好" in alone.stdout  # the attack works on it
    checked = _eco263(rt, "audit", "verify", "--against", str(heads))
    assert checked.returncode == 1
    seqs = sorted({x["seq"] for x in lines})
    first_bad = min(s for s in seqs if s >= target)
    last_good = max(s for s in seqs if s < target)
    assert f"第 {second_head} 号事件：见证哈希 {witnessed}，本地 {_hash(rt, second_head)}" in (
        checked.stderr
    )
    assert f"线索 {clue_ids[1]}，接收于" in checked.stderr
    assert f"改写始于第 {last_good + 1}–{first_bad} 号之间" in checked.stderr
    assert last_good < target <= first_bad
