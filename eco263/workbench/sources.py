"""The registry of "what waits for me" sources: one function per domain, read-only.

A source takes the reader's context and returns its items; the shell registers them
(:func:`register`, see ``eco263/wiring.py``), so a new domain adds its own source without
editing this package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from eco263.actor import Role
from eco263.alarms import service as alarm_service
from eco263.alarms.enums import AlarmState
from eco263.alarms.presenters import alarm_row
from eco263.context import Ctx
from eco263.monitoring import service as monitoring
from eco263.problems import service as problems
from eco263.supervision.enums import ClueState
from eco263.supervision.service import clues as clue_service
from eco263.workdays import CalendarRangeError


@dataclass(frozen=True, slots=True)
class Item:
    kind: str  # Chinese: 待签收, 待整改, …
    title: str
    href: str
    due_date: date | None = None
    workdays_left: int | None = None


Source = Callable[[Ctx], list[Item]]

SOURCES: dict[str, Source] = {}


def register(name: str, source: Source) -> None:
    """Add (or replace) a domain's source under ``name``."""
    SOURCES[name] = source


def _left(ctx: Ctx, due: date) -> int | None:
    try:
        return ctx.calendar.workdays_between(ctx.today, due)
    except CalendarRangeError:
        return None


def problems_source(ctx: Ctx) -> list[Item]:
    """待签收, 待整改 (with working days left), 待核查, 延期待批 from the ledger; an item
    pressed by the office says how often (已催办 N 次)."""
    return [
        Item(
            w.kind,
            w.title + (f"（已催办 {w.urge_count} 次）" if w.urge_count else ""),
            f"/problems/{w.problem_id}",
            w.due_date,
            _left(ctx, w.due_date),
        )
        for w in problems.waiting_for(ctx.session, ctx.actor)
    ]


def alarms_source(ctx: Ctx) -> list[Item]:
    """待确认报警: open alarms on the points of an office's area (the newest 50)."""
    if not ctx.actor.is_office:
        return []
    alarms = alarm_service.list_alarms(ctx.session, ctx.actor, 50, state=AlarmState.OPEN.value)
    points = monitoring.points_by_id(ctx.session, {a.point_id for a in alarms}) if alarms else {}
    rows = [alarm_row(a, points) for a in alarms]
    return [
        Item(
            "待确认报警",
            f"{r['point']}：{r['rule_label']}（{r['pollutant_label']}）",
            f"/alarms/{r['id']}",
        )
        for r in rows
    ]


def clues_source(ctx: Ctx) -> list[Item]:
    """待阅线索: the 纪委监委's clues not yet accepted (generated, delivered or received; the
    newest 200)."""
    if ctx.actor.role != Role.SUPERVISOR:
        return []
    waiting = {s.value for s in (ClueState.GENERATED, ClueState.DELIVERED, ClueState.RECEIVED)}
    return [
        Item("待阅线索", c.summary, f"/supervision/clues/{c.id}")
        for c in clue_service.recent_clues(ctx.session, ctx.actor, limit=200)
        if c.state in waiting
    ]


register("problems", problems_source)
register("alarms", alarms_source)
register("clues", clues_source)


def waiting(ctx: Ctx) -> list[Item]:
    """Every source's items, the most urgent first (fewest working days left; undated last)."""
    items = [item for source in SOURCES.values() for item in source(ctx)]
    return sorted(
        items,
        key=lambda i: (i.workdays_left is None, i.workdays_left or 0, i.kind, i.title),
    )
