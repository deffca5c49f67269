"""Open clues (线索) for the 智慧监督 platform, with their evidence, in the cause's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from eco263.audit.models import AuditEvent, AuditHead
from eco263.context import Ctx
from eco263.outbox.actions import enqueue
from eco263.supervision.enums import ClueCause, ClueStatus, DutyFailure
from eco263.supervision.models import Clue


@dataclass(frozen=True, slots=True)
class ClueDraft:
    cause: ClueCause
    cause_key: str
    duty_failure: DutyFailure
    division_code: str
    summary: str
    problem_id: int | None = None
    assignment_id: int | None = None
    organization_id: int | None = None
    responsible_person: str | None = None
    extra_evidence: dict[str, Any] | None = None


def do_open_clue(ctx: Ctx, draft: ClueDraft) -> Clue | None:
    """Create the clue and its outbox delivery, once per cause; None if it already exists.

    The evidence names the audit events about the problem with their hashes and
    the chain head at this moment, so the commission can check them later.
    """
    if ctx.session.scalar(select(Clue.id).where(Clue.cause_key == draft.cause_key)) is not None:
        return None
    evidence = _audit_evidence(ctx, draft.problem_id) | (draft.extra_evidence or {})
    clue = Clue(
        cause_key=draft.cause_key,
        cause_kind=draft.cause.value,
        duty_failure=draft.duty_failure.value,
        problem_id=draft.problem_id,
        assignment_id=draft.assignment_id,
        organization_id=draft.organization_id,
        responsible_person=draft.responsible_person,
        division_code=draft.division_code,
        summary=draft.summary,
        evidence=evidence,
        status=ClueStatus.GENERATED.value,
        created_at=ctx.now,
    )
    ctx.session.add(clue)
    ctx.session.flush()
    enqueue(
        ctx.session,
        kind="clue.deliver",
        idempotency_key=f"clue:{clue.cause_key}",
        payload={"clue_id": clue.id},
        now=ctx.now,
    )
    ctx.audit(
        "clue.open",
        "problem" if draft.problem_id else "clue",
        draft.problem_id or clue.id,
        None,
        {"clue_id": clue.id, "cause": draft.cause.value, "duty_failure": draft.duty_failure.value},
    )
    return clue


def _audit_evidence(ctx: Ctx, problem_id: int | None) -> dict[str, Any]:
    head = ctx.session.get(AuditHead, 1)
    events: list[dict[str, Any]] = []
    if problem_id is not None:
        rows = ctx.session.execute(
            select(AuditEvent.seq, AuditEvent.action, AuditEvent.at, AuditEvent.hash)
            .where(AuditEvent.subject_type == "problem", AuditEvent.subject_id == str(problem_id))
            .order_by(AuditEvent.seq)
        )
        events = [
            {"seq": r.seq, "action": r.action, "at": r.at.isoformat(), "hash": r.hash} for r in rows
        ]
    return {
        "audit_events": events,
        "chain_head": {"seq": head.seq, "hash": head.hash} if head else None,
    }
