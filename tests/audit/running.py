"""The ``eco263`` command line, run in-process on a test database (the same Typer app as
the console script; the 100k-event and terminal tests run it as a real process)."""

from __future__ import annotations

from click.testing import Result
from typer.testing import CliRunner

from eco263.cli import app
from eco263.config import get_settings
from eco263.runtime import Runtime


def eco263(rt: Runtime | None, *args: str) -> Result:
    env = {"ECO263_DATABASE_URL": rt.settings.database_url} if rt else {}
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(args), env=env)
    finally:
        get_settings.cache_clear()
