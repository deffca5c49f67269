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
from eco263.enforcement import rules
from eco263.enforcement.enums import CaseState, DocKind, Outcome, PauseKind
from eco263.enforcement.models import (
    CaseEvidence,
    CaseExtension,
    CasePause,
    CaseRecord,
    PenaltyCase,
)
from eco263.enforcement.rules import Pause
from eco263.errors import NotFound
from eco263.registry.service import in_jurisdiction


def case_filter(actor: Actor) -> ColumnElement[bool]:
    if actor.is_system:
        return true()
    if actor.role in (Role.ENTERPRISE, Role.POLICE) or actor.enterprise_id is not None:
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


def next_moves(session: Session, case: PenaltyCase) -> list[str]:
    """The steps the case allows now (:func:`rules.next_moves` on its stored facts)."""
    return rules.next_moves(
        case.state,
        hearing_right=case.hearing_right,
        legal_review_pending=case.legal_review_required and case.legal_reviewed_by is None,
        pause_open=open_pause(session, case.id) is not None,
    )


@dataclass(frozen=True, slots=True)
class Waiting:
    """A case waiting for the reader (the 待办 workbench's source)."""

    kind: str
    title: str
    case_id: int
    due: date | None


def waiting_for(session: Session, actor: Actor, today: date) -> list[Waiting]:
    """待审批 for the head of an enforcing unit: the cases of its unit whose next step is an
    approval — never the cases the reader investigates (he may not approve them)."""
    if actor.role != Role.DEPARTMENT or actor.organization_id is None:
        return []
    open_states = [
        CaseState.CLUE.value,
        CaseState.INVESTIGATING.value,
        CaseState.REVIEWING.value,
        CaseState.NOTIFIED.value,
        CaseState.HEARING.value,
        CaseState.EXECUTED.value,
    ]
    cases = session.scalars(
        select(PenaltyCase)
        .where(
            PenaltyCase.organization_id == actor.organization_id,
            PenaltyCase.state.in_(open_states),
        )
        .order_by(PenaltyCase.id)
        .limit(500)
    )
    items: list[Waiting] = []
    for case in cases:
        if actor.user_id in (case.investigator_id, case.opened_by):
            continue
        what = _approval(case, today)
        if what is not None:
            items.append(Waiting("待审批", f"{what}：{case.title}", case.id, _due(case, what)))
        pending = [e for e in extensions_of(session, case.id) if e.state == "pending"]
        if pending:
            items.append(
                Waiting("待审批", f"延长办案期限：{case.title}", case.id, case.decision_due)
            )
    return items


def _approval(case: PenaltyCase, today: date) -> str | None:
    state = CaseState(case.state)
    if state == CaseState.CLUE:
        return "立案"
    if state == CaseState.REVIEWING and case.legal_review_required and not case.legal_reviewed_by:
        return "法制审核"
    if state == CaseState.NOTIFIED and case.statement_until and case.statement_until < today:
        return "处罚决定"  # a requested hearing keeps the case in HEARING until it is held
    if state == CaseState.EXECUTED:
        return "结案"
    return None


def _due(case: PenaltyCase, what: str) -> date | None:
    if what == "立案":
        return case.filing_due
    if what == "结案":
        return None
    return case.decision_due


def any_case(session: Session) -> bool:
    """Whether any penalty case exists (the demo replays its stories once)."""
    return session.scalar(select(PenaltyCase.id).limit(1)) is not None


def records_of(session: Session, case_id: int) -> list[CaseRecord]:
    """The case's on-site records (全过程记录), in the order they were made."""
    return list(
        session.scalars(
            select(CaseRecord)
            .where(CaseRecord.case_id == case_id)
            .order_by(CaseRecord.started_at, CaseRecord.id)
        )
    )


def evidence_of(session: Session, case_id: int) -> list[CaseEvidence]:
    """The case's evidence list (证据清单), in the order the items were collected."""
    return list(
        session.scalars(
            select(CaseEvidence)
            .where(CaseEvidence.case_id == case_id)
            .order_by(CaseEvidence.collected_at, CaseEvidence.id)
        )
    )


def get_evidence(session: Session, actor: Actor, case_id: int, evidence_id: int) -> CaseEvidence:
    """One evidence item of a case the actor may read; NotFound otherwise."""
    case = get_case(session, actor, case_id)
    item = session.get(CaseEvidence, evidence_id)
    if item is None or item.case_id != case.id:
        raise NotFound("证据")
    return item


def facts_of(case: PenaltyCase, transferred_on: date | None = None) -> rules.CaseFacts:
    return rules.CaseFacts(
        filed_on=case.filed_on,
        notified_on=case.notified_on,
        outcome=case.outcome,
        decided_on=case.decided_on,
        served_on=case.served_on,
        closed_on=case.closed_on,
        transferred_on=transferred_on,
    )


def transfer_of(session: Session, case: PenaltyCase) -> tuple[date, str] | None:
    """When the case went to the police and the transfer's reference: a transfer handed over
    (the clock's 移送 pause), else an ending 移送司法机关; None when it was not transferred."""
    pause = session.scalar(
        select(CasePause)
        .where(CasePause.case_id == case.id, CasePause.kind == PauseKind.TRANSFER.value)
        .order_by(CasePause.started_on, CasePause.id)
        .limit(1)
    )
    if pause is not None:
        return pause.started_on, pause.note.removeprefix("移送：")
    if case.outcome == Outcome.TRANSFER.value and case.decided_on is not None:
        return case.decided_on, ""
    return None


def full_facts(session: Session, case: PenaltyCase) -> rules.CaseFacts:
    """:func:`facts_of` with the transfer, which needs the case's pauses."""
    transfer = transfer_of(session, case)
    return facts_of(case, transfer[0] if transfer else None)


def is_party(actor: Actor) -> bool:
    """An enterprise user: the party concerned of its own cases, never an internal reader."""
    return actor.role == Role.ENTERPRISE or actor.enterprise_id is not None


def case_for_document(session: Session, actor: Actor, case_id: int, kind: DocKind) -> PenaltyCase:
    """The case whose document ``kind`` the actor asks for: an internal reader in scope reads
    any; the enterprise concerned only what it was served (告知书 once received, 决定书 once
    served) — anything else, like a case out of scope, is NotFound (404)."""
    if not is_party(actor):
        return get_case(session, actor, case_id)
    case = session.get(PenaltyCase, case_id)
    if (
        case is None
        or actor.enterprise_id is None
        or case.enterprise_id != actor.enterprise_id
        or rules.hidden_from_party(kind, facts_of(case))
    ):
        raise NotFound("文书")
    return case


def served_on_party(session: Session, actor: Actor) -> list[tuple[PenaltyCase, list[DocKind]]]:
    """The cases of the reader's enterprise with the documents served on it (newest first)."""
    if not is_party(actor) or actor.enterprise_id is None:
        return []
    cases = session.scalars(
        select(PenaltyCase)
        .where(
            PenaltyCase.enterprise_id == actor.enterprise_id,
            PenaltyCase.notified_on.is_not(None),
        )
        .order_by(PenaltyCase.id.desc())
        .limit(200)
    )
    served = []
    for case in cases:
        kinds = [k for k in DocKind if not rules.hidden_from_party(k, facts_of(case))]
        if kinds:
            served.append((case, kinds))
    return served
