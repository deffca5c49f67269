"""Gateway commands: `eco263 gateway` and `eco263 simulate` (see eco263.cli)."""

from __future__ import annotations

import asyncio
import signal
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from eco263.clock import SystemClock, parse_now
from eco263.config import get_settings
from eco263.errors import Conflict
from eco263.gateway.server import Gateway, GatewayConfig
from eco263.gateway.sim_logger import SimulatorConfig
from eco263.gateway.simulator import Plan, SimReport
from eco263.gateway.simulator import simulate as sim_run
from eco263.monitoring import signals
from eco263.monitoring.actions import do_register_point
from eco263.runtime import Runtime
from eco263.wiring import build_runtime

err = Console(stderr=True)


def gateway(
    port: Annotated[int, typer.Option(help="监听端口")] = 9212,
    host: Annotated[str, typer.Option(help="监听地址")] = "0.0.0.0",  # noqa: S104 - loggers connect from outside
    idle_timeout: Annotated[float, typer.Option(help="空闲连接超时（秒）")] = 600.0,
    max_connections: Annotated[int, typer.Option(help="最大连接数")] = 20000,
    reuse_port: Annotated[bool, typer.Option(help="SO_REUSEPORT：每核一个进程")] = False,
) -> None:
    """启动 HJ 212-2017 数据采集网关（数采仪经 TCP 上报）。Ctrl-C / SIGTERM 优雅退出。"""
    config = GatewayConfig(
        host=host,
        port=port,
        idle_timeout=idle_timeout,
        max_connections=max_connections,
        reuse_port=reuse_port,
    )
    asyncio.run(run_gateway(build_runtime(get_settings()), config))


async def run_gateway(rt: Runtime, config: GatewayConfig) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    gw = Gateway(rt, config)
    await gw.start()
    err.print(f"HJ 212 网关已启动：{config.host}:{gw.port}")
    await stop.wait()
    err.print("正在关闭：等待已接收报文写入…")
    await gw.close()
    err.print(f"已关闭；统计：{dict(gw.stats.counts)}")


# -- eco263 simulate ------------------------------------------------------------------------------

_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> timedelta:
    """``90s``, ``30m``, ``6h``, ``30d`` (a number without unit is hours)."""
    text = text.strip().lower()
    unit = text[-1] if text and text[-1] in _DURATION_UNITS else "h"
    number = text[:-1] if text and text[-1] in _DURATION_UNITS else text
    try:
        value = float(number)
    except ValueError as exc:
        raise typer.BadParameter(f"无法识别的时长：{text!r}（例如 6h、30d、90m）") from exc
    if value <= 0:
        raise typer.BadParameter("时长必须大于 0")
    return timedelta(seconds=value * _DURATION_UNITS[unit])


def parse_hours(text: str) -> frozenset[int]:
    """``22-5`` (wrapping past midnight), ``10,11,12`` or a mix."""
    hours: set[int] = set()
    try:
        for part in text.split(","):
            if "-" in part:
                first, last = (int(x) for x in part.split("-", 1))
                hours.update(h % 24 for h in range(first, last + (24 if last < first else 0) + 1))
            elif part.strip():
                hours.add(int(part))
    except ValueError as exc:
        raise typer.BadParameter(f"无法识别的小时：{text!r}（例如 22-5 或 10,11,12）") from exc
    if not hours or any(not 0 <= h <= 23 for h in hours):
        raise typer.BadParameter("小时应在 0–23 之间")
    return frozenset(hours)


def assign_scenarios(specs: list[str], count: int) -> list[signals.ScenarioKind]:
    """``NAME=COUNT`` takes the next COUNT loggers, ``NAME`` all the rest; default normal."""
    kinds: list[signals.ScenarioKind] = []
    for spec in specs:
        name, _, number = spec.partition("=")
        if name not in signals.SCENARIOS:
            raise typer.BadParameter(f"未知场景 {name!r}；可选：{'、'.join(signals.SCENARIOS)}")
        kind: signals.ScenarioKind = name
        try:
            n = int(number) if number else count - len(kinds)
        except ValueError as exc:
            raise typer.BadParameter(f"场景数量应为整数：{spec!r}") from exc
        kinds.extend([kind] * max(0, min(n, count - len(kinds))))
    return kinds + ["normal"] * (count - len(kinds))


def simulate(
    loggers: Annotated[int, typer.Option(help="模拟数采仪数量")] = 4,
    medium: Annotated[str, typer.Option(help="介质：water 废水、gas 废气、mixed 交替")] = "water",
    scenario: Annotated[
        list[str] | None,
        typer.Option(
            help="场景，可重复：NAME=数量 或 NAME（其余全部）。"
            "normal exceedance tamper-dilution flatline offline bad-crc 2005-dialect"
        ),
    ] = None,
    start: Annotated[
        str | None, typer.Option(help="模拟起始时刻（ISO 8601，无时区按北京时间）；默认当前时刻")
    ] = None,
    duration: Annotated[str, typer.Option(help="模拟时长，如 6h、30d、90m")] = "1h",
    speedup: Annotated[
        float, typer.Option(help="加速倍数（模拟时间/墙钟时间）；0 = 按应答速度尽快发送")
    ] = 60.0,
    seed: Annotated[int, typer.Option(help="随机种子（相同种子得到相同数据与 MN）")] = 263,
    host: Annotated[str, typer.Option(help="网关地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="网关端口")] = 9212,
    ack_log: Annotated[
        Path | None, typer.Option("--ack-log", help="应答日志（JSON Lines：mn cn qn data_time）")
    ] = None,
    register: Annotated[bool, typer.Option(help="先登记模拟点位（演示用，系统身份）")] = False,
    division: Annotated[str, typer.Option(help="登记点位所属区划代码")] = "320583",
    password: Annotated[str, typer.Option(help="访问密码 PW")] = "123456",  # noqa: S107
    cn: Annotated[str, typer.Option(help="上报的数据类型（逗号分隔）")] = "2011,2051,2061,2031",
    rtd_interval: Annotated[int, typer.Option(help="实时数据间隔（秒，模拟时间）")] = 60,
    min_interval: Annotated[int, typer.Option(help="分钟数据间隔（分钟）")] = 10,
    factor: Annotated[
        float | None, typer.Option(help="场景倍数（超标/稀释）或恒值（flatline）；默认按场景")
    ] = None,
    scenario_hours: Annotated[
        str | None, typer.Option(help="场景生效的小时（北京时间），如 22-5 或 10,11,12")
    ] = None,
    bad_crc_fraction: Annotated[float, typer.Option(help="bad-crc：首发报文损坏的比例")] = 0.05,
    window: Annotated[int, typer.Option(help="每台数采仪最多未应答报文数")] = 16,
    ack_timeout: Annotated[float, typer.Option(help="等待 9014 的超时（秒），超时重发")] = 5.0,
    drain_timeout: Annotated[float, typer.Option(help="发送结束后等待应答的最长时间（秒）")] = 60.0,
) -> None:
    """模拟 N 台数采仪经 TCP 向网关上报 HJ 212 数据（实时/分钟/小时/日），含造假场景。

    未收到 9014 的报文留在本机队列中重发（补传），断线后退避重连。全部得到应答时退出码 0。
    """
    kinds = assign_scenarios(scenario or [], loggers)
    cns = tuple(c.strip() for c in cn.split(",") if c.strip())
    if not cns or any(c not in signals.RECORD_CNS for c in cns):
        raise typer.BadParameter(f"数据类型应为 {', '.join(signals.RECORD_CNS)} 中的若干个")
    if min_interval not in (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30):
        raise typer.BadParameter("分钟数据间隔应为 1,2,3,4,5,6,10,12,15,20,30 之一（HJ 212）")
    if medium not in ("water", "gas", "mixed"):
        raise typer.BadParameter("介质应为 water、gas 或 mixed")
    begin = _start_time(start)
    dialects: list[signals.Dialect] = ["2005" if k == "2005-dialect" else "2017" for k in kinds]
    points = signals.make_points(
        loggers,
        seed=seed,
        medium=medium,  # type: ignore[arg-type]
        password=password,
        dialects=dialects,
    )
    changes: dict[str, object] = {}
    if factor is not None:
        changes["factor"] = factor
    if scenario_hours is not None:
        changes["hours"] = parse_hours(scenario_hours)
    scenarios = []
    for kind in kinds:
        extra = dict(changes)
        if kind == "bad-crc":
            extra["fraction"] = bad_crc_fraction
        scenarios.append(signals.scenario(kind, **extra))
    plan = Plan(
        tuple(zip(points, scenarios, strict=True)),
        begin,
        parse_duration(duration),
        seed=seed,
        cns=cns,
        rtd_interval=rtd_interval,
        min_interval=min_interval,
    )
    if register:
        added = register_points(build_runtime(get_settings()), points, division)
        err.print(f"已登记模拟点位 {added} 个（已存在的跳过）")
    config = SimulatorConfig(
        host=host,
        port=port,
        speedup=max(speedup, 0.0),
        window=window,
        ack_timeout=ack_timeout,
        drain_timeout=drain_timeout,
    )
    for point, sc in plan.loggers:
        err.print(f"  {point.mn}  {point.name}  场景：{sc.kind}")
    report = asyncio.run(_simulate_with_progress(plan, config, ack_log))
    err.print(
        f"完成：生成 {report.total('produced')} 条，已应答 {report.total('acked')} 条，"
        f"未应答 {report.unacked} 条；发送 {report.total('transmissions')} 次"
        f"（重发 {report.total('retransmissions')}，损坏 {report.total('damaged')}），"
        f"连接 {report.total('connects')} 次，连接失败 {report.total('connect_failures')} 次，"
        f"用时 {report.wall_seconds:.1f} 秒"
    )
    if not report.complete:
        raise typer.Exit(1)


def _start_time(text: str | None) -> datetime:
    settings_now = get_settings().now
    try:
        if text:
            return parse_now(text)
        if settings_now:
            return parse_now(settings_now)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    now = SystemClock().now()
    return now.replace(second=0, microsecond=0)


async def _simulate_with_progress(
    plan: Plan, config: SimulatorConfig, ack_log: Path | None
) -> SimReport:
    total = plan.expected()
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("模拟上报中（已应答）…", total=total)
        return await sim_run(
            plan, config, ack_log_path=ack_log, on_ack=lambda: progress.advance(task, 1)
        )


def register_points(rt: Runtime, points: list[signals.PointSpec], division: str) -> int:
    """Register the simulated points (SYSTEM actor, one unit of work each); skip known MNs."""
    added = 0
    for point in points:
        try:
            with rt.unit_of_work() as ctx:
                do_register_point(
                    ctx,
                    mn=point.mn,
                    password=point.password,
                    name=point.name,
                    medium=point.medium,
                    division_code=division,
                )
            added += 1
        except Conflict:
            continue
    return added
