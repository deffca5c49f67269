"""``eco263 demo``: build the embedded database, replay the story, run web + scheduler."""

from __future__ import annotations

import threading
from pathlib import Path

import uvicorn
from rich.console import Console
from rich.table import Table

from eco263 import migrate
from eco263.app import create_app
from eco263.audit.actions import ensure_head
from eco263.clock import FixedClock, OffsetClock, parse_now, set_clock
from eco263.config import get_settings
from eco263.demo import seed_story
from eco263.problems.scheduled import sweep
from eco263.scheduler.service import run_forever
from eco263.seed import DEMO_PASSWORD, seed_reference
from eco263.web.runtime import Runtime


def run_demo(*, now: str, port: int | None, fresh: bool, console: Console) -> None:
    settings = get_settings()
    if fresh and settings.database_url.startswith("sqlite:///"):
        db_file = settings.database_url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(db_file + suffix).unlink(missing_ok=True)
    migrate.upgrade(settings.database_url)
    start = parse_now(now)
    rt = Runtime.build(settings, FixedClock(start))
    with rt.unit_of_work() as ctx:
        ensure_head(ctx.session)
        seed_reference(ctx)
        stories = seed_story(ctx)
        seed_reference(ctx)
    report = sweep(rt.sessions, now=start, calendar=rt.calendar, settings=settings)
    clock = OffsetClock(start)
    set_clock(clock)
    live = Runtime.build(settings, clock)
    stop = threading.Event()
    threading.Thread(target=run_forever, args=(live, stop), daemon=True, name="scheduler").start()
    _banner(console, settings.host, port or settings.port, stories, report.clues, now)
    try:
        uvicorn.run(create_app(settings, clock), host=settings.host, port=port or settings.port)
    finally:
        stop.set()


def _banner(console: Console, host: str, port: int, stories: int, clues: int, now: str) -> None:
    console.print(f"[bold green]演示已就绪[/bold green]：http://{host}:{port}/ （API 文档 /docs）")
    console.print(f"演示时间从 {now} 开始流动；台账 {stories} 条，红牌线索 {clues} 条。")
    table = Table("用户名", "角色", title=f"演示账号（口令均为 {DEMO_PASSWORD}）")
    for username, role in (
        ("city", "市263办"),
        ("kunshan", "昆山市263办"),
        ("ks_epb", "昆山市环保局"),
        ("wujiang", "吴江区263办"),
        ("gusu_water", "姑苏区水务局"),
        ("snd_epb", "高新区环保局"),
        ("jiwei", "市纪委监委"),
        ("leader", "领导（只读）"),
        ("yld", "企业：依利安达"),
    ):
        table.add_row(username, role)
    console.print(table)
