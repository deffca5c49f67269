"""``eco263 demo``: build the embedded database, replay the story, run every part of the platform.

In the foreground: the web UI and API.  Beside it, as child processes of the same command
(stopped with it): the HJ 212 gateway, a simulator of four data loggers (one of them the 昆山
tampering case), the outbox worker, and the reference 智慧监督 receiver that answers clues
with a status and a 监督意见书.  The demo's clock starts at ``--now`` and flows.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import uvicorn
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from eco263 import migrate
from eco263.actor import SYSTEM
from eco263.alarms.actions import do_set_limit
from eco263.alarms.scheduled import detect_recent
from eco263.app import create_app
from eco263.audit.actions import ensure_head
from eco263.clock import FixedClock, OffsetClock, parse_now, set_clock
from eco263.config import Settings, get_settings
from eco263.context import Ctx
from eco263.demo import seed_story
from eco263.monitoring import service as monitoring
from eco263.monitoring.actions import do_register_point
from eco263.monitoring.signals import make_points
from eco263.problems.scheduled import sweep
from eco263.registry.models import Enterprise
from eco263.runtime import Runtime
from eco263.scheduler.service import run_forever
from eco263.seed import DEMO_PASSWORD, seed_reference
from eco263.wiring import build_runtime

GATEWAY_PORT = 9212
RECEIVER_PORT = 8264
SIM_SEED = 263
#: The simulated loggers: (scenario, enterprise credit code or None).
LOGGERS = (
    ("normal", None),
    ("tamper-dilution", "91320583MA1MXXYL0H"),  # 依利安达电子（昆山）: the copper analyser
    ("exceedance", None),
    ("flatline", None),
)
HISTORY_DAYS = 4
ONSET_DAYS_AGO = 1  # the scenarios (dilution, exceedance, flatline) start this long before "now"


def run_demo(*, now: str, port: int | None, fresh: bool, console: Console) -> None:
    settings = get_settings()
    web_port = port or settings.port
    if fresh and settings.database_url.startswith("sqlite:///"):
        db_file = settings.database_url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(db_file + suffix).unlink(missing_ok=True)
    migrate.upgrade(settings.database_url)
    start = parse_now(now)
    rt = build_runtime(settings, FixedClock(start))
    stories, clues = _seed(rt, start)
    clock = OffsetClock(start)
    set_clock(clock)
    live = build_runtime(settings, clock)
    env = _child_env(settings, now, web_port)
    with _children(env, console) as _procs:
        stop = threading.Event()
        threading.Thread(
            target=run_forever, args=(live, stop), daemon=True, name="scheduler"
        ).start()
        threading.Thread(
            target=_feed_and_detect, args=(live, env, start, stop, console), daemon=True
        ).start()
        _banner(console, settings.host, web_port, stories, clues, now)
        # uvicorn re-raises the signal that stopped it once it has shut down; a SIGTERM left
        # to its default action would end this process before the children are stopped.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            uvicorn.run(create_app(settings, clock), host=settings.host, port=web_port)
        finally:
            stop.set()


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _seed(rt: Runtime, start: datetime) -> tuple[int, int]:
    with rt.unit_of_work() as ctx:
        ensure_head(ctx.session)
        seed_reference(ctx)
        stories = seed_story(ctx)
        seed_reference(ctx)  # the enterprise user, now that its enterprise exists
        _register_points(replace(ctx, actor=SYSTEM))
    report = sweep(rt, now=start)
    return stories, report.red_cards


def _register_points(ctx: Ctx) -> None:
    """The simulated loggers' points, the tampering one on 依利安达 with its copper limit."""
    points = make_points(len(LOGGERS), seed=SIM_SEED, medium="water")
    for spec, (scenario, uscc) in zip(points, LOGGERS, strict=True):
        if monitoring.point_exists(ctx.session, spec.mn):
            continue
        enterprise_id = None
        if uscc:
            enterprise_id = ctx.session.scalar(select(Enterprise.id).where(Enterprise.uscc == uscc))
        point = do_register_point(
            ctx,
            mn=spec.mn,
            password=spec.password,
            name=f"{spec.name}（{scenario}）",
            medium=spec.medium,
            division_code="320583",
            enterprise_id=enterprise_id,
        )
        do_set_limit(
            ctx,
            point.id,
            pollutant="w20122",
            limit=0.3,
            unit="mg/L",
            standard="GB 21900-2008 表3（RECALLED）",
        )


def _child_env(settings: Settings, now: str, web_port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "ECO263_DATABASE_URL": settings.database_url,
            "ECO263_NOW": now,
            "ECO263_SUPERVISION_URL": f"http://127.0.0.1:{RECEIVER_PORT}",
            "ECO263_RECEIVER_PORT": str(RECEIVER_PORT),
            "ECO263_RECEIVER_ECO263_URL": f"http://127.0.0.1:{web_port}",
            "ECO263_RECEIVER_DATABASE_URL": f"sqlite:///{settings.data_dir / 'receiver.db'}",
        }
    )
    return env


@contextlib.contextmanager
def _children(env: dict[str, str], console: Console) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Start the gateway, the outbox worker and the receiver; stop them after."""
    log_dir = Path(env.get("ECO263_DATA_DIR", "var")) / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    commands = {
        "gateway": ["gateway", "--host", "127.0.0.1", "--port", str(GATEWAY_PORT)],
        "receiver": ["supervision-receiver", "--auto-reply", "--auto-opinion"],
        "outbox": ["outbox", "run"],
    }
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for name, args in commands.items():
            procs.append(_spawn(name, args, env, log_dir, console))
        yield procs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)


def _spawn(
    name: str, args: list[str], env: dict[str, str], log_dir: Path, console: Console
) -> subprocess.Popen[bytes]:
    log = (log_dir / f"{name}.log").open("wb")
    proc = subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "eco263", *args], env=env, stdout=log, stderr=log
    )
    console.print(f"已启动 {name}（日志 {log_dir / (name + '.log')}）")
    return proc


def simulator_args(
    start: datetime, days: float, speedup: float, *, scenarios: bool = True
) -> list[str]:
    """The four demo loggers, one scenario each (the 昆山 dilution case is the second).

    Without ``scenarios`` every logger behaves normally: the history before the onset,
    which is what the detectors compare the manipulated days with.
    """
    hours = max(1, round(days * 24))
    kinds = [s for s, _ in LOGGERS] if scenarios else ["normal"] * len(LOGGERS)
    return [
        "simulate",
        "--loggers", str(len(LOGGERS)),
        *(arg for s in kinds for arg in ("--scenario", f"{s}=1")),
        "--seed", str(SIM_SEED),
        "--start", start.isoformat(),
        "--duration", f"{hours}h",
        "--speedup", str(speedup),
        "--cn", "2051,2061,2031",
        "--min-interval", "1",
        "--port", str(GATEWAY_PORT),
    ]  # fmt: skip


def _feed_and_detect(
    live: Runtime, env: dict[str, str], start: datetime, stop: threading.Event, console: Console
) -> None:
    """Backfill the loggers' history fast, run the detectors once, then send live data."""
    log_dir = Path(env.get("ECO263_DATA_DIR", "var")) / "logs"
    clean_days = HISTORY_DAYS - ONSET_DAYS_AGO
    phases = (
        ("simulator-history", start - timedelta(days=HISTORY_DAYS), clean_days, False),
        ("simulator-onset", start - timedelta(days=ONSET_DAYS_AGO), ONSET_DAYS_AGO, True),
    )
    for name, begin, days, scenarios in phases:
        args = simulator_args(begin, days, 0, scenarios=scenarios)
        _spawn(name, args, env, log_dir, console).wait()
    report = detect_recent(live, live.clock.now())
    console.print(f"监测数据已回补；报警：{dict(report.alarms) or '无'}")
    if stop.is_set():
        return
    current = _spawn("simulator-live", simulator_args(start, 1, 1), env, log_dir, console)
    stop.wait()
    current.terminate()


def _banner(console: Console, host: str, port: int, stories: int, clues: int, now: str) -> None:
    console.print(f"[bold green]演示已就绪[/bold green]：http://{host}:{port}/ （API 文档 /docs）")
    console.print(
        f"演示时间从 {now} 开始流动；台账 {stories} 条，红牌线索 {clues} 条；"
        f"HJ 212 网关 127.0.0.1:{GATEWAY_PORT}，"
        f"模拟数采仪 {len(LOGGERS)} 台（含昆山稀释采样案例），"
        f"智慧监督参考接收端 127.0.0.1:{RECEIVER_PORT}。"
    )
    table = Table("用户名", "角色", title=f"演示账号（口令均为 {DEMO_PASSWORD}）")
    for username, role in (
        ("city", "市263办"),
        ("kunshan", "昆山市263办"),
        ("ks_epb", "昆山市环保局"),
        ("wujiang", "吴江区263办"),
        ("gusu_water", "姑苏区水务局"),
        ("gaoxin", "高新区263办（信访、带案下访）"),
        ("snd_epb", "高新区环保局"),
        ("jiwei", "市纪委监委"),
        ("leader", "领导（只读）"),
        ("yld", "企业：依利安达"),
    ):
        table.add_row(username, role)
    console.print(table)
