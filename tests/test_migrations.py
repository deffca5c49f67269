"""The migration history runs up, down and up again on both backends."""

from __future__ import annotations

from sqlalchemy import inspect

from eco263 import migrate
from eco263.db import make_engine
from tests.conftest import Database


def test_upgrade_downgrade_upgrade(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    tables = set(inspect(engine).get_table_names())
    assert {"problem", "assignment", "audit_event", "audit_head", "clue", "outbox_event"} <= tables
    migrate.downgrade(url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(url)
    assert "problem" in inspect(engine).get_table_names()
    engine.dispose()


def test_models_match_the_migrations(database: Database) -> None:
    """Autogenerate finds nothing to do: the models and the history agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import eco263.all_models  # noqa: F401
    from eco263.db import Base

    def include(obj: object, name: str | None, type_: str, reflected: bool, _to: object) -> bool:
        # Monthly partitions of ``reading`` exist only in the database (PostgreSQL).
        return not (type_ == "table" and reflected and (name or "").startswith("reading_"))

    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_ledger_tables_leave_room_for_updates(database: Database) -> None:
    """On PostgreSQL, problem and assignment pages keep 15 % free for HOT updates."""
    from sqlalchemy import text

    if database.engine.dialect.name != "postgresql":
        return  # SQLite has no fillfactor
    with database.engine.connect() as conn:
        options = dict(
            conn.execute(
                text(
                    "SELECT relname, reloptions FROM pg_class "
                    "WHERE relname IN ('problem', 'assignment')"
                )
            ).all()
        )
    assert options == {"problem": ["fillfactor=85"], "assignment": ["fillfactor=85"]}
