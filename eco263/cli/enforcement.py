"""``eco263 enforcement export CASE_ID --output DIR_OR_ZIP --as USER``: a case's whole file."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from eco263.auth.service import actor_for_username
from eco263.clock import FixedClock, local_date, parse_now
from eco263.config import get_settings
from eco263.enforcement.export import MANIFEST, export_case
from eco263.errors import DomainError
from eco263.evidence.store import BlobStore
from eco263.wiring import build_runtime

enforcement_app = typer.Typer(help="行政处罚案件：导出案卷", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def _write(output: Path, files: dict[str, bytes]) -> None:
    """Into a ZIP when ``output`` ends in .zip, else into the folder (created if need be)."""
    if output.suffix.lower() == ".zip":
        output.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
        return
    if output.exists() and not output.is_dir():
        raise DomainError(f"输出位置 {output} 已存在且不是文件夹")
    for name, data in files.items():
        target = output / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@enforcement_app.command("export")
def export_command(
    case_id: Annotated[int, typer.Argument(help="案件编号")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="输出文件夹，或以 .zip 结尾的压缩包")
    ],
    as_user: Annotated[str, typer.Option("--as", help="以哪个用户导出（须能查阅该案件）")],
    now: Annotated[str | None, typer.Option("--now", help="以该时刻为“现在”（ISO 8601）")] = None,
) -> None:
    """导出案卷 PDF（末页附文件清单及校验值）、全部文书（PDF、DOCX）、证据文件和校验清单
    manifest.json（每个文件的 SHA-256）。"""
    settings = get_settings()
    try:
        clock = FixedClock(parse_now(now)) if now else None
    except ValueError as exc:
        err.print(str(exc))
        raise typer.Exit(2) from None
    rt = build_runtime(settings, clock)
    try:
        with rt.sessions() as session:
            actor = actor_for_username(session, as_user)
            at = rt.clock.now()
            result = export_case(
                session,
                actor,
                case_id,
                BlobStore(settings.attachments_path),
                local_date(at),
                at,
            )
        _write(output, result.files)
    except DomainError as exc:
        err.print(f"导出失败：{exc.message}")
        raise typer.Exit(1) from None
    except OSError as exc:
        err.print(f"导出失败：无法写入 {output}（{exc.strerror or exc}）")
        raise typer.Exit(1) from None
    finally:
        rt.engine.dispose()
    console.print(
        f"已导出案件 {result.number}：{len(result.entries)} 个文件及 {MANIFEST}，至 {output}"
    )
