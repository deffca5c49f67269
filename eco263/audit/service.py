"""Reading and verifying the audit chain."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from eco263 import vocabulary
from eco263.actor import Actor
from eco263.audit.actions import GENESIS, ChainHead, event_hash
from eco263.audit.models import AuditEvent, AuditHead
from eco263.context import Change


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    reason: str | None = None


def verify_chain(session: Session, *, batch: int = 5000) -> ChainReport:
    """Walk the chain in seq order; name the first event that does not fit.

    Catches an edited row (hash mismatch), a deleted row (seq gap or broken
    prev_hash link), a reordered row (seq/prev mismatch) and a truncated tail
    (head says more than the table holds).
    """
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    expected_seq, prev, checked = 1, GENESIS, 0
    for event in _events(session, batch):
        problem = _check(event, expected_seq, prev)
        if problem:
            return ChainReport(False, checked, head_seq, head_hash, event.seq, problem)
        prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    if checked != head_seq or prev != head_hash:
        reason = f"链尾不符：表中 {checked} 条，链头记录 {head_seq} 条"
        return ChainReport(False, checked, head_seq, head_hash, checked + 1, reason)
    return ChainReport(True, checked, head_seq, head_hash)


def _check(event: AuditEvent, expected_seq: int, prev: str) -> str | None:
    if event.seq != expected_seq:
        return f"序号不连续：应为 {expected_seq}，实为 {event.seq}（有事件被删除或移动）"
    if event.prev_hash != prev:
        return "前序哈希不符（有事件被删除或重排）"
    change = Change(
        event.actor_id,
        event.actor_name,
        event.action,
        event.subject_type,
        event.subject_id,
        event.before,
        event.after,
    )
    if event_hash(prev, event.seq, event.at, change) != event.hash:
        return "内容与哈希不符（事件被篡改）"
    return None


def _events(session: Session, batch: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def timeline(session: Session, subject_type: str, subject_ids: list[str]) -> list[AuditEvent]:
    """Events about the given subjects, oldest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id.in_(subject_ids))
            .order_by(AuditEvent.seq)
        )
    )


def timeline_for(
    session: Session, actor: Actor, subject_type: str, subject_ids: list[str]
) -> list[AuditEvent]:
    """:func:`timeline` as ``actor`` may read it: the events its role may not see (a clue, a
    police transfer: :func:`eco263.vocabulary.visible`) are left out.  The caller has checked
    that the actor may read the subjects."""
    events = timeline(session, subject_type, subject_ids)
    return [e for e in events if vocabulary.visible(e.action, actor)]


# -- reads for supervision -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChainLink:
    """One event as evidence cites it: its place in the chain and its hash, not its content."""

    subject_id: str
    seq: int
    action: str
    at: datetime
    hash: str


def chain_head(session: Session) -> ChainHead | None:
    """The chain's head (last seq and hash) as the session sees it; None before the genesis row.

    Read through the session's identity map: in a transaction that appended events, the head
    the appender left.
    """
    head = session.get(AuditHead, 1)
    return ChainHead(head.seq, head.hash) if head is not None else None


def chain_links(session: Session, subject_type: str, subject_ids: Iterable[str]) -> list[ChainLink]:
    """Where every event about the given subjects sits in the chain, oldest first, in one
    statement (none for no subjects).  Content (before/after) is not read: a clue cites the
    events by seq and hash, and the chain proves the rest."""
    ids = list(subject_ids)
    if not ids:
        return []
    rows = session.execute(
        select(
            AuditEvent.subject_id, AuditEvent.seq, AuditEvent.action, AuditEvent.at, AuditEvent.hash
        )
        .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id.in_(ids))
        .order_by(AuditEvent.seq)
    )
    return [ChainLink(r.subject_id, r.seq, r.action, r.at, r.hash) for r in rows]
