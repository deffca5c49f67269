"""``eco263 assess``: compute (and store) the scores, explain a division; ``eco263 assess
scheme import|export|activate|list``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from eco263.actor import SYSTEM
from eco263.assessment import actions, service
from eco263.assessment.enums import LEVEL_LABELS, SCHEME_STATE_LABELS, Level, SchemeState
from eco263.clock import FixedClock, parse_now
from eco263.config import get_settings
from eco263.errors import DomainError
from eco263.wiring import build_runtime

assess_app = typer.Typer(help="263 考核：方案、得分与逐项说明")
scheme_app = typer.Typer(help="考核方案（YAML 导入导出、启用）", no_args_is_help=True)
assess_app.add_typer(scheme_app, name="scheme")
province_app = typer.Typer(help="省公布的设区市考核得分（CSV 或 YAML 导入）", no_args_is_help=True)
assess_app.add_typer(province_app, name="province")
console = Console()
err = Console(stderr=True)

OUTCOMES = {"hit": "得分", "miss": "失分", "pending": "未到期"}


def _fail(exc: DomainError) -> typer.Exit:
    err.print(f"[red]{exc.message}[/red]")
    return typer.Exit(2)


@assess_app.callback(invoke_without_command=True)
def assess(
    context: typer.Context,
    scheme: Annotated[int | None, typer.Option("--scheme", help="考核方案编号")] = None,
    period: Annotated[str | None, typer.Option("--period", help="2018、2018-04 或 2018Q2")] = None,
    explain: Annotated[
        str | None, typer.Option("--explain", help="列出该地区每项指标得失分的记录")
    ] = None,
    now: Annotated[
        str | None, typer.Option("--now", help="以该时刻为“现在”（ISO 8601，无时区按北京时间）")
    ] = None,
) -> None:
    """按方案计算各地区某期间的考核得分并保存；--explain 逐项说明。"""
    if context.invoked_subcommand is not None:
        return
    if scheme is None or period is None:
        err.print("[red]请给出 --scheme 与 --period[/red]")
        raise typer.Exit(2)
    try:
        clock = FixedClock(parse_now(now)) if now else None
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    rt = build_runtime(get_settings(), clock)
    try:
        with rt.unit_of_work(SYSTEM) as ctx:
            computed = actions.do_compute_scores(ctx, scheme, period)
            names = {s.code: s.name for s in service.scored_divisions(ctx.session)}
    except DomainError as exc:
        raise _fail(exc) from exc
    table = Table("名次", "地区", "得分", title=f"{computed.period.label} 考核得分")
    for position, score in computed.ranked:
        table.add_row(str(position), names.get(score.division_code, ""), f"{score.total:.2f}")
    console.print(table)
    if explain:
        found = [
            s
            for _, s in computed.ranked
            if explain in (s.division_code, names.get(s.division_code))
        ]
        if not found:
            err.print(f"[red]没有地区 {explain} 的得分[/red]")
            raise typer.Exit(2)
        for ind in found[0].indicators:
            console.print(
                f"[bold]{ind.name}[/bold]（权重 {ind.weight:g}）：{ind.points:.2f} 分，{ind.basis}"
            )
            for effect in ind.effects:
                sign = f"{effect.points:+.2f}" if effect.points else " 0.00"
                outcome = OUTCOMES.get(effect.fact.outcome, "")
                console.print(f"  {sign}  {outcome}  {effect.fact.label}  {effect.fact.link}")


@scheme_app.command("import")
def import_scheme(path: Path) -> None:
    """导入考核方案 YAML（成为该年度该层级的新版本草稿）。"""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"[red]无法读取文件 {path}[/red]")
        raise typer.Exit(2) from exc
    rt = build_runtime(get_settings())
    try:
        with rt.unit_of_work(SYSTEM) as ctx:
            scheme = actions.do_import_scheme(ctx, text)
            console.print(
                f"已导入考核方案 #{scheme.id}（{scheme.year} 年第 {scheme.version} 版，草稿）"
            )
    except DomainError as exc:
        raise _fail(exc) from exc


@scheme_app.command("export")
def export_scheme(
    scheme: int, output: Annotated[Path | None, typer.Option("--output")] = None
) -> None:
    """导出考核方案为 YAML（不给 --output 时打印）。"""
    rt = build_runtime(get_settings())
    try:
        with rt.sessions() as session:
            text = service.scheme_yaml(service.get_scheme(session, scheme))
    except DomainError as exc:
        raise _fail(exc) from exc
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, encoding="utf-8")


@scheme_app.command("activate")
def activate(scheme: int) -> None:
    """启用考核方案草稿（同年度同层级的在用版本被取代）。"""
    rt = build_runtime(get_settings())
    try:
        with rt.unit_of_work(SYSTEM) as ctx:
            actions.do_activate_scheme(ctx, scheme)
    except DomainError as exc:
        raise _fail(exc) from exc
    console.print(f"考核方案 #{scheme} 已启用")


@scheme_app.command("list")
def list_schemes() -> None:
    """列出考核方案的各个版本。"""
    rt = build_runtime(get_settings())
    table = Table("编号", "年度", "层级", "版本", "名称", "状态")
    with rt.sessions() as session:
        for s in service.list_schemes(session):
            table.add_row(
                str(s.id),
                str(s.year),
                LEVEL_LABELS[Level(s.level)],
                str(s.version),
                s.title,
                SCHEME_STATE_LABELS[SchemeState(s.state)],
            )
    console.print(table)


@province_app.command("import")
def import_province(
    path: Path, year: Annotated[int, typer.Option("--year", help="考核年度，如 2017")]
) -> None:
    """导入省公布的设区市得分（城市、得分、名次；同一年度再次导入即替换）。"""
    fmt = {".csv": "csv", ".yaml": "yaml", ".yml": "yaml"}.get(path.suffix.lower())
    if fmt is None:
        err.print("[red]只能导入 .csv 或 .yaml 文件[/red]")
        raise typer.Exit(2)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"[red]无法读取文件 {path}[/red]")
        raise typer.Exit(2) from exc
    rt = build_runtime(get_settings())
    try:
        with rt.unit_of_work(SYSTEM) as ctx:
            rows = actions.do_import_province(ctx, year, text, fmt)
            console.print(f"已导入 {year} 年度省考核得分 {len(rows)} 个设区市")
    except DomainError as exc:
        raise _fail(exc) from exc
