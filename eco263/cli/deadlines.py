"""``eco263 deadlines list | due`` (the time-limit catalogue) and ``eco263 workdays recompute``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from eco263.actor import SYSTEM
from eco263.config import get_settings
from eco263.deadlines import UNIT_LABELS, Catalogue, DeadlineRuleError, load_catalogue
from eco263.problems import rules as ledger_rules
from eco263.problems.actions import Moved, do_recompute_deadlines
from eco263.runtime import Runtime
from eco263.workdays import CalendarRangeError, get_calendar

deadlines_app = typer.Typer(
    help="时限目录：每条时限的长度、单位、起算事件与依据", no_args_is_help=True
)
console = Console()
err = Console(stderr=True)
SHOWN = 50


def _catalogue_or_exit() -> Catalogue:
    try:
        catalogue = load_catalogue(get_settings().deadline_rules_file)
        ledger_rules.check_ledger_rules(catalogue)
    except DeadlineRuleError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    return catalogue


@deadlines_app.command("list")
def list_rules() -> None:
    """列出时限目录（含办公室自定义文件 ECO263_DEADLINE_RULES_FILE 的覆盖）。"""
    catalogue = _catalogue_or_exit()
    table = Table("事项", "时限", "起算", "依据", "可靠性")
    table.add_column("规则键", no_wrap=True)
    for rule in catalogue.rules.values():
        table.add_row(
            rule.title,
            f"{rule.n} {UNIT_LABELS[rule.unit]}",
            rule.runs_from,
            rule.basis,
            "已核实" if rule.certainty == "VERIFIED" else "待核实",
            rule.key,
        )
    console.print(table)


@deadlines_app.command("due")
def due(key: str, start: date) -> None:
    """按规则 KEY 计算自 START 起算的期限。

    例如 `eco263 deadlines due ledger.source.联合执法 2018-04-27` → 2018-05-09。
    """
    catalogue = _catalogue_or_exit()
    try:
        result = catalogue.due(key, start, get_calendar(get_settings().holidays_file))
    except (DeadlineRuleError, CalendarRangeError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    console.print(f"{result.due.isoformat()}：{result.reason}")


def recompute(rt: Runtime, *, dry_run: bool) -> list[Moved]:
    """Run the recompute as the system and print what moved (what would move)."""
    with rt.unit_of_work(SYSTEM) as ctx:
        moved = do_recompute_deadlines(ctx, dry_run=dry_run)
    table = Table("问题", "交办事项", "原期限", "新期限", "依据")
    for m in moved[:SHOWN]:
        unit = str(m.assignment_id) if m.assignment_id is not None else "（问题期限）"
        table.add_row(f"#{m.problem_id}", unit, m.old.isoformat(), m.new.isoformat(), m.reason)
    if moved:
        console.print(table)
    more = f"（仅列出前 {SHOWN} 项）" if len(moved) > SHOWN else ""
    verb = "将变化" if dry_run else "已变化并记入审计链"
    console.print(f"期限{verb} {len(moved)} 项{more}")
    return moved


def recompute_command(runtime: Runtime, dry_run: bool) -> None:
    try:
        recompute(runtime, dry_run=dry_run)
    except (DeadlineRuleError, CalendarRangeError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


DryRun = Annotated[bool, typer.Option("--dry-run", help="只列出将变化的期限，不写入")]
