"""The one way readings enter eco263 (gateway, file import and REST upload all call it).

``ingest_batch`` stores, in one transaction, the raw packets (evidence: bytes, peer, receive
time, SHA-256) and the readings of complete messages.  A retransmitted record (same point,
CN, DataTime, pollutant) is a no-op on the primary key, so duplicates are stored once and can
still be answered.  The caller acknowledges only after this function's commit returns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from eco263.monitoring.hj212.codec import Cp, Packet
from eco263.monitoring.models import DeadLetter, RawPacket, Reading

#: Value kinds stored as columns of a reading (HJ 212 sub-keys → column).
VALUE_COLUMNS = ("rtd", "avg", "min", "max", "cou", "zs_rtd", "zs_avg", "zs_min", "zs_max")


@dataclass(frozen=True, slots=True)
class Upload:
    """What one received packet asks ingest to keep.

    ``cp`` is set when a message is complete (a plain packet, or the last part of a
    PNUM/PNO message, carrying the merged CP); parts before the last carry only evidence.
    """

    point_id: int
    packet: Packet
    peer: str
    received_at: datetime
    cp: Cp | None


@dataclass(frozen=True, slots=True)
class Rejected:
    """A packet that could not be accepted, for the dead-letter store."""

    received_at: datetime
    peer: str
    data: bytes
    reason: str
    message: str
    position: int | None = None
    mn: str | None = None
    detail: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class IngestResult:
    packets: int
    readings_offered: int


def reading_rows(point_id: int, cn: str, cp: Cp, packet_id: int | None) -> list[dict[str, Any]]:
    """One row per pollutant with at least one value (status-only codes stay in the packet)."""
    if cp.data_time is None:
        return []
    rows: list[dict[str, Any]] = []
    for code, item in cp.items().items():
        values = {col: getattr(item, col) for col in VALUE_COLUMNS}
        if all(v is None for v in values.values()):
            continue
        rows.append(
            {
                "point_id": point_id,
                "cn": cn,
                "data_time": cp.data_time,
                "pollutant": code[:16],
                **values,
                "flag": item.flag[:4] if item.flag else None,
                "eflag": item.eflag[:8] if item.eflag else None,
                "packet_id": packet_id,
            }
        )
    return rows


def ingest_batch(session: Session, uploads: Sequence[Upload]) -> IngestResult:
    """Store packets and readings of many uploads in the caller's transaction."""
    if not uploads:
        return IngestResult(0, 0)
    packet_rows = [_packet_row(u) for u in uploads]
    ids = list(session.execute(insert(RawPacket).returning(RawPacket.id), packet_rows).scalars())
    readings: list[dict[str, Any]] = []
    for upload, packet_id in zip(uploads, ids, strict=True):
        if upload.cp is not None:
            readings.extend(reading_rows(upload.point_id, upload.packet.cn, upload.cp, packet_id))
    if readings:
        session.execute(_insert_ignoring_duplicates(session), readings)
    return IngestResult(len(ids), len(readings))


def _packet_row(u: Upload) -> dict[str, Any]:
    raw = u.packet.raw
    data_time = u.cp.data_time if u.cp is not None else u.packet.cp.data_time
    return {
        "point_id": u.point_id,
        "received_at": u.received_at,
        "peer": u.peer[:64],
        "sha256": hashlib.sha256(raw).hexdigest(),
        "cn": u.packet.cn[:8],
        "qn": (u.packet.qn or "")[:24] or None,
        "data_time": data_time,
        "data": raw,
        "tolerances": list(u.packet.tolerances) or None,
    }


def _insert_ignoring_duplicates(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(Reading).on_conflict_do_nothing()
    return sqlite.insert(Reading).on_conflict_do_nothing()


def store_rejected(session: Session, rejected: Sequence[Rejected]) -> int:
    """Keep rejected bytes with the reason (dead-letter store)."""
    if not rejected:
        return 0
    rows = [
        {
            "received_at": r.received_at,
            "peer": r.peer[:64],
            "mn": (r.mn or "")[:32] or None,
            "reason": r.reason[:32],
            "message": r.message[:500],
            "position": r.position,
            "data": r.data,
            "sha256": hashlib.sha256(r.data).hexdigest(),
            "detail": r.detail,
        }
        for r in rejected
    ]
    session.execute(insert(DeadLetter), rows)
    return len(rows)
