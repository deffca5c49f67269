"""``eco263 bulletin render --issue N --output FILE.docx|FILE.pdf``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from eco263.actor import SYSTEM
from eco263.bulletin import service
from eco263.config import get_settings
from eco263.errors import DomainError
from eco263.wiring import build_runtime

bulletin_app = typer.Typer(help="工作动态：按 GB/T 9704 版式输出", no_args_is_help=True)
err = Console(stderr=True)


@bulletin_app.command("render")
def render(
    issue: Annotated[int, typer.Option("--issue", help="期号（第N期）")],
    output: Annotated[Path, typer.Option("--output", help="输出文件：.docx 或 .pdf")],
) -> None:
    """把第 N 期工作动态输出为 DOCX 或 PDF。"""
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("docx", "pdf"):
        err.print("[red]输出文件须以 .docx 或 .pdf 结尾[/red]")
        raise typer.Exit(2)
    rt = build_runtime(get_settings())
    try:
        with rt.sessions() as session:
            data = service.render(session, SYSTEM, issue, fmt)
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from exc
    finally:
        rt.engine.dispose()
    output.write_bytes(data)
    typer.echo(f"已输出第 {issue} 期工作动态：{output}（{len(data)} 字节）")
