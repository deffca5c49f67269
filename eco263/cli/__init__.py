"""``eco263`` command line.  Output for people is Chinese; ``--help`` on every command."""

from __future__ import annotations

import logging
import sys
import threading
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from eco263 import migrate
from eco263.audit.actions import ensure_head
from eco263.audit.cli import audit_app
from eco263.cli.assess import assess_app
from eco263.cli.bulletin import bulletin_app
from eco263.cli.deadlines import DryRun, deadlines_app, recompute_command
from eco263.cli.enforcement import enforcement_app
from eco263.cli.notifications import notifications_app
from eco263.cli.outbox import outbox_app
from eco263.cli.petitions import petitions_app
from eco263.cli.users import users_app
from eco263.clock import Clock, FixedClock, OffsetClock, SystemClock, parse_now, set_clock
from eco263.config import get_settings
from eco263.gateway.cli import gateway, simulate
from eco263.monitoring.cli import hj212_app
from eco263.monitoring.detect_cli import detect
from eco263.runtime import Runtime
from eco263.seed import seed_reference
from eco263.supervision.receiver.cli import receiver_app
from eco263.wiring import build_runtime
from eco263.workdays import CalendarRangeError, get_calendar

app = typer.Typer(
    help="eco263 污染防治攻坚战协同推进平台",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="数据库（迁移）", no_args_is_help=True)
workdays_app = typer.Typer(help="工作日计算（含法定节假日与调休）", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(workdays_app, name="workdays")
app.add_typer(deadlines_app, name="deadlines")
app.add_typer(outbox_app, name="outbox")
app.add_typer(receiver_app, name="supervision-receiver")
app.add_typer(hj212_app, name="hj212")
app.add_typer(assess_app, name="assess")
app.add_typer(bulletin_app, name="bulletin")
app.add_typer(petitions_app, name="petitions")
app.add_typer(users_app, name="users")
app.add_typer(notifications_app, name="notifications")
app.add_typer(enforcement_app, name="enforcement")
app.command("gateway")(gateway)
app.command("detect")(detect)
app.command("simulate")(simulate)

console = Console()
err = Console(stderr=True)

NowOpt = Annotated[
    str | None, typer.Option("--now", help="以该时刻为“现在”（ISO 8601，无时区按北京时间）")
]


def _clock(now: str | None, *, flowing: bool) -> Clock:
    text = now or get_settings().now
    if not text:
        return SystemClock()
    try:
        at = parse_now(text)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    return OffsetClock(at) if flowing else FixedClock(at)


def _runtime(now: str | None = None, *, flowing: bool = False) -> Runtime:
    clock = _clock(now, flowing=flowing)
    set_clock(clock)
    return build_runtime(get_settings(), clock)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """把数据库迁移到最新结构（Alembic）。"""
    url = get_settings().database_url
    migrate.upgrade(url)
    console.print(f"数据库已迁移到最新版本：{url}")


@app.command()
def seed(
    demo: Annotated[bool, typer.Option(help="同时写入第70期工作动态的演示台账")] = False,
    now: NowOpt = None,
) -> None:
    """写入行政区划、单位、演示用户（可重复执行）。"""
    from eco263.demo import seed_story

    rt = _runtime(now)
    with rt.unit_of_work() as ctx:
        ensure_head(ctx.session)
        report = seed_reference(ctx)
        stories = seed_story(ctx) if demo else 0
        if demo:
            report.users += seed_reference(ctx).users  # the enterprise user needs its enterprise
    console.print(
        f"区划 {report.divisions} 个，单位 {report.organizations} 个，"
        f"用户 {len(report.users)} 个，演示问题 {stories} 条"
    )


@app.command()
def sweep(now: NowOpt = None) -> None:
    """扫描全部在办事项：临期、逾期、黄牌、红牌（红牌生成线索）。可重复执行。"""
    from eco263.problems.scheduled import sweep as run_sweep
    from eco263.supervision.service.clues import clue_total

    rt = _runtime(now)
    with rt.unit_of_work() as ctx:
        clues_before = clue_total(ctx.session)
    try:
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("扫描中…", total=None)
            report = run_sweep(
                rt,
                now=rt.clock.now(),
                on_batch=lambda n: progress.advance(task, n),
            )
    except CalendarRangeError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    raised = "，".join(f"{k} {v}" for k, v in report.raised.items()) or "无"
    with rt.unit_of_work() as ctx:
        new_clues = clue_total(ctx.session) - clues_before
    console.print(f"检查 {report.examined} 项；升级：{raised}；新线索 {new_clues} 条")
    from eco263.joint_enforcement.scheduled import remind

    joint = remind(rt, now=rt.clock.now())
    console.print(
        f"联合执法待组长审批 {joint.examined} 件："
        f"临期提醒 {joint.due_soon}，逾期催办 {joint.overdue}"
    )


@app.command()
def scheduler(now: NowOpt = None) -> None:
    """运行定时任务（扫描等），计划保存在数据库中。Ctrl-C 退出。"""
    from eco263.scheduler.service import run_forever

    rt = _runtime(now, flowing=True)
    stop = threading.Event()
    try:
        run_forever(rt, stop)
    except KeyboardInterrupt:
        stop.set()


@app.command()
def serve(
    now: NowOpt = None,
    host: Annotated[str | None, typer.Option(help="监听地址")] = None,
    port: Annotated[int | None, typer.Option(help="端口")] = None,
) -> None:
    """启动 Web 界面与 REST API（/api/v1，文档 /docs）。"""
    import uvicorn

    from eco263.app import create_app

    settings = get_settings()
    clock = _clock(now, flowing=True)
    set_clock(clock)
    uvicorn.run(
        create_app(settings, clock),
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
    )


@app.command()
def demo(
    now: Annotated[str, typer.Option(help="演示的“现在”")] = "2018-05-10T09:00",
    port: Annotated[int | None, typer.Option(help="Web 端口")] = None,
    fresh: Annotated[bool, typer.Option(help="清空演示数据库后重建")] = True,
) -> None:
    """一条命令的演示：迁移、写入苏州基础数据与第70期台账、扫描、启动 Web 与定时任务。"""
    from eco263.demo_run import run_demo

    run_demo(now=now, port=port, fresh=fresh, console=console)


@workdays_app.command("add")
def workdays_add(start: date, n: int) -> None:
    """START 之后第 N 个工作日，例如 `eco263 workdays add 2018-04-27 7` → 2018-05-09。"""
    try:
        console.print(get_calendar(get_settings().holidays_file).add_workdays(start, n).isoformat())
    except CalendarRangeError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


@workdays_app.command("between")
def workdays_between(start: date, end: date) -> None:
    """(START, END] 之间的工作日数（END 早于 START 时为负）。"""
    try:
        cal = get_calendar(get_settings().holidays_file)
        console.print(str(cal.workdays_between(start, end)))
    except CalendarRangeError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


@workdays_app.command("recompute")
def workdays_recompute(now: NowOpt = None, dry_run: DryRun = False) -> None:
    """日历变更后（新一年的节假日、临时安排确认、办公室节假日文件修改）重算在办期限，
    变化的期限连同原期限、新期限与原因记入审计链，并列出。"""
    recompute_command(_runtime(now), dry_run)


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    app()
