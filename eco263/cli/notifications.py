"""``eco263 notifications digest``: queue the daily digest e-mails now (the scheduler does it
once a day); the outbox worker (``eco263 outbox run``) sends them."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from eco263.clock import FixedClock, parse_now
from eco263.config import get_settings
from eco263.notifications.scheduled import send_digests
from eco263.wiring import build_runtime

notifications_app = typer.Typer(help="通知：每日汇总邮件", no_args_is_help=True)
console = Console()


@notifications_app.command("digest")
def digest_command(
    now: Annotated[str | None, typer.Option("--now", help="以该时刻为“现在”（ISO 8601）")] = None,
) -> None:
    """把选择“每日汇总”的用户积存的通知各汇成一封邮件，放入发件箱。"""
    clock = FixedClock(parse_now(now)) if now else None
    rt = build_runtime(get_settings(), clock)
    count = send_digests(rt, rt.clock.now())
    console.print(f"已放入发件箱的汇总邮件：{count} 封")
