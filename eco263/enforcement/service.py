"""Reads of penalty cases, always through the actor's scope.

A department reads the cases it runs; an office, the 纪委 and a leader the cases of their
division subtree; an enterprise never reads a case's internal record (it receives the documents
served on it, not the file).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from eco263.actor import Actor, Role
from eco263.enforcement.models import CaseExtension, CasePause, PenaltyCase
from eco263.enforcement.rules import Pause
from eco263.errors import NotFound
from eco263.registry.service import in_jurisdiction


def case_filter(actor: Actor) -> ColumnElement[bool]:
    if actor.is_system:
        return true()
    if actor.role == Role.ENTERPRISE:
        return false()
    if actor.role == Role.DEPARTMENT:
        if actor.organization_id is None:
            return false()
        return PenaltyCase.organization_id == actor.organization_id
    return in_jurisdiction(actor, PenaltyCase.division_code)


def get_case(session: Session, actor: Actor, case_id: int) -> PenaltyCase:
    """The case if it exists *and* the actor may read it; otherwise NotFound (404)."""
    found = session.scalar(select(PenaltyCase).where(PenaltyCase.id == case_id, case_filter(actor)))
    if found is None:
        raise NotFound("案件")
    return found


@dataclass(slots=True)
class CaseFilters:
    state: str | None = None
    division_code: str | None = None
    enterprise_id: int | None = None
    problem_id: int | None = None


def list_cases(
    session: Session, actor: Actor, filters: CaseFilters | None = None, *, limit: int = 200
) -> list[PenaltyCase]:
    f = filters or CaseFilters()
    query = select(PenaltyCase).where(case_filter(actor))
    if f.state:
        query = query.where(PenaltyCase.state == f.state)
    if f.division_code:
        query = query.where(PenaltyCase.division_code == f.division_code)
    if f.enterprise_id is not None:
        query = query.where(PenaltyCase.enterprise_id == f.enterprise_id)
    if f.problem_id is not None:
        query = query.where(PenaltyCase.problem_id == f.problem_id)
    return list(session.scalars(query.order_by(PenaltyCase.id.desc()).limit(limit)))


def pauses_of(session: Session, case_id: int) -> list[CasePause]:
    return list(
        session.scalars(
            select(CasePause).where(CasePause.case_id == case_id).order_by(CasePause.id)
        )
    )


def pause_periods(session: Session, case_id: int) -> list[Pause]:
    return [Pause(p.started_on, p.ended_on) for p in pauses_of(session, case_id)]


def open_pause(session: Session, case_id: int) -> CasePause | None:
    return session.scalar(
        select(CasePause).where(CasePause.case_id == case_id, CasePause.ended_on.is_(None))
    )


def extensions_of(session: Session, case_id: int) -> list[CaseExtension]:
    return list(
        session.scalars(
            select(CaseExtension).where(CaseExtension.case_id == case_id).order_by(CaseExtension.id)
        )
    )


def penalised_cases(session: Session, enterprise_id: int, since: date) -> list[PenaltyCase]:
    """Cases decided with a penalty on one enterprise since ``since`` (the 以罚代管 rule)."""
    return list(
        session.scalars(
            select(PenaltyCase).where(
                PenaltyCase.enterprise_id == enterprise_id,
                PenaltyCase.outcome == "penalty",
                PenaltyCase.decided_on >= since,
            )
        )
    )


def penalties_by_enterprise(session: Session, since: date) -> dict[int, list[PenaltyCase]]:
    """Every enterprise penalised at least twice since ``since``, with those cases in date
    order (the 以罚代管 job)."""
    cases = session.scalars(
        select(PenaltyCase)
        .where(
            PenaltyCase.enterprise_id.is_not(None),
            PenaltyCase.outcome == "penalty",
            PenaltyCase.decided_on >= since,
        )
        .order_by(PenaltyCase.enterprise_id, PenaltyCase.decided_on, PenaltyCase.id)
    )
    grouped: dict[int, list[PenaltyCase]] = {}
    for case in cases:
        grouped.setdefault(int(case.enterprise_id or 0), []).append(case)
    return {e: cs for e, cs in grouped.items() if len(cs) >= 2}
