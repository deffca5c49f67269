"""``eco263 audit verify [--against FILE] | export`` (mounted in eco263/cli.py).

Exit codes of ``verify`` (docs/audit-chain.md): 0 the chain is intact and every witness
matches; 1 the chain is broken or a witness does not match; 2 the witness file cannot be
used (missing, not UTF-8, a bad line — named).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from sqlalchemy.orm import Session

from eco263.audit.export import count_from, export_lines
from eco263.audit.service import verify_chain
from eco263.audit.witness import (
    BadWitnessFile,
    Witness,
    WitnessReport,
    check_witnesses,
    read_witnesses,
)
from eco263.config import get_settings
from eco263.db import make_engine, make_session_factory

audit_app = typer.Typer(help="审计链：校验、与外部见证比对、导出", no_args_is_help=True)
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

#: Chains shorter than this export without a progress bar.
PROGRESS_FROM = 10_000
_SHOWN_MISMATCHES = 20


@contextmanager
def _session() -> Iterator[Session]:
    engine = make_engine(get_settings().database_url)
    try:
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


@audit_app.command("verify")
def verify(
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            help="外部见证文件（JSON 行，如 `eco263 supervision-receiver heads` 的输出）",
        ),
    ] = None,
) -> None:
    """校验审计哈希链；给出 --against 时再与智慧监督平台收到的链头逐一比对。

    退出码：0 完好且见证全部一致；1 链被改动或见证不符（指出序号）；2 见证文件无法使用。
    """
    witnesses = _read(against) if against is not None else None
    with _session() as session:
        report = verify_chain(session)
        witnessed = check_witnesses(session, witnesses) if witnesses else None
    if report.ok:
        console.print(f"审计链完好：{report.checked} 条事件，链头 {report.head_hash[:16]}…")
    else:
        err.print(f"[red]审计链异常：第 {report.first_bad_seq} 号事件 — {report.reason}[/red]")
    if witnessed is not None:
        _print_witnesses(witnessed)
    if not report.ok or (witnessed is not None and not witnessed.ok):
        raise typer.Exit(1)


def _read(path: Path) -> list[Witness]:
    try:
        with path.open(encoding="utf-8") as handle:
            return read_witnesses(handle)
    except OSError as exc:
        err.print(f"[red]无法读取见证文件 {path}：{exc.strerror or exc}[/red]")
    except UnicodeDecodeError:
        err.print(f"[red]见证文件 {path} 不是 UTF-8 文本[/red]")
    except BadWitnessFile as exc:
        err.print(f"[red]{exc.message}[/red]")
    raise typer.Exit(2)


def _print_witnesses(report: WitnessReport) -> None:
    if report.ok:
        console.print(
            f"外部见证一致：{report.witnessed} 个（序号，哈希）见证，来自 {report.clues} 条线索，"
            "与本地事件逐一相符"
        )
        return
    err.print(
        f"[red]外部见证不符：{len(report.mismatches)} 处（共 {report.witnessed} 个见证，"
        f"{len(report.matched)} 个相符）[/red]"
    )
    for m in report.mismatches[:_SHOWN_MISMATCHES]:
        found = m.found or "（本地无此事件）"
        clues = "、".join(sorted({str(w.clue_id) for w in m.witnesses if w.clue_id is not None}))
        source = f"线索 {clues}" if clues else f"见证文件第 {m.witnesses[0].line} 行"
        when = m.witnesses[0].received_at
        err.print(
            f"  第 {m.seq} 号事件：见证哈希 {m.expected}，本地 {found}"
            f"（{source}{'，接收于 ' + when if when else ''}）"
        )
    if len(report.mismatches) > _SHOWN_MISMATCHES:
        err.print(f"  …另有 {len(report.mismatches) - _SHOWN_MISMATCHES} 处")
    first = report.mismatches[0].seq
    err.print(
        f"[red]第 {report.intact_up_to} 号及以前的事件与外部见证一致；"
        f"改写始于第 {report.intact_up_to + 1}–{first} 号之间[/red]"
    )


@audit_app.command("export")
def export(
    from_seq: Annotated[int, typer.Option("--from", min=1, help="从该序号起导出")] = 1,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="写入文件（默认标准输出）")
    ] = None,
) -> None:
    """把审计链导出为 JSON 行：每行一个事件，含全部参与哈希的字段、prev_hash 与 hash。"""
    try:
        target: TextIO = output.open("w", encoding="utf-8", newline="\n") if output else sys.stdout
    except OSError as exc:
        err.print(f"[red]无法写入 {output}：{exc.strerror or exc}[/red]")
        raise typer.Exit(2) from exc
    written = 0
    try:
        with _session() as session:
            total = count_from(session, from_seq)
            show = err.is_terminal and total >= PROGRESS_FROM
            with _progress(show) as progress:
                task = progress.add_task("导出审计链", total=total)
                for line in export_lines(session, from_seq=from_seq):
                    target.write(line + "\n")
                    written += 1
                    if written % 1000 == 0:
                        progress.update(task, completed=written)
    finally:
        if output:
            target.close()
    if output:
        err.print(f"已导出 {written} 条事件到 {output}")


def _progress(show: bool) -> Progress:
    return Progress(
        "{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not show,
    )
