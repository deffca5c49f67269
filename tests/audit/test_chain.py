"""The audit chain finds an edited, deleted or reordered event; the CLI says which."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import delete, select, text, update

from eco263.audit.models import AuditEvent
from eco263.audit.service import verify_chain
from eco263.runtime import Runtime
from tests.factories.problems import dispatch, register


@pytest.fixture
def chain(rt: Runtime, as_user) -> list[int]:  # type: ignore[no-untyped-def]
    """Seqs of events this test creates (tampering must never touch the shared baseline)."""
    with rt.sessions() as s:
        baseline = s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0
    with as_user("city") as ctx:
        for _ in range(3):
            p = register(ctx)
            dispatch(ctx, p.id)
    with rt.sessions() as s:
        return list(
            s.scalars(
                select(AuditEvent.seq).where(AuditEvent.seq > baseline).order_by(AuditEvent.seq)
            )
        )


def _verify(rt: Runtime):  # type: ignore[no-untyped-def]
    with rt.sessions() as s:
        return verify_chain(s)


def _cli(rt: Runtime) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ECO263_DATABASE_URL": rt.settings.database_url}
    return subprocess.run(
        [sys.executable, "-m", "eco263", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_intact_chain_verifies_and_cli_exits_0(rt: Runtime, chain: list[int]) -> None:
    report = _verify(rt)
    assert report.ok and report.checked == chain[-1]
    result = _cli(rt)
    assert result.returncode == 0, result.stderr
    assert "完好" in result.stdout


def test_edited_event_is_named(rt: Runtime, chain: list[int]) -> None:
    target = chain[-3]
    with rt.engine.begin() as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.seq == target).values(actor_name="某人"))
    report = _verify(rt)
    assert not report.ok and report.first_bad_seq == target and "篡改" in (report.reason or "")
    result = _cli(rt)
    assert result.returncode == 1
    assert f"第 {target} 号" in result.stderr


def test_deleted_event_is_named(rt: Runtime, chain: list[int]) -> None:
    target = chain[-4]
    with rt.engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(AuditEvent.seq == target))
    report = _verify(rt)
    assert not report.ok and report.first_bad_seq == target + 1


def test_deleted_tail_is_found(rt: Runtime, chain: list[int]) -> None:
    with rt.engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(AuditEvent.seq == chain[-1]))
    report = _verify(rt)
    assert not report.ok and report.first_bad_seq == chain[-1]


def test_reordered_events_are_found(rt: Runtime, chain: list[int]) -> None:
    a, b = chain[-3], chain[-2]
    with rt.engine.begin() as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.seq == a).values(seq=-1))
        conn.execute(update(AuditEvent).where(AuditEvent.seq == b).values(seq=a))
        conn.execute(update(AuditEvent).where(AuditEvent.seq == -1).values(seq=b))
    report = _verify(rt)
    assert not report.ok and report.first_bad_seq == a


def test_recomputed_hash_of_an_edited_event_still_breaks_the_next_link(
    rt: Runtime, chain: list[int]
) -> None:
    """A forger who rehashes the edited row must rehash every later row and the head too."""
    from eco263.audit.actions import event_hash
    from eco263.context import Change

    target = chain[-3]
    with rt.sessions() as s, s.begin():
        e = s.scalars(select(AuditEvent).where(AuditEvent.seq == target)).one()
        e.actor_name = "某人"
        change = Change(
            e.actor_id, e.actor_name, e.action, e.subject_type, e.subject_id, e.before, e.after
        )
        e.hash = event_hash(e.prev_hash, e.seq, e.at, change)
    report = _verify(rt)
    assert not report.ok and report.first_bad_seq == target + 1


def test_raw_sql_edit_of_json_payload_is_found(rt: Runtime, chain: list[int]) -> None:
    target = chain[0]
    with rt.engine.begin() as conn:
        if rt.engine.dialect.name == "postgresql":
            conn.execute(
                text(
                    'UPDATE audit_event SET after = \'{"state": "closed"}\'::jsonb WHERE seq = :s'
                ),
                {"s": target},
            )
        else:
            conn.execute(
                text('UPDATE audit_event SET after = \'{"state": "closed"}\' WHERE seq = :s'),
                {"s": target},
            )
    assert _verify(rt).first_bad_seq == target
