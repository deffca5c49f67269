"""Open clues (线索) for the 智慧监督 platform, with their evidence, in the cause's transaction.

Every clue goes through :func:`do_open_clue`: one clue per cause key, its evidence
frozen, its outbound document written to the outbox and an audit event on each
problem involved — all in the caller's transaction, so a clue exists exactly when
its cause does.  :func:`do_open_clues` does the same for a batch (the sweep's red cards).
The rules that fill a :class:`ClueDraft` are :mod:`eco263.supervision.actions.rules_checks`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eco263.context import Change, Ctx
from eco263.db import insert_many
from eco263.outbox.actions import Queued, enqueue, enqueue_many
from eco263.problems.events import AssignmentFacts
from eco263.supervision.enums import AuditAction, ClueCause, ClueState, DutyFailure
from eco263.supervision.models import Clue, ClueStateChange
from eco263.supervision.service.clues import clue_exists
from eco263.supervision.service.deliveries import outbox_key
from eco263.supervision.service.documents import (
    DocumentSource,
    EvidenceSource,
    clue_document,
    evidence_for,
)

#: Outbox kind of a clue delivery (POST {base}/clues).
CLUE_DELIVERY = AuditAction.CLUE_DELIVER
GENERATED_NOTE = "线索生成"  # the first status change of every clue


@dataclass(frozen=True, slots=True)
class ClueDraft:
    """A clue before it is opened — the one shape every rule fills: the cause (one clue per
    ``cause_key``), the duty failed, the unit and person named, the problems and facts cited."""

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
    related_problem_ids: tuple[int, ...] = ()
    monitoring: dict[str, Any] | None = None

    @property
    def problem_ids(self) -> list[int]:
        """The problem the clue is about, then the related ones (the evidence covers all)."""
        ids = [self.problem_id] if self.problem_id else []
        return ids + [p for p in self.related_problem_ids if p not in ids]


class Unit(Protocol):
    """The unit a clue names (a registry organization, as its service returns it)."""

    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def leader_name(self) -> str | None: ...


def against_assignment(
    facts: AssignmentFacts,
    unit: Unit,
    division_code: str,
    *,
    cause: ClueCause,
    cause_key: str,
    duty_failure: DutyFailure,
    summary: str,
    evidence: dict[str, Any],
    related_problem_ids: tuple[int, ...] = (),
) -> ClueDraft:
    """The draft of a clue against the unit holding an assignment, naming its leader (红牌,
    整改不到位, 多次延期, 假整改)."""
    return ClueDraft(
        cause=cause,
        cause_key=cause_key,
        duty_failure=duty_failure,
        division_code=division_code,
        summary=summary,
        problem_id=facts.problem_id,
        assignment_id=facts.assignment_id,
        organization_id=unit.id,
        responsible_person=unit.leader_name,
        extra_evidence=evidence,
        related_problem_ids=related_problem_ids,
    )


def do_open_clue(ctx: Ctx, draft: ClueDraft) -> Clue | None:
    """Create the clue and its outbox delivery, once per cause; None if it already exists.

    The evidence names the audit events about the problems with their hashes and the
    chain head at this moment, the attachments' hashes and any monitoring evidence
    pack, so the commission can check them later.  A concurrent twin (same cause key)
    loses on the unique key inside a savepoint and gets None, leaving the caller's
    transaction intact.
    """
    if clue_exists(ctx.session, draft.cause_key):
        return None
    problem_ids = draft.problem_ids
    evidence = evidence_for(
        ctx.session, problem_ids, monitoring=draft.monitoring, facts=draft.extra_evidence
    )
    clue = Clue(**_clue_row(ctx, draft, evidence))
    try:
        with ctx.session.begin_nested():
            ctx.session.add(clue)
            ctx.session.flush()
    except IntegrityError:
        return None
    ctx.session.add(
        ClueStateChange(
            clue_id=clue.id, state=clue.state, note=GENERATED_NOTE, source="eco263", at=ctx.now
        )
    )
    enqueue(
        ctx.session,
        kind=CLUE_DELIVERY,
        idempotency_key=outbox_key(clue.cause_key),
        payload=clue_document(ctx.session, clue, problem_ids),
        now=ctx.now,
    )
    ctx.audit_many(_open_changes(ctx, clue, draft))
    return clue


def do_open_clues(ctx: Ctx, drafts: Sequence[ClueDraft]) -> list[int]:
    """Open many clues at once (the sweep's red cards): the same rows as :func:`do_open_clue`
    — clue, status change, frozen outbox document, audit events — written with a handful of
    statements per batch instead of a dozen per clue.  Every clue of the batch carries the
    same chain head.  Returns the ids of the clues opened; causes already known are skipped.
    If a concurrent twin wins a cause key, the batch falls back to one clue at a time.
    """
    fresh = _fresh_drafts(ctx, drafts)
    if not fresh:
        return []
    problem_ids = {pid for d in fresh for pid in d.problem_ids}
    evidence = EvidenceSource.load(ctx.session, problem_ids)
    documents = DocumentSource.load(
        ctx.session,
        problem_ids,
        {d.division_code for d in fresh},
        {d.organization_id for d in fresh},
    )
    try:
        with ctx.session.begin_nested():
            clues = _insert_clues(ctx, fresh, evidence, documents)
    except IntegrityError:
        return [c.id for c in (do_open_clue(ctx, d) for d in fresh) if c is not None]
    ctx.audit_many([c for clue, d in clues for c in _open_changes(ctx, clue, d)])
    return [clue.id for clue, _ in clues]


def _fresh_drafts(ctx: Ctx, drafts: Sequence[ClueDraft]) -> list[ClueDraft]:
    keys = [d.cause_key for d in drafts]
    known = set(ctx.session.scalars(select(Clue.cause_key).where(Clue.cause_key.in_(keys))))
    fresh: dict[str, ClueDraft] = {}
    for d in drafts:
        if d.cause_key not in known:
            fresh.setdefault(d.cause_key, d)
    return list(fresh.values())


def _insert_clues(
    ctx: Ctx,
    drafts: list[ClueDraft],
    evidence: EvidenceSource,
    documents: DocumentSource,
) -> list[tuple[Clue, ClueDraft]]:
    """Three bulk inserts (clues, their first status, their outbox documents), not three
    ORM flushes per clue.  The clues returned are transient copies of the rows stored."""
    rows = [
        _clue_row(
            ctx,
            d,
            evidence.evidence(d.problem_ids, monitoring=d.monitoring, facts=d.extra_evidence),
        )
        for d in drafts
    ]
    ids = insert_many(ctx.session, Clue, rows, return_ids=True)
    clues = [Clue(id=clue_id, **row) for clue_id, row in zip(ids, rows, strict=True)]
    generated = {"note": GENERATED_NOTE, "source": "eco263", "at": ctx.now}
    insert_many(
        ctx.session,
        ClueStateChange,
        [{"clue_id": c.id, "state": c.state, **generated} for c in clues],
    )
    enqueue_many(
        ctx.session,
        [
            Queued(
                CLUE_DELIVERY,
                outbox_key(c.cause_key),
                documents.document(c, d.problem_ids),
            )
            for c, d in zip(clues, drafts, strict=True)
        ],
        now=ctx.now,
    )
    return list(zip(clues, drafts, strict=True))


def _clue_row(ctx: Ctx, draft: ClueDraft, evidence: dict[str, Any]) -> dict[str, Any]:
    """The stored columns of a new clue (one ORM row, or one row of a bulk insert)."""
    return {
        "cause_key": draft.cause_key,
        "cause_kind": draft.cause.value,
        "duty_failure": draft.duty_failure.value,
        "problem_id": draft.problem_id,
        "assignment_id": draft.assignment_id,
        "organization_id": draft.organization_id,
        "responsible_person": draft.responsible_person,
        "division_code": draft.division_code,
        "summary": draft.summary,
        "evidence": evidence,
        "state": ClueState.GENERATED.value,
        "created_at": ctx.now,
        "state_changed_at": ctx.now,
    }


def _open_changes(ctx: Ctx, clue: Clue, draft: ClueDraft) -> list[Change]:
    """``clue.open`` on each problem involved (on the clue itself when there is none)."""
    after = {
        "clue_id": clue.id,
        "cause": draft.cause.value,
        "duty_failure": draft.duty_failure.value,
        "organization_id": draft.organization_id,
        "evidence_head": clue.evidence["chain_head"],
    }
    subjects = [("problem", pid) for pid in draft.problem_ids] or [("clue", clue.id)]
    return [
        ctx.change(AuditAction.CLUE_OPEN, kind, subject, None, after) for kind, subject in subjects
    ]
