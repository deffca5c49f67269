"""Reads of the supervision domain: clue evidence, the outbound document, scoped lists."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from eco263.audit.models import AuditEvent, AuditHead
from eco263.auth.enums import Role
from eco263.auth.scope import Actor, division_subtree
from eco263.errors import Forbidden, NotFound
from eco263.evidence.models import Attachment
from eco263.outbox.enums import OutboxState
from eco263.outbox.models import OutboxEvent
from eco263.problems.enums import ProblemState
from eco263.problems.models import Assignment, Problem
from eco263.registry.models import Division, Organization
from eco263.supervision import rules
from eco263.supervision.enums import CAUSE_LABELS, ClueCause
from eco263.supervision.models import (
    Accountability,
    Clue,
    ClueStatusChange,
    SupervisionOpinion,
)
from eco263.supervision.schemas import ClueDocument, DeadDelivery, DeliveryStatus

CLUE_READERS = frozenset({Role.CITY_OFFICE, Role.DISTRICT_OFFICE, Role.SUPERVISOR, Role.VIEWER})


def evidence_for(
    session: Session,
    problem_ids: Sequence[int],
    *,
    monitoring: dict[str, Any] | None = None,
    facts: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The evidence chain at this moment: audit events about the problems (with hashes),
    the chain head, the attachments' SHA-256, and the monitoring evidence pack if any."""
    loaded = EvidenceSource.load(session, problem_ids)
    return loaded.evidence(problem_ids, monitoring=monitoring, facts=facts)


@dataclass(frozen=True, slots=True)
class EvidenceSource:
    """Audit events and attachments of many problems, read once (a sweep opens many clues)."""

    head: dict[str, Any] | None
    events: dict[int, list[dict[str, Any]]]
    attachments: dict[int, list[dict[str, Any]]]

    @classmethod
    def load(cls, session: Session, problem_ids: Iterable[int]) -> EvidenceSource:
        ids = sorted(set(problem_ids))
        head = session.get(AuditHead, 1)
        events: dict[int, list[dict[str, Any]]] = defaultdict(list)
        attachments: dict[int, list[dict[str, Any]]] = defaultdict(list)
        if ids:
            rows = session.execute(
                select(
                    AuditEvent.subject_id,
                    AuditEvent.seq,
                    AuditEvent.action,
                    AuditEvent.at,
                    AuditEvent.hash,
                )
                .where(
                    AuditEvent.subject_type == "problem",
                    AuditEvent.subject_id.in_([str(i) for i in ids]),
                )
                .order_by(AuditEvent.seq)
            )
            for r in rows:
                events[int(r.subject_id)].append(
                    {"seq": r.seq, "action": r.action, "at": r.at.isoformat(), "hash": r.hash}
                )
            files = session.execute(
                select(
                    Attachment.problem_id, Attachment.sha256, Attachment.filename, Attachment.size
                )
                .where(Attachment.problem_id.in_(ids))
                .order_by(Attachment.id)
            )
            for f in files:
                attachments[f.problem_id].append(
                    {
                        "problem_id": f.problem_id,
                        "sha256": f.sha256,
                        "filename": f.filename,
                        "size": f.size,
                    }
                )
        chain_head = {"seq": head.seq, "hash": head.hash} if head else None
        return cls(chain_head, dict(events), dict(attachments))

    def evidence(
        self,
        problem_ids: Sequence[int],
        *,
        monitoring: dict[str, Any] | None = None,
        facts: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        events = sorted(
            (e for pid in set(problem_ids) for e in self.events.get(pid, [])),
            key=lambda e: int(e["seq"]),
        )
        files = [a for pid in problem_ids for a in self.attachments.get(pid, [])]
        return {
            "audit_events": events,
            "chain_head": self.head,
            "attachments": files,
            "monitoring": monitoring,
            "facts": facts or {},
        }


def clue_document(
    session: Session,
    clue: Clue,
    problem_ids: Sequence[int],
    loaded: Mapping[int, Problem] | None = None,
) -> dict[str, Any]:
    """The JSON body sent to the platform, frozen when the clue is opened (so every retry
    sends the same bytes under the same idempotency key).  ``loaded`` saves re-reading
    problems a batch already has."""
    division = session.get_one(Division, clue.division_code)
    org = session.get(Organization, clue.organization_id) if clue.organization_id else None
    if loaded is not None and all(pid in loaded for pid in problem_ids):
        problems = [loaded[pid] for pid in sorted(set(problem_ids))]
    else:
        problems = list(
            session.scalars(
                select(Problem).where(Problem.id.in_(list(problem_ids))).order_by(Problem.id)
            )
        )
    doc: dict[str, Any] = {
        "schema_version": "1",
        "clue_id": clue.id,
        "cause": clue.cause_kind,
        "cause_label": CAUSE_LABELS[ClueCause(clue.cause_kind)],
        "cause_key": clue.cause_key,
        "duty_failure": clue.duty_failure,
        "summary": clue.summary,
        "division": {"code": division.code, "name": division.name},
        "unit": {"id": org.id, "name": org.name} if org else None,
        "responsible_person": clue.responsible_person,
        "problems": [
            {
                "id": p.id,
                "title": p.title,
                "source": p.source,
                "category_code": p.category_code,
                "state": p.state,
                "due_date": p.due_date,
                "registered_at": p.registered_at,
                "closed_at": p.closed_at,
            }
            for p in problems
        ],
        "evidence": clue.evidence,
        "created_at": clue.created_at,
    }
    # Validated against the contract's model before it is frozen into the outbox.
    return ClueDocument.model_validate(doc, strict=False).model_dump(mode="json")


def clue_exists(session: Session, cause_key: str) -> bool:
    return session.scalar(select(Clue.id).where(Clue.cause_key == cause_key)) is not None


def lead_assignment(session: Session, problem_id: int) -> Assignment | None:
    return session.scalars(
        select(Assignment)
        .where(Assignment.problem_id == problem_id)
        .order_by(Assignment.is_lead.desc(), Assignment.id)
        .limit(1)
    ).first()


def recently_closed(
    session: Session,
    *,
    enterprise_id: int | None,
    water_body: str | None,
    exclude_id: int,
    since: datetime,
) -> list[rules.ClosedProblem]:
    """Closed (销号, not merged) problems on the same enterprise or water body since ``since``."""
    same: list[ColumnElement[bool]] = []
    if enterprise_id is not None:
        same.append(Problem.enterprise_id == enterprise_id)
    if water_body and water_body.strip():
        same.append(Problem.water_body == water_body.strip())
    if not same:
        return []
    rows = session.execute(
        select(Problem.id, Problem.enterprise_id, Problem.water_body, Problem.closed_at).where(
            Problem.state == ProblemState.CLOSED.value,
            Problem.closed_at >= since,
            Problem.id != exclude_id,
            or_(*same),
        )
    )
    return [
        rules.ClosedProblem(r.id, r.enterprise_id, r.water_body, r.closed_at)
        for r in rows
        if r.closed_at is not None
    ]


# -- scoped reads for the API ---------------------------------------------------------------------


def _require_reader(actor: Actor) -> None:
    if not actor.is_system and actor.role not in CLUE_READERS:
        raise Forbidden("当前角色无权查看线索")


def _clue_scope(actor: Actor) -> ColumnElement[bool]:
    return Clue.division_code.in_(select(Division.code).where(division_subtree(actor)))


def list_clues(
    session: Session, actor: Actor, *, status: str | None = None, limit: int = 100, offset: int = 0
) -> tuple[list[Clue], int]:
    _require_reader(actor)
    query = select(Clue).where(_clue_scope(actor))
    if status:
        query = query.where(Clue.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(Clue.id.desc()).limit(limit).offset(offset))
    return list(items), int(total or 0)


def get_clue(session: Session, actor: Actor, clue_id: int) -> Clue:
    """The clue if it exists and is in scope; NotFound otherwise (scope cannot be probed)."""
    _require_reader(actor)
    clue = session.scalar(select(Clue).where(Clue.id == clue_id, _clue_scope(actor)))
    if clue is None:
        raise NotFound("线索")
    return clue


def history_of(session: Session, clue_id: int) -> list[ClueStatusChange]:
    return list(
        session.scalars(
            select(ClueStatusChange)
            .where(ClueStatusChange.clue_id == clue_id)
            .order_by(ClueStatusChange.id)
        )
    )


def opinions_of(session: Session, clue_id: int) -> list[SupervisionOpinion]:
    return list(
        session.scalars(
            select(SupervisionOpinion)
            .where(SupervisionOpinion.clue_id == clue_id)
            .order_by(SupervisionOpinion.id)
        )
    )


def accountability_of(
    session: Session, *, clue_id: int | None = None, org_id: int | None = None
) -> list[Accountability]:
    query = select(Accountability).order_by(Accountability.id)
    if clue_id is not None:
        query = query.where(Accountability.clue_id == clue_id)
    if org_id is not None:
        query = query.where(Accountability.organization_id == org_id)
    return list(session.scalars(query))


def delivery_of(session: Session, clue: Clue) -> OutboxEvent | None:
    return session.scalar(
        select(OutboxEvent).where(OutboxEvent.idempotency_key == outbox_key(clue.cause_key))
    )


def outbox_key(cause_key: str) -> str:
    return f"clue:{cause_key}"


def delivery_status(session: Session, actor: Actor, *, dead_limit: int = 50) -> DeliveryStatus:
    """Counts per outbox state and the dead deliveries (the dashboard's warning light)."""
    _require_reader(actor)
    counts = dict(
        session.execute(select(OutboxEvent.state, func.count()).group_by(OutboxEvent.state)).all()
    )
    oldest = session.scalar(
        select(func.min(OutboxEvent.created_at)).where(
            OutboxEvent.state == OutboxState.PENDING.value
        )
    )
    dead = session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.state == OutboxState.DEAD.value)
        .order_by(OutboxEvent.id)
        .limit(dead_limit)
    )
    return DeliveryStatus(
        pending=int(counts.get(OutboxState.PENDING.value, 0)),
        delivered=int(counts.get(OutboxState.DELIVERED.value, 0)),
        dead=int(counts.get(OutboxState.DEAD.value, 0)),
        oldest_pending_at=oldest,
        dead_items=[
            DeadDelivery(
                id=e.id,
                kind=e.kind,
                idempotency_key=e.idempotency_key,
                attempts=e.attempts,
                created_at=e.created_at,
                last_error=e.last_error,
            )
            for e in dead
        ],
    )


def window_start(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)
