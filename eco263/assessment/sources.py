"""Where an indicator's facts come from: a registry, source key → a small function over the
domains' service reads.  A domain built later adds its source here (``SOURCES[key] = …``)
without touching the scoring rules.

Each function returns ``(division_code, fact)`` pairs for a period; the division is the
record's own, mapped to the scored division by the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from eco263.actor import Actor
from eco263.assessment.rules import HIT, MISS, PENDING, Fact, Period
from eco263.clock import local_date
from eco263.problems.enums import Escalation, ProblemState, Source
from eco263.problems.period import PeriodProblem, period_problems
from eco263.supervision.service import clues

Located = list[tuple[str, Fact]]
SourceFn = Callable[[Session, Actor, Period, date], Located]


@dataclass(frozen=True, slots=True)
class SourceDef:
    key: str
    label: str
    run: SourceFn


def _fact(p: PeriodProblem, outcome: str) -> tuple[str, Fact]:
    label = f"问题 #{p.id} {p.title}"
    return p.division_code, Fact("problem", p.id, label, outcome, p.due_date, f"/problems/{p.id}")


def _timeliness(p: PeriodProblem, today: date) -> str:
    if p.state == ProblemState.CLOSED.value and p.closed_at is not None:
        return HIT if local_date(p.closed_at) <= p.due_date else MISS
    return MISS if p.due_date < today else PENDING


def _due_in(period: Period, p: PeriodProblem) -> bool:
    return period.start <= p.due_date <= period.end


def on_time(session: Session, actor: Actor, period: Period, today: date) -> Located:
    """问题按期办结：due in the period; closed by its deadline, late, or still open."""
    rows = period_problems(session, actor, period.start, period.end)
    return [_fact(p, _timeliness(p, today)) for p in rows if _due_in(period, p)]


def overdue(session: Session, actor: Actor, period: Period, today: date) -> Located:
    """逾期未办结/逾期办结：each problem due in the period that missed its deadline."""
    facts = on_time(session, actor, period, today)
    return [(d, f) for d, f in facts if f.outcome != HIT]


def red_cards(session: Session, actor: Actor, period: Period, _today: date) -> Located:
    """红牌：problems of the period escalated to a red card."""
    rows = period_problems(session, actor, period.start, period.end)
    return [_fact(p, MISS) for p in rows if p.escalation >= Escalation.RED]


def _found_in(period: Period, p: PeriodProblem) -> bool:
    return period.start <= p.found_on <= period.end


def media(session: Session, actor: Actor, period: Period, _today: date) -> Located:
    """媒体曝光：each problem exposed by the media in the period."""
    rows = period_problems(session, actor, period.start, period.end)
    return [_fact(p, MISS) for p in rows if p.source == Source.MEDIA and _found_in(period, p)]


def petitions_overdue(session: Session, actor: Actor, period: Period, today: date) -> Located:
    """信访件逾期：petitions due in the period that missed (or may miss) their deadline."""
    rows = period_problems(session, actor, period.start, period.end)
    petitions = [p for p in rows if p.source == Source.PETITION and _due_in(period, p)]
    facts = [_fact(p, _timeliness(p, today)) for p in petitions]
    return [(d, f) for d, f in facts if f.outcome != HIT]


def closed(session: Session, actor: Actor, period: Period, today: date) -> Located:
    """加分：problems of the period closed on time."""
    return [(d, f) for d, f in on_time(session, actor, period, today) if f.outcome == HIT]


def supervision_clues(session: Session, actor: Actor, period: Period, _today: date) -> Located:
    """履职问题线索：clues on the division's units generated in the period."""
    items, _ = clues.list_clues(session, actor, limit=100_000)
    out: Located = []
    for c in items:
        if period.start <= local_date(c.created_at) <= period.end:
            fact = Fact(
                "clue",
                c.id,
                f"线索 #{c.id} {c.summary[:40]}",
                MISS,
                None,
                f"/supervision/clues/{c.id}",
            )
            out.append((c.division_code, fact))
    return out


SOURCES: dict[str, SourceDef] = {
    s.key: s
    for s in (
        SourceDef("ledger.on_time", "问题按期办结率", on_time),
        SourceDef("ledger.overdue", "问题逾期", overdue),
        SourceDef("ledger.red_card", "红牌督办", red_cards),
        SourceDef("ledger.media", "媒体曝光", media),
        SourceDef("ledger.petition_overdue", "信访件逾期", petitions_overdue),
        SourceDef("ledger.closed_on_time", "按期销号", closed),
        SourceDef("supervision.clue", "智慧监督线索", supervision_clues),
    )
}
