"""``eco263 users add|disable|enable|reset-password`` through the Typer runner, on both
databases: the same audited actions as the pages, the same refusals, nothing changed by one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from eco263 import vocabulary
from eco263.auth.passwords import verify_password
from eco263.cli import app
from eco263.config import get_settings
from eco263.runtime import Runtime
from tests.admin.helpers import last_event, state, user


@pytest.fixture
def cli_env(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ECO263_DATABASE_URL", rt.settings.database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


ADD = [
    "users",
    "add",
    "ks_water",
    "--name",
    "昆山市水务局 新科员",
    "--role",
    "department",
    "--division",
    "320583",
    "--org",
    "昆山市环保局",
]


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.usefixtures("cli_env")
def test_add_disable_enable_reset_and_list(rt: Runtime) -> None:
    code, out = _run(*ADD, "--password", "first-pass-1")
    assert code == 0, out
    assert "已创建用户 ks_water" in out and "临时密码" not in out
    created = user(rt, "ks_water")
    assert created.must_change_password and verify_password(created.password_hash, "first-pass-1")
    event = last_event(rt)
    assert event.action == "user.create" and event.actor_name == "命令行（系统管理员）"

    code, out = _run("users")
    assert code == 0 and "ks_water" in out and "待修改密码" in out
    code, out = _run("users", "list")
    assert code == 0 and "ks_water" in out

    code, out = _run("users", "reset-password", "ks_water")
    assert code == 0 and "临时密码：" in out
    temporary = out.split("临时密码：")[1].split()[0]
    assert verify_password(user(rt, "ks_water").password_hash, temporary)
    assert vocabulary.label(last_event(rt).action) == "重置用户密码"

    code, out = _run("users", "disable", "ks_water", "--as", "kunshan")
    assert code == 0 and "已停用用户 ks_water" in out
    assert not user(rt, "ks_water").active
    assert last_event(rt).actor_name == "昆山市263办 李主任"
    code, out = _run("users", "enable", "ks_water")
    assert code == 0 and user(rt, "ks_water").active


@pytest.mark.usefixtures("cli_env")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "add", "city", *ADD[3:], "--password", "first-pass-1"], "用户名 city 已存在"),
        ([*ADD[:6], "mayor", *ADD[7:], "--password", "first-pass-1"], "未知角色 mayor"),
        ([*ADD, "--password", "short"], "密码太短"),
        ([*ADD, "--password", "first-pass-1", "--as", "wujiang"], "不在本单位辖区内"),
        ([*ADD[:-1], "没有这个单位"], "没有单位 没有这个单位"),
        (["users", "reset-password", "ks_epb_head", "--as", "ks_epb"], "只有263办可以管理用户"),
        (["users", "disable", "city", "--as", "city"], "不能停用自己的账号"),
        (["users", "reset-password", "city", "--as", "city"], "不能重置自己的密码"),
        (["users", "disable", "ks_epb", "--as", "wujiang"], "用户不存在"),
        (["users", "disable", "nobody"], "没有用户 nobody"),
    ],
)
def test_bad_commands_say_why_and_change_nothing(
    rt: Runtime, args: list[str], message: str
) -> None:
    before = state(rt)
    code, out = _run(*args)
    assert code == 1, out
    assert message in out, out
    assert state(rt) == before
