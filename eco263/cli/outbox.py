"""``eco263 outbox run | retry | status``: the worker gets its handlers from the composition
root (:func:`eco263.wiring.outbox_handlers`)."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from eco263.actor import SYSTEM
from eco263.clock import Clock, OffsetClock, SystemClock, parse_now, set_clock
from eco263.config import get_settings
from eco263.runtime import Runtime
from eco263.wiring import build_runtime, outbox_handlers

outbox_app = typer.Typer(help="发件箱：线索投递（签名、重试、死信）", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def _runtime(now: str | None) -> Runtime:
    text = now or get_settings().now
    clock: Clock = SystemClock()
    if text:
        try:
            clock = OffsetClock(parse_now(text))
        except ValueError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
    set_clock(clock)
    return build_runtime(get_settings(), clock)


@outbox_app.command("run")
def run(
    now: Annotated[
        str | None, typer.Option("--now", help="以该时刻为“现在”并向前流动（演示用）")
    ] = None,
    once: Annotated[bool, typer.Option(help="只处理一轮后退出")] = False,
) -> None:
    """投递发件箱中的线索到智慧监督平台（指数退避+抖动，超过期限转为死信）。Ctrl-C 退出。"""
    from eco263.outbox.worker import OutboxWorker

    rt = _runtime(now)
    worker = OutboxWorker(rt, outbox_handlers())
    if once:
        report = worker.run_once()
        worker.close()
        console.print(
            f"本轮：取出 {report.claimed}，送达 {report.delivered}，"
            f"待重试 {report.retried}，死信 {report.dead}"
        )
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    console.print(f"发件箱投递已启动 → {rt.settings.supervision_url}/clues（Ctrl-C 退出）")
    try:
        worker.run(stop)
    except KeyboardInterrupt:
        stop.set()
    finally:
        worker.close()


@outbox_app.command("retry")
def retry(
    ids: Annotated[list[int] | None, typer.Argument(help="要重新投递的死信编号")] = None,
    all_dead: Annotated[bool, typer.Option("--all", help="重新投递全部死信")] = False,
) -> None:
    """把死信重新放回发件箱（重新计算投递期限）。"""
    from eco263.outbox.actions import do_retry

    if not ids and not all_dead:
        err.print("[red]请给出死信编号，或使用 --all[/red]")
        raise typer.Exit(2)
    rt = _runtime(None)
    with rt.unit_of_work(SYSTEM) as ctx:
        revived = do_retry(ctx, None if all_dead else ids)
    if not revived:
        console.print("没有可重新投递的死信")
        return
    console.print(f"已重新投递 {len(revived)} 条：{', '.join(map(str, revived))}")


@outbox_app.command("status")
def status() -> None:
    """发件箱概况：待投递、已送达、死信（列出死信及最后错误）。"""
    from eco263.supervision.service.deliveries import delivery_status

    rt = _runtime(None)
    with rt.sessions() as session:
        report = delivery_status(session, SYSTEM)
    console.print(f"待投递 {report.pending}，已送达 {report.delivered}，死信 {report.dead}")
    if report.dead_items:
        table = Table("编号", "幂等键", "尝试次数", "最后错误")
        for item in report.dead_items:
            table.add_row(
                str(item.id), item.idempotency_key, str(item.attempts), item.last_error or ""
            )
        console.print(table)
