"""``eco263 detect``: run the monitoring detectors over a file of readings (issue 4).

A thin adapter: parse options, call :func:`eco263.monitoring.detectors.run.detect_file`, show a
progress bar on large inputs and a summary in Chinese.  Bad input never ends in a traceback:
every expected failure is an ``InputError`` / ``ConfigError`` / ``UnknownRuleError`` with a
message that says what to fix (exit code 2).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Task as ProgressTask
from rich.text import Text

from eco263.monitoring.detectors import ConfigError, UnknownRuleError, load_config, parse_rules
from eco263.monitoring.detectors.run import InputError, Report, detect_file, read_limits
from eco263.monitoring.detectors.schedule import ScheduleError, load_schedule_file

err = Console(stderr=True)
LARGE_BYTES = 50 << 20

RULE_NAMES = {
    "exceedance": "超标",
    "missing_data": "数据缺失",
    "flag_abuse": "标记滥用",
    "dilution": "稀释",
    "flatline": "恒值",
    "replay": "数据复制",
    "pinning": "限值下压",
    "parameter_edit": "参数篡改",
    "aggregate_mismatch": "小时/日值不符",
    "clock": "时钟异常",
}


class RowsColumn(ProgressColumn):
    """``done/total 行``, or ``done 行`` while the total is not known yet (a CSV is counted
    as it is read, so the reading stage has no total)."""

    def render(self, task: ProgressTask) -> Text:
        done = f"{task.completed:,.0f}"
        if task.total is None:
            return Text(f"{done} 行")
        return Text(f"{done}/{task.total:,.0f} 行")


def detect(
    input: Annotated[
        Path,
        typer.Option(
            "--input", "-i", help="监测数据：CSV 或 Parquet，长表 mn,time,pollutant,value,flag"
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="报警输出（JSON lines，每行一条）")
    ],
    limits: Annotated[
        Path | None,
        typer.Option("--limits", help="限值 CSV：mn,pollutant,limit,unit[,standard,basis]"),
    ] = None,
    rules: Annotated[
        str | None, typer.Option("--rules", help="只运行这些规则，逗号分隔（默认全部）")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask 调度器地址，如 tcp://10.0.0.5:8786")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="本机 Dask 进程数（大文件默认 2）")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="阈值配置 YAML（默认 eco263/data/detectors.yaml）"),
    ] = None,
    schedule: Annotated[
        Path | None,
        typer.Option(
            "--schedule",
            help="生产日历 YAML：各监测点的工作日历、班次与计划停产（默认按国家法定工作日）",
        ),
    ] = None,
) -> None:
    """检测监测数据中的超标、数据质量问题与造假（稀释、恒值、复制、限值下压、参数篡改、时钟等）。

    时间为 ISO 8601；不带时区的按北京时间。flag 缺省为 N；w00000 为流量。
    可选列 cn（2051 分钟 / 2061 小时 / 2031 日）与 received（平台接收时间）用于核对小时/日值与时钟。
    """
    logging.getLogger("distributed").setLevel(logging.WARNING)  # cluster chatter is not for users
    try:
        cfg = load_config(config)
        wanted = parse_rules(rules)
        table = read_limits(limits)
        book = load_schedule_file(schedule, cfg.timezone) if schedule else None
        if output.exists() and output.is_dir():
            raise InputError(f"输出路径是目录：{output}")
        if not output.parent.exists():
            raise InputError(f"输出目录不存在：{output.parent}")
        large = input.exists() and input.stat().st_size > LARGE_BYTES
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            RowsColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not large,
        ) as bar:
            ids: dict[str, TaskID] = {}

            def on_progress(stage: str, done: int, total: int) -> None:
                label = "读取并分区" if stage == "read" else "检测"
                if stage not in ids:
                    ids[stage] = bar.add_task(label, total=total or None)
                bar.update(ids[stage], completed=done, total=total or None)

            report = detect_file(
                input,
                output,
                limits=table,
                rules=wanted,
                config=cfg,
                schedules=book,
                scheduler=scheduler,
                workers=workers,
                on_progress=on_progress,
            )
    except (InputError, ConfigError, UnknownRuleError, ScheduleError) as exc:
        err.print(f"[red]错误：{exc}[/red]")
        raise typer.Exit(2) from exc
    except OSError as exc:
        err.print(f"[red]错误：读写文件失败：{exc}[/red]")
        raise typer.Exit(2) from exc
    except Exception as exc:  # a bug or a lost cluster: say so plainly, no traceback
        err.print(f"[red]检测失败（内部错误，请报告）：{type(exc).__name__}: {exc}[/red]")
        raise typer.Exit(1) from exc
    _summary(report, output)


def _summary(report: Report, output: Path) -> None:
    iss = report.issues
    dropped = iss.bad_time + iss.no_mn + iss.bad_code
    if iss.bad_time:
        err.print(f"[yellow]警告：{iss.bad_time} 行时间无法解析，已跳过[/yellow]")
    if iss.no_mn:
        err.print(f"[yellow]警告：{iss.no_mn} 行缺少 mn，已跳过[/yellow]")
    if iss.bad_code:
        err.print(f"[yellow]警告：{iss.bad_code} 行污染物代码无效，已跳过[/yellow]")
    if iss.unknown_codes:
        codes = "、".join(sorted(iss.unknown_codes)[:10])
        err.print(
            f"[yellow]提示：以下污染物代码不在 HJ 212 常用代码表中，按原样分析：{codes}[/yellow]"
        )
    parts = "，".join(f"{RULE_NAMES.get(k, k)} {v}" for k, v in sorted(report.by_rule.items()))
    err.print(
        f"读取 {iss.rows_read:,} 行（跳过 {dropped:,} 行），监测点 {report.points} 个，"
        f"报警 {report.alarms} 条（每条为一起事件，由 {report.rule_alarms} 次规则报警合并）"
        f"{('：' + parts) if parts else ''}；运行方式：{report.mode}；"
        f"输出 {output}"
    )
