"""Alembic environment: one linear history; the URL comes from the caller or the settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import eco263.all_models  # noqa: F401 - registers every table on Base.metadata
from eco263.config import get_settings
from eco263.db import Base, make_engine

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


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
