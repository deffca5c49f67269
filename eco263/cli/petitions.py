"""``eco263 petitions import FILE --mapping …``: 12345/12369 exports into the 信访 register."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from eco263.auth.service import actor_for_username
from eco263.clock import FixedClock, parse_now
from eco263.config import get_settings
from eco263.errors import DomainError
from eco263.petitions.enums import Channel
from eco263.petitions.importer import FIELDS, do_import, parse_mapping, read_table
from eco263.wiring import build_runtime

petitions_app = typer.Typer(help="信访：导入 12345/12369 工单", no_args_is_help=True)
console = Console()
err = Console(stderr=True)

_FIELDS_HELP = "；".join(f"{k}={v}" for k, v in FIELDS.items())


@petitions_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="导出的工单文件（xlsx 或 csv）")],
    mapping: Annotated[
        str,
        typer.Option("--mapping", help=f"列映射：字段=列名,… 或 YAML 文件。字段：{_FIELDS_HELP}"),
    ],
    hotline: Annotated[str, typer.Option("--hotline", help="热线：12345 或 12369")] = "12345",
    as_user: Annotated[str, typer.Option("--as", help="以哪个用户登记（须为263办）")] = "city",
    division: Annotated[
        str | None, typer.Option("--division", help="文件无区县列时的默认区县代码")
    ] = None,
    now: Annotated[str | None, typer.Option("--now", help="以该时刻为“现在”（ISO 8601）")] = None,
) -> None:
    """导入热线工单；按工单编号去重，重复导入不会重复登记。"""
    settings = get_settings()
    clock = FixedClock(parse_now(now)) if now else None
    rt = build_runtime(settings, clock)
    try:
        columns = parse_mapping(mapping)
        rows = read_table(file)
        channel = Channel(hotline) if hotline in {"12345", "12369"} else None
        if channel is None:
            err.print("热线只能是 12345 或 12369")
            raise typer.Exit(2)
        with rt.sessions() as session:
            actor = actor_for_username(session, as_user)
        with (
            Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=err,
                transient=True,
            ) as bar,
            rt.unit_of_work(actor) as ctx,
        ):
            task = bar.add_task("导入工单", total=len(rows))
            result = do_import(
                ctx,
                rows,
                columns,
                channel=channel,
                division=division,
                progress=lambda i: bar.update(task, completed=i),
            )
    except DomainError as exc:
        err.print(f"导入失败：{exc.message}")
        raise typer.Exit(1) from None
    finally:
        rt.engine.dispose()
    console.print(f"新登记 {result.created} 件，已存在跳过 {result.skipped} 件")
