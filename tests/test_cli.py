"""The command line, run as a user runs it (a subprocess on a real database file)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "eco263", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=300,
    )


def test_workdays_add_crosses_may_day_2018() -> None:
    result = _run("workdays", "add", "2018-04-27", "7")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2018-05-09"


def test_workdays_outside_every_calendar_is_a_clear_error() -> None:
    result = _run("workdays", "add", "2031-01-02", "3")
    assert result.returncode == 2
    assert "2031" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def db_env(tmp_path: Path) -> dict[str, str]:
    return {
        "ECO263_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "ECO263_DATA_DIR": str(tmp_path),
    }


def test_migrate_seed_demo_sweep_and_verify(db_env: dict[str, str]) -> None:
    assert _run("db", "upgrade", env=db_env).returncode == 0
    seeded = _run("seed", "--demo", "--now", "2018-05-10T09:00", env=db_env)
    assert seeded.returncode == 0, seeded.stderr
    assert "演示问题 9 条" in seeded.stdout
    again = _run("seed", "--demo", "--now", "2018-05-10T09:00", env=db_env)
    assert "区划 0 个，单位 0 个，用户 0 个，演示问题 0 条" in again.stdout
    swept = _run("sweep", "--now", "2018-05-10T09:00", env=db_env)
    assert swept.returncode == 0, swept.stderr
    assert "红牌 1" in swept.stdout and "新线索 1 条" in swept.stdout
    assert "新线索 0 条" in _run("sweep", "--now", "2018-05-10T09:00", env=db_env).stdout
    verified = _run("audit", "verify", env=db_env)
    assert verified.returncode == 0 and "完好" in verified.stdout


def test_bad_now_is_a_clear_error(db_env: dict[str, str]) -> None:
    _run("db", "upgrade", env=db_env)
    result = _run("sweep", "--now", "yesterday", env=db_env)
    assert result.returncode != 0
    assert "无法识别的时间" in result.stderr
    assert "Traceback" not in result.stderr
