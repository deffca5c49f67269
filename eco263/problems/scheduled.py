"""The escalation sweep (临期 → 逾期 → 黄牌 → 红牌 + 线索).

Idempotent and safe to run concurrently: each row is claimed with a conditional
UPDATE (``escalation = <value read>``) and only the rows the UPDATE returns are
audited and escalated, so a second sweep, or a simultaneous one, finds nothing
left to do for them.  Each batch is its own transaction.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Row, and_, or_, select, update
from sqlalchemy.orm import Session

from eco263.actor import SYSTEM
from eco263.clock import local_date
from eco263.context import Change, Ctx
from eco263.problems import rules
from eco263.problems.enums import ESCALATION_LABELS, AssignmentState, AuditAction, Escalation
from eco263.problems.events import (
    AssignmentFacts,
    AssignmentsEscalated,
    Escalated,
    RedCard,
    RedCardsRaised,
)
from eco263.problems.models import Assignment, Problem
from eco263.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SweepReport:
    examined: int = 0
    raised: Counter[str] = field(default_factory=Counter)
    red_cards: int = 0
    batches: int = 0


_Candidate = Row[int, int, int, int, date]


def sweep(
    rt: Runtime,
    *,
    now: datetime,
    batch_size: int = 2000,
    on_batch: Callable[[int], None] | None = None,
) -> SweepReport:
    """Raise every open assignment to the level its deadline has reached on ``now``'s date."""
    today = local_date(now)
    policy = rules.load_escalation_policy()
    cutoffs = rules.escalation_cutoffs(today, rt.calendar, policy)
    report = SweepReport()
    last_id = 0
    while True:
        with rt.sessions() as session, session.begin():
            rows = _candidates(session, cutoffs, last_id, batch_size)
            if not rows:
                break
            ctx = rt.context(session, SYSTEM, now=now)
            _escalate_batch(ctx, rows, cutoffs, policy, report)
        last_id = rows[-1].id
        report.examined += len(rows)
        report.batches += 1
        if on_batch:
            on_batch(len(rows))
    log.info("sweep done", extra={"examined": report.examined, "raised": dict(report.raised)})
    return report


def _candidates(
    session: Session, cutoffs: rules.EscalationCutoffs, last_id: int, limit: int
) -> list[_Candidate]:
    """Open assignments whose deadline has reached a level above the one they are at."""
    reached = [
        and_(Assignment.due_date <= due, Assignment.escalation < int(level))
        for level, due in cutoffs.latest_due.items()
    ]
    if not reached:
        return []
    query = (
        select(
            Assignment.id,
            Assignment.problem_id,
            Assignment.organization_id,
            Assignment.escalation,
            Assignment.due_date,
        )
        .where(
            Assignment.state != AssignmentState.VERIFIED.value,
            Assignment.id > last_id,
            or_(*reached),
        )
        .order_by(Assignment.id)
        .limit(limit)
    )
    return list(session.execute(query).all())


def _escalate_batch(
    ctx: Ctx,
    rows: list[_Candidate],
    cutoffs: rules.EscalationCutoffs,
    policy: rules.EscalationPolicy,
    report: SweepReport,
) -> None:
    groups: dict[tuple[int, int], list[_Candidate]] = defaultdict(list)
    for row in rows:
        target = int(cutoffs.level_for(row.due_date))
        if target > row.escalation:
            groups[(row.escalation, target)].append(row)
    changes: list[Change] = []
    reds: list[_Candidate] = []
    raised: list[Escalated] = []
    for (old, new), members in groups.items():
        claimed = set(_claim(ctx.session, [m.id for m in members], old, new))
        for m in members:
            if m.id not in claimed:
                continue
            changes.append(_change(m, old, new))
            raised.append(
                Escalated(AssignmentFacts(m.id, m.problem_id, m.organization_id), new, m.due_date)
            )
            report.raised[ESCALATION_LABELS[Escalation(new)]] += 1
            if new == Escalation.RED:
                reds.append(m)
        _raise_problems(ctx.session, {m.problem_id for m in members if m.id in claimed}, new)
    ctx.audit_many(changes)
    if raised:
        ctx.announce(AssignmentsEscalated(tuple(raised)))
    if reds:
        report.red_cards += len(reds)
        cards = tuple(
            RedCard(AssignmentFacts(r.id, r.problem_id, r.organization_id), r.due_date)
            for r in reds
        )
        ctx.announce(RedCardsRaised(cards, policy.red_card_duty_failure))


def _claim(session: Session, ids: list[int], old: int, new: int) -> list[int]:
    result = session.execute(
        update(Assignment)
        .where(Assignment.id.in_(ids), Assignment.escalation == old)
        .values(escalation=new, version=Assignment.version + 1)
        .returning(Assignment.id)
        .execution_options(synchronize_session=False)
    )
    return list(result.scalars())


def _raise_problems(session: Session, problem_ids: set[int], level: int) -> None:
    if problem_ids:
        session.execute(
            update(Problem)
            .where(Problem.id.in_(problem_ids), Problem.escalation < level)
            .values(escalation=level)
            .execution_options(synchronize_session=False)
        )


def _change(row: _Candidate, old: int, new: int) -> Change:
    return Change(
        None,
        SYSTEM.name,
        AuditAction.ESCALATE.value,
        "problem",
        str(row.problem_id),
        {"assignment_id": row.id, "escalation": old},
        {
            "assignment_id": row.id,
            "escalation": new,
            "label": ESCALATION_LABELS[Escalation(new)],
            "due_date": row.due_date,
        },
    )
