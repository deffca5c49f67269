"""Alembic environment: one linear history; the URL comes from the caller or the settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import eco263.all_models  # noqa: F401 - registers every table on Base.metadata
from eco263.config import get_settings
from eco263.db import Base, make_engine

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    if sqlite:
        # Batch mode rebuilds a changed table (create, copy, drop, rename): SQLite wants foreign
        # keys off for that, set outside any transaction, and checked before the commit.
        _sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")
    try:
        with context.begin_transaction():
            context.run_migrations()
            if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                raise RuntimeError("the migration left rows whose foreign keys point nowhere")
    finally:
        if sqlite:
            _sqlite_pragma(connection, "PRAGMA foreign_keys=ON")


def _sqlite_pragma(connection: Connection, pragma: str) -> None:
    """Run on the driver connection: eco263's engine opens every SQLAlchemy transaction with
    BEGIN IMMEDIATE, inside which SQLite ignores a foreign_keys PRAGMA."""
    if not connection.in_transaction():
        connection.connection.driver_connection.execute(pragma)  # type: ignore[union-attr]


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


run_online()
