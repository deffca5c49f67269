"""Engine, session factory, declarative base and the column types every domain shares.

SQLite (the embedded default) and PostgreSQL behave the same for our writes:
on SQLite every transaction starts with ``BEGIN IMMEDIATE`` so that two writers
serialise up front instead of failing on a lock upgrade halfway through
(the audit chain reads its head and then appends).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    MetaData,
    Table,
    create_engine,
    event,
    insert,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from eco263.errors import Conflict

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC in Python; naive UTC in SQLite, timestamptz in PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; on SQLite make the file's directory, enable WAL and foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database, **kwargs)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_engine(url: str, database: str | None, **kwargs: Any) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("timeout", 30)
    connect_args.setdefault("check_same_thread", False)
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take over transaction control from pysqlite so BEGIN IMMEDIATE is ours.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception."""
    with factory() as session, session.begin():
        yield session


def utcnow_column_default() -> datetime:
    """Only for rows created outside actions (seeding); actions pass the clock's time."""
    return datetime.now(UTC)


#: Below this many rows a multi-row INSERT is as fast as COPY and simpler to read in a log.
COPY_MIN_ROWS = 200


def insert_many(
    session: Session,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    *,
    return_ids: bool = False,
) -> list[int]:
    """Insert many rows in the session's transaction; with ``return_ids`` the new ids, in
    the order of ``rows``.

    On PostgreSQL a big batch goes through ``COPY`` (ids reserved from the table's sequence
    first): a multi-row INSERT of thousands of rows spends more time building, parsing and
    planning one huge statement than storing the rows — the first sweep after an import
    writes 100,000s of audit events and clues.  Values go through each column type's own
    bind processing, so a row stored either way reads back the same.
    """
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} does not map a single table")
    if not rows:
        return []
    if session.get_bind().dialect.name != "postgresql" or len(rows) < COPY_MIN_ROWS:
        if not return_ids:
            session.execute(insert(table), rows)
            return []
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(session.scalars(statement, rows))
    return _copy_rows(session, table, rows, return_ids=return_ids)


def _copy_rows(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], *, return_ids: bool
) -> list[int]:
    session.flush()
    connection = session.connection()
    dialect = connection.dialect
    defaults = _scalar_defaults(table, rows[0].keys())
    columns = [*rows[0], *defaults]
    ids: list[int] = []
    if return_ids:
        ids = list(
            session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"table": table.name, "n": len(rows)},
            )
        )
        columns = ["id", *(c for c in columns if c != "id")]
    processors = [_bind_processor(table, name, dialect) for name in columns]
    names = ", ".join(dialect.identifier_preparer.quote(name) for name in columns)
    sql = f"COPY {table.name} ({names}) FROM STDIN"
    raw: Any = connection.connection.driver_connection
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for i, row in enumerate(rows):
                values = {**defaults, **row, "id": ids[i]} if return_ids else {**defaults, **row}
                copy.write_row([p(values.get(n)) for n, p in zip(columns, processors, strict=True)])
    except dialect.loaded_dbapi.IntegrityError as exc:  # callers catch SQLAlchemy's, as for INSERT
        raise IntegrityError(sql, None, exc) from exc
    return ids


def _scalar_defaults(table: Table, given: Iterable[str]) -> dict[str, Any]:
    """The Python-side defaults an INSERT would apply to the columns ``given`` leaves out
    (COPY knows only the server's)."""
    present = set(given)
    defaults: dict[str, Any] = {}
    for column in table.c:
        default = column.default
        if column.name in present or default is None or column.primary_key:
            continue
        if not default.is_scalar:
            raise ValueError(f"insert_many: give {table.name}.{column.name} explicitly")
        defaults[column.name] = default.arg  # type: ignore[attr-defined]
    return defaults


def _bind_processor(table: Table, name: str, dialect: Dialect) -> Callable[[Any], Any]:
    processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
    return processor if processor is not None else _same


def _same(value: Any) -> Any:
    return value


@contextmanager
def unique_or_conflict(session: Session, message: str) -> Iterator[None]:
    """Flush the rows added in the block inside a savepoint: a unique key that a concurrent
    twin took after the caller's check (two clicks, two tabs) is a :class:`Conflict` with
    ``message`` (409, the same answer as the check), not a 500; the caller's transaction stays
    usable and, when the error propagates, rolls back whole."""
    try:
        with session.begin_nested():
            yield
            session.flush()
    except IntegrityError as exc:
        raise Conflict(message) from exc
