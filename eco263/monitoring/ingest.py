"""The one way readings enter eco263 (gateway, file import and REST upload all call it).

``ingest_batch`` stores, in one transaction, the raw packets (evidence: bytes, peer, receive
time, SHA-256) and the readings of complete messages.  A retransmitted record (same point,
CN, DataTime, pollutant) is a no-op on the primary key, so duplicates are stored once and can
still be answered.  The caller acknowledges only after this function's commit returns.

Readings are the one hot write of eco263 (thousands of packets a second, eight pollutants
each), so each backend has a bulk path under the same contract: PostgreSQL takes raw-packet ids
from the sequence in one round trip, ``COPY``s the packets into ``raw_packet`` and the readings
into a per-connection temporary table, then ``INSERT … SELECT … ON CONFLICT DO NOTHING`` (in key
order, so concurrent writers cannot deadlock); SQLite numbers the packets itself (the writer
holds ``BEGIN IMMEDIATE``, so nobody else inserts meanwhile) and uses the driver's
``executemany``.  Values are bound through the columns' own SQLAlchemy types, so what is stored
is byte-for-byte what the ORM would store.  Other dialects take the plain Core path.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import Connection, Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from eco263.monitoring.hj212 import Cp, Packet
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


_SLOTS = {"Rtd": 0, "Avg": 1, "Min": 2, "Max": 3, "Cou": 4, "ZsRtd": 5, "ZsAvg": 6,
          "ZsMin": 7, "ZsMax": 8, "Flag": 9, "EFlag": 10}  # fmt: skip


_Plan = tuple[tuple[str, tuple[str | None, ...]], ...]
_PLANS: dict[tuple[str, ...], _Plan] = {}


def _plan_of(names: tuple[str, ...]) -> _Plan:
    """Per code, the CP field names of its 11 stored slots (first occurrence; None if absent).

    Depends only on the sequence of names, which a logger repeats packet after packet: cached.
    """
    plan = _PLANS.get(names)
    if plan is None:
        codes: dict[str, list[str | None]] = {}
        for name in names:
            code, dash, sub = name.partition("-")
            if not dash or not code:
                continue
            slots = codes.setdefault(code, [None] * 11)
            slot = _SLOTS.get(sub)
            if slot is not None and slots[slot] is None:
                slots[slot] = name
        plan = tuple((code, tuple(slots)) for code, slots in codes.items())
        if len(_PLANS) >= 4096:
            _PLANS.clear()
        _PLANS[names] = plan
    return plan


def reading_values(cp: Cp) -> dict[str, tuple[Any, ...]]:
    """Per code: the 9 value columns, then flag and eflag (first occurrences, as ``Cp.items``).

    The same content as :meth:`Cp.items` restricted to the stored sub-keys, read straight
    from ``cp.values`` through a cached plan (the hot path: no :class:`Item` is built).
    """
    get = _getter(cp)
    return {code: tuple(map(get, names)) for code, names in _plan_of(cp.names)}


def _getter(cp: Cp) -> Callable[[str | None], Any]:
    """``cp.values.get``, also for an absent slot (None: no such name, so None)."""
    values: Mapping[str | None, Any] = cp.values  # type: ignore[assignment]
    return values.get


#: Column order of the bulk paths (the table's own order).
READING_ORDER = ("point_id", "cn", "data_time", "pollutant", *VALUE_COLUMNS, "flag", "eflag",
                 "packet_id")  # fmt: skip
PACKET_ORDER = ("id", "point_id", "received_at", "peer", "sha256", "cn", "qn", "data_time",
                "data", "tolerances")  # fmt: skip


def ingest_batch(session: Session, uploads: Sequence[Upload]) -> IngestResult:
    """Store packets and readings of many uploads in the caller's transaction."""
    if not uploads:
        return IngestResult(0, 0)
    conn = session.connection()
    dialect = conn.dialect.name
    if dialect == "postgresql":
        return _ingest_postgresql(conn, uploads)
    if dialect == "sqlite":
        return _ingest_sqlite(conn, uploads)
    return _ingest_core(session, uploads)


def _ingest_core(session: Session, uploads: Sequence[Upload]) -> IngestResult:
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


def _reading_rows(
    uploads: Sequence[Upload], ids: Iterable[int], when: Callable[[datetime], Any]
) -> list[tuple[Any, ...]]:
    """Reading rows in :data:`READING_ORDER` for a batch (``when`` binds the data time).

    Only the first of several uploads of one (point, CN, DataTime) in the batch gives rows: a
    retransmission landing in the batch of its original would conflict with it, and, as with
    ``ON CONFLICT DO NOTHING``, the first one wins.
    """
    seen: set[tuple[int, str, datetime]] = set()
    rows: list[tuple[Any, ...]] = []
    for u, packet_id in zip(uploads, ids, strict=True):
        cp = u.cp
        if cp is None or cp.data_time is None:
            continue
        cn = u.packet.cn
        key = (u.point_id, cn, cp.data_time)
        if key in seen:
            continue
        seen.add(key)
        at = when(cp.data_time)
        get = _getter(cp)
        for code, names in _plan_of(cp.names):
            v = tuple(map(get, names))
            if v.count(None) - (v[9] is None) - (v[10] is None) == 9:
                continue  # status-only codes (SB1-RS …) stay in the packet
            rows.append(
                (u.point_id, cn, at, code[:16], v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7],
                 v[8], _cut(v[9], 4), _cut(v[10], 8), packet_id)
            )  # fmt: skip
    return rows


class _Binder:
    """Bind processors of the columns the bulk paths write, for one dialect."""

    def __init__(self, dialect: Dialect) -> None:
        packet: Table = RawPacket.__table__  # type: ignore[assignment]
        reading: Table = Reading.__table__  # type: ignore[assignment]
        self.time = _processor(packet.c.received_at.type, dialect)
        self.reading_time = _processor(reading.c.data_time.type, dialect)
        self.tolerances = _processor(packet.c.tolerances.type, dialect)

    def packet(self, packet_id: int, u: Upload) -> tuple[Any, ...]:
        raw = u.packet.raw
        tolerances = u.packet.tolerances
        data_time = u.cp.data_time if u.cp is not None else u.packet.cp.data_time
        return (
            packet_id,
            u.point_id,
            self.time(u.received_at),
            u.peer[:64],
            hashlib.sha256(raw).hexdigest(),
            u.packet.cn[:8],
            (u.packet.qn or "")[:24] or None,
            None if data_time is None else self.time(data_time),
            raw,
            self.tolerances(list(tolerances)) if tolerances else None,
        )


def _processor(type_: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any]:
    """What SQLAlchemy does to a value of this column type before the driver sees it."""
    return type_.dialect_impl(dialect).bind_processor(dialect) or _same


def _same(value: Any) -> Any:
    return value


_BINDERS: dict[str, _Binder] = {}


def _binder(dialect: Dialect) -> _Binder:
    binder = _BINDERS.get(dialect.name)
    if binder is None:
        binder = _BINDERS[dialect.name] = _Binder(dialect)
    return binder


# -- SQLite -------------------------------------------------------------------------------------

_SQLITE_PACKETS = (
    f"INSERT INTO raw_packet ({', '.join(PACKET_ORDER)}) "  # noqa: S608 - constant column names
    f"VALUES ({', '.join('?' * len(PACKET_ORDER))})"
)
_SQLITE_READINGS = (
    f"INSERT INTO reading ({', '.join(READING_ORDER)}) "  # noqa: S608 - constant column names
    f"VALUES ({', '.join('?' * len(READING_ORDER))}) ON CONFLICT DO NOTHING"
)


def _ingest_sqlite(conn: Connection, uploads: Sequence[Upload]) -> IngestResult:
    binder = _binder(conn.dialect)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute("SELECT coalesce(max(id), 0) FROM raw_packet")
        first = int(cursor.fetchone()[0]) + 1
        ids = range(first, first + len(uploads))
        cursor.executemany(_SQLITE_PACKETS, map(binder.packet, ids, uploads))
        rows = _reading_rows(uploads, ids, binder.reading_time)
        if rows:
            cursor.executemany(_SQLITE_READINGS, rows)
    finally:
        cursor.close()
    return IngestResult(len(uploads), len(rows))


def _cut(text: Any, size: int) -> str | None:
    return text[:size] if isinstance(text, str) and text else None


# -- PostgreSQL ---------------------------------------------------------------------------------

_PG_IDS = "SELECT nextval(pg_get_serial_sequence('raw_packet', 'id')) FROM generate_series(1, %s)"
_PG_COPY_PACKETS = f"COPY raw_packet ({', '.join(PACKET_ORDER)}) FROM STDIN (FORMAT BINARY)"
_PG_COPY_READINGS = f"COPY reading ({', '.join(READING_ORDER)}) FROM STDIN (FORMAT BINARY)"
_PG_PACKET_TYPES = ("int8", "int4", "timestamptz", "varchar", "varchar", "varchar", "varchar",
                    "timestamptz", "bytea", "jsonb")  # fmt: skip
_PG_READING_TYPES = ("int4", "varchar", "timestamptz", "varchar", *("float8",) * 9,
                     "varchar", "varchar", "int8")  # fmt: skip
_PG_STAGE = (
    "CREATE TEMP TABLE IF NOT EXISTS reading_stage "
    "(LIKE reading INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
)
_PG_COPY_STAGE = f"COPY reading_stage ({', '.join(READING_ORDER)}) FROM STDIN (FORMAT BINARY)"
_PG_MERGE = (
    f"INSERT INTO reading ({', '.join(READING_ORDER)}) "  # noqa: S608 - constant column names
    f"SELECT {', '.join(READING_ORDER)} FROM reading_stage "
    "ORDER BY point_id, cn, data_time, pollutant ON CONFLICT DO NOTHING"
)


def _pg_packet_row(packet_id: int, u: Upload) -> tuple[Any, ...]:
    raw = u.packet.raw
    data_time = u.cp.data_time if u.cp is not None else u.packet.cp.data_time
    return (
        packet_id,
        u.point_id,
        u.received_at,
        u.peer[:64],
        hashlib.sha256(raw).hexdigest(),
        u.packet.cn[:8],
        (u.packet.qn or "")[:24] or None,
        data_time,
        raw,
        Jsonb(list(u.packet.tolerances)) if u.packet.tolerances else None,
    )


def _copy_rows(
    cursor: Any, sql: str, types: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    with cursor.copy(sql) as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def _ingest_postgresql(conn: Connection, uploads: Sequence[Upload]) -> IngestResult:
    """Binary COPY of packets and readings; on a duplicate reading, merge through a stage."""
    raw: Any = conn.connection.driver_connection
    with raw.cursor() as cursor:
        cursor.execute(_PG_IDS, (len(uploads),))
        ids = [row[0] for row in cursor.fetchall()]
        _copy_rows(cursor, _PG_COPY_PACKETS, _PG_PACKET_TYPES, map(_pg_packet_row, ids, uploads))
        rows = _reading_rows(uploads, ids, _same)
        if not rows:
            return IngestResult(len(ids), 0)
        cursor.execute("SAVEPOINT eco263_readings")
        try:
            _copy_rows(cursor, _PG_COPY_READINGS, _PG_READING_TYPES, rows)
        except psycopg.errors.UniqueViolation:  # a retransmission of a stored record
            cursor.execute("ROLLBACK TO SAVEPOINT eco263_readings")
            cursor.execute(_PG_STAGE)
            _copy_rows(cursor, _PG_COPY_STAGE, _PG_READING_TYPES, rows)
            cursor.execute(_PG_MERGE)
            cursor.execute("TRUNCATE reading_stage")
        cursor.execute("RELEASE SAVEPOINT eco263_readings")
    return IngestResult(len(ids), len(rows))


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
