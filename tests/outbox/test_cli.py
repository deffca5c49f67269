"""``eco263 outbox status | retry | run --once`` as a user runs them (subprocess, real file)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "eco263", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
        timeout=120,
    )


@pytest.fixture
def db_env(tmp_path: Path) -> dict[str, str]:
    env = {
        "ECO263_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "ECO263_DATA_DIR": str(tmp_path),
        "ECO263_SUPERVISION_URL": "http://127.0.0.1:9",  # nothing listens: attempts fail fast
    }
    assert _run("db", "upgrade", env=env).returncode == 0
    return env


def test_status_retry_and_one_round_from_the_command_line(db_env: dict[str, str]) -> None:
    seeded = _run("seed", "--demo", "--now", "2018-05-10T09:00", env=db_env)
    assert seeded.returncode == 0, seeded.stderr
    assert "新线索 1 条" in _run("sweep", "--now", "2018-05-10T09:00", env=db_env).stdout
    assert "待投递 1，已送达 0，死信 0" in _run("outbox", "status", env=db_env).stdout
    # The clue was made on 2018-05-10 and the worker lives today: far past the 72 h horizon,
    # so its first failed attempt makes it dead; a retry starts a new window.
    once = _run("outbox", "run", "--once", env=db_env)
    assert once.returncode == 0, once.stderr
    assert "取出 1，送达 0，待重试 0，死信 1" in once.stdout
    status = _run("outbox", "status", env=db_env).stdout
    assert "死信 1" in status and "连接失败" in status
    assert "已重新投递 1 条" in _run("outbox", "retry", "--all", env=db_env).stdout
    again = _run("outbox", "run", "--once", env=db_env)
    assert "取出 1，送达 0，待重试 1，死信 0" in again.stdout
    assert "没有可重新投递的死信" in _run("outbox", "retry", "--all", env=db_env).stdout


def test_retry_without_ids_is_a_clear_error(db_env: dict[str, str]) -> None:
    result = _run("outbox", "retry", env=db_env)
    assert result.returncode == 2
    assert "请给出死信编号" in result.stderr and "Traceback" not in result.stderr
