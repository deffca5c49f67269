"""Checking the local chain against heads witnessed outside it (``audit verify --against``).

The chain alone cannot tell a rewritten tail: whoever can write the database can rehash
every event after the one they edit and move the head, and the chain verifies.  But every
clue carries the chain head of its moment (and the hashes of its problems' events) to the
智慧监督 platform, which keeps them (``eco263 supervision-receiver heads``).  Each such
``(seq, hash)`` is a witness: the local event at ``seq`` must still have that hash.  A
witness that matches also vouches for every event before it (each hash covers the one
before), so the first mismatch after the last match bounds where the rewrite began.

Witness file: JSON lines, one object per line with ``seq`` (integer ≥ 0) and ``hash`` (64
lower-case hex), and optionally ``clue_id``, ``receipt_id``, ``kind`` (``head`` or
``event``) and ``received_at``; blank lines are skipped.  Anything else is refused with a
message naming the line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eco263.audit.actions import GENESIS
from eco263.audit.models import AuditEvent

_HASH = re.compile(r"[0-9a-f]{64}")
_KINDS = ("head", "event")
_CHUNK = 500


class BadWitnessFile(Exception):
    """The witness file cannot be used; ``message`` is for people (Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Witness:
    seq: int
    hash: str
    kind: str = "head"
    clue_id: int | None = None
    received_at: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class Mismatch:
    seq: int
    expected: str  # what the outside saw
    found: str | None  # what the local chain has now; None: no such event
    witnesses: tuple[Witness, ...]


@dataclass(slots=True)
class WitnessReport:
    witnessed: int = 0  # distinct (seq, hash) pairs
    clues: int = 0
    matched: list[int] = field(default_factory=list)  # seqs whose witness matched
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    @property
    def intact_up_to(self) -> int:
        """The highest matching seq below the first mismatch (0 if none): the events up
        to it are as the outside saw them, so the rewrite began after it."""
        first_bad = min((m.seq for m in self.mismatches), default=0)
        return max((s for s in self.matched if s < first_bad), default=0)


def read_witnesses(lines: Iterable[str]) -> list[Witness]:
    """Parse a witness file; :class:`BadWitnessFile` names the first bad line."""
    witnesses = [w for n, text in enumerate(lines, 1) if (w := _witness(n, text)) is not None]
    if not witnesses:
        raise BadWitnessFile("见证文件中没有任何链头记录（每行一个 JSON 对象，含 seq 与 hash）")
    return witnesses


def _witness(n: int, text: str) -> Witness | None:
    if not text.strip():
        return None
    try:
        data: Any = json.loads(text)
    except ValueError:
        raise BadWitnessFile(f"见证文件第 {n} 行不是合法的 JSON") from None
    if not isinstance(data, dict):
        raise BadWitnessFile(f"见证文件第 {n} 行应为 JSON 对象")
    seq, digest, kind = data.get("seq"), data.get("hash"), data.get("kind", "head")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise BadWitnessFile(f"见证文件第 {n} 行：缺少 seq，或 seq 不是非负整数")
    if not isinstance(digest, str) or not _HASH.fullmatch(digest):
        raise BadWitnessFile(f"见证文件第 {n} 行：hash 应为 64 位小写十六进制")
    if kind not in _KINDS:
        raise BadWitnessFile(f"见证文件第 {n} 行：kind 应为 head 或 event")
    clue_id = data.get("clue_id")
    if clue_id is not None and (not isinstance(clue_id, int) or isinstance(clue_id, bool)):
        raise BadWitnessFile(f"见证文件第 {n} 行：clue_id 应为整数")
    received = data.get("received_at")
    return Witness(seq, digest, kind, clue_id, str(received) if received else None, n)


def check_witnesses(session: Session, witnesses: Sequence[Witness]) -> WitnessReport:
    """Compare each witnessed (seq, hash) with the local event at that seq."""
    by_pair: dict[tuple[int, str], list[Witness]] = {}
    for w in witnesses:
        by_pair.setdefault((w.seq, w.hash), []).append(w)
    local = _local_hashes(session, sorted({seq for seq, _ in by_pair}))
    report = WitnessReport(
        witnessed=len(by_pair),
        clues=len({w.clue_id for w in witnesses if w.clue_id is not None}),
    )
    for (seq, expected), seen in sorted(by_pair.items()):
        found = local.get(seq)
        if found == expected:
            report.matched.append(seq)
        else:
            report.mismatches.append(Mismatch(seq, expected, found, tuple(seen)))
    return report


def _local_hashes(session: Session, seqs: Sequence[int]) -> dict[int, str]:
    found: dict[int, str] = {0: GENESIS}
    wanted = [s for s in seqs if s > 0]
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rows = session.execute(
            select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.seq.in_(chunk))
        )
        found.update({int(r.seq): str(r.hash) for r in rows})
    return found
