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
from eco263.inquiries import rules as inquiry_rules
from eco263.inquiries import service as inquiries
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


def days_left(ctx: Ctx, due: date) -> int | None:
    """Working days from today to ``due`` (None outside the calendar)."""
    return _left(ctx, due)


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


def inquiries_source(ctx: Ctx) -> list[Item]:
    """待答复的询问 (a department's own questions) and 报告临期/报告逾期 (the offices' and
    leaders' pending handling reports within 10 working days of their deadline or past it)."""
    items = [
        Item("待答复的询问", f"{name}：{q.topic}（{q.asker}）", f"/inquiries/{q.sitting_id}")
        for q, name in inquiries.unanswered_for(ctx.session, ctx.actor)
    ]
    for sitting in inquiries.reports_pending(ctx.session, ctx.actor):
        assert sitting.report_due is not None  # noqa: S101 - pending means received
        left = _left(ctx, sitting.report_due)
        kind = inquiry_rules.due_kind(left)
        if kind is not None:
            title = f"{sitting.session_name}：{sitting.theme}专题询问审议意见落实情况报告"
            items.append(Item(kind, title, f"/inquiries/{sitting.id}", sitting.report_due, left))
    return items


register("problems", problems_source)
register("alarms", alarms_source)
register("clues", clues_source)
register("inquiries", inquiries_source)


def waiting(ctx: Ctx) -> list[Item]:
    """Every source's items, the most urgent first (fewest working days left; undated last)."""
    items = [item for source in SOURCES.values() for item in source(ctx)]
    return sorted(
        items,
        key=lambda i: (i.workdays_left is None, i.workdays_left or 0, i.kind, i.title),
    )
