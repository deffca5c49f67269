"""The registry of "what waits for me" sources: one function per domain, read-only.

A source takes the reader's context and returns its items; the shell registers them
(:func:`register`, see ``eco263/wiring.py``), so a new domain adds its own source without
editing this package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from eco263.context import Ctx
from eco263.problems import service as problems
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
    """待签收, 待整改 (with working days left), 待核查, 延期待批 from the ledger."""
    return [
        Item(w.kind, w.title, f"/problems/{w.problem_id}", w.due_date, _left(ctx, w.due_date))
        for w in problems.waiting_for(ctx.session, ctx.actor)
    ]


register("problems", problems_source)


def waiting(ctx: Ctx) -> list[Item]:
    """Every source's items, the most urgent first (fewest working days left; undated last)."""
    items = [item for source in SOURCES.values() for item in source(ctx)]
    return sorted(
        items,
        key=lambda i: (i.workdays_left is None, i.workdays_left or 0, i.kind, i.title),
    )
