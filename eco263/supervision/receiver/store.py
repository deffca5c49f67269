"""The receiver's own storage: received clues and the messages it sent back.

Separate from eco263's schema (own metadata, created on start, no migrations): this is
the other party's system.  A clue is committed before the receiver answers 2xx, and its
idempotency key is unique, so a retried delivery is recognised and never stored twice.
``rx_spent`` is the replay window (:mod:`eco263.supervision.wire`): the signature of each
answered delivery, spent in the transaction that stores the clue.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

from eco263.db import UTCDateTime, make_engine
from eco263.outbox.signing import Verified
from eco263.supervision.wire import SignatureReplayed, spend

metadata = MetaData()

rx_clue = Table(
    "rx_clue",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("receipt_id", String(32), nullable=False, unique=True),
    Column("idempotency_key", String(128), nullable=False, unique=True),
    Column("body_sha256", String(64), nullable=False),
    Column("clue_id", Integer, nullable=False, index=True),
    Column("cause", String(32), nullable=False),
    Column("duty_failure", String(16), nullable=False),
    Column("unit_id", Integer),
    Column("unit_name", String(128)),
    Column("division_code", String(12), nullable=False),
    Column("summary", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
)

rx_spent = Table(
    "rx_spent",
    metadata,
    Column("signature", String(64), primary_key=True),
    Column("idempotency_key", String(128), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False, index=True),
    Column("spent_at", UTCDateTime(), nullable=False),
)

rx_sent = Table(
    "rx_sent",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("idempotency_key", String(128), nullable=False),
    Column("body", Text, nullable=False),
    Column("status_code", Integer),
    Column("answer", Text),
    Column("sent_at", UTCDateTime(), nullable=False),
)


@dataclass(frozen=True, slots=True)
class Stored:
    receipt_id: str
    received_at: datetime
    body_sha256: str
    new: bool


class ReceiverStore:
    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def find(self, key: str) -> Stored | None:
        with self.engine.connect() as conn:
            return _find(conn, key)

    def store_clue(
        self,
        key: str,
        body_sha256: str,
        doc: dict[str, Any],
        now: datetime,
        *,
        verified: Verified | None = None,
        max_skew: int = 300,
    ) -> Stored:
        """Insert once per key; a known key returns the first copy.  With ``verified``, its
        signature is spent in the same transaction (an exact replay raises
        :class:`~eco263.supervision.wire.SignatureReplayed`).  Committed on return."""
        receipt = "JW-" + secrets.token_hex(6).upper()
        unit = doc.get("unit") or {}
        with self.engine.begin() as conn:
            if verified is not None and not spend(
                conn, rx_spent, verified, now=now, max_skew=max_skew
            ):
                raise SignatureReplayed()
            found = _find(conn, key)
            if found is not None:
                return found
            try:
                with conn.begin_nested():
                    conn.execute(
                        insert(rx_clue).values(
                            receipt_id=receipt,
                            idempotency_key=key,
                            body_sha256=body_sha256,
                            clue_id=int(doc["clue_id"]),
                            cause=str(doc["cause"])[:32],
                            duty_failure=str(doc["duty_failure"])[:16],
                            unit_id=unit.get("id"),
                            unit_name=(unit.get("name") or None),
                            division_code=str(doc["division"]["code"])[:12],
                            summary=str(doc["summary"]),
                            payload=json.dumps(doc, ensure_ascii=False),
                            received_at=now,
                        )
                    )
            except IntegrityError:  # a concurrent retry of the same key won
                twin = _find(conn, key)
                if twin is None:
                    raise
                return twin
        return Stored(receipt, now, body_sha256, True)

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(rx_clue)) or 0)

    def clues(self, limit: int = 1000) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    rx_clue.c.receipt_id,
                    rx_clue.c.idempotency_key,
                    rx_clue.c.clue_id,
                    rx_clue.c.cause,
                    rx_clue.c.duty_failure,
                    rx_clue.c.unit_name,
                    rx_clue.c.division_code,
                    rx_clue.c.summary,
                    rx_clue.c.received_at,
                )
                .order_by(rx_clue.c.id)
                .limit(limit)
            )
            return [dict(r._mapping) for r in rows]

    def witnesses(self) -> Iterator[dict[str, Any]]:
        """The audit chain positions eco263 showed this receiver, clue by clue, in order of
        arrival: each clue's ``chain_head`` (kind ``head``) and the hashes of its problems'
        events (kind ``event``) — what ``eco263 audit verify --against`` checks."""
        query = (
            select(
                rx_clue.c.clue_id, rx_clue.c.receipt_id, rx_clue.c.received_at, rx_clue.c.payload
            )
            .order_by(rx_clue.c.id)
            .execution_options(yield_per=500)
        )
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                evidence = json.loads(row.payload).get("evidence") or {}
                common = {"clue_id": row.clue_id, "receipt_id": row.receipt_id}
                received = row.received_at.isoformat()
                head = evidence.get("chain_head")
                if head:
                    yield common | _position("head", head) | {"received_at": received}
                for event in evidence.get("audit_events") or []:
                    yield common | _position("event", event) | {"received_at": received}

    def document(self, clue_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            text = conn.scalar(
                select(rx_clue.c.payload).where(rx_clue.c.clue_id == clue_id).order_by(rx_clue.c.id)
            )
        return json.loads(text) if text else None

    def log_sent(
        self, kind: str, key: str, body: bytes, status: int | None, answer: str, now: datetime
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(rx_sent).values(
                    kind=kind,
                    idempotency_key=key,
                    body=body.decode("utf-8"),
                    status_code=status,
                    answer=answer[:2000],
                    sent_at=now,
                )
            )


def _find(conn: Connection, key: str) -> Stored | None:
    row = conn.execute(
        select(rx_clue.c.receipt_id, rx_clue.c.received_at, rx_clue.c.body_sha256).where(
            rx_clue.c.idempotency_key == key
        )
    ).first()
    return Stored(row.receipt_id, row.received_at, row.body_sha256, False) if row else None


def _position(kind: str, item: dict[str, Any]) -> dict[str, Any]:
    return {"kind": kind, "seq": item["seq"], "hash": item["hash"]}
