"""Reads of the supervision domain: clue evidence, the outbound document, scoped lists."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, select
from sqlalchemy.orm import Session

from eco263.actor import CLUE_READERS, Actor, Role
from eco263.audit import service as audit
from eco263.errors import Forbidden, NotFound
from eco263.evidence import service as evidence
from eco263.outbox import service as outbox
from eco263.outbox.enums import OutboxState
from eco263.outbox.schemas import OutboxEventOut
from eco263.problems import service as problems
from eco263.problems.service import ProblemFacts
from eco263.registry import service as registry
from eco263.registry.service import in_jurisdiction
from eco263.supervision import rules
from eco263.supervision.enums import CAUSE_LABELS, ClueCause
from eco263.supervision.models import (
    Accountability,
    Clue,
    ClueStatusChange,
    SupervisionOpinion,
)
from eco263.supervision.schemas import ClueDocument, DeadDelivery, DeliveryStatus


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
        head = audit.chain_head(session)
        events: dict[int, list[dict[str, Any]]] = defaultdict(list)
        attachments: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for e in audit.chain_links(session, "problem", [str(i) for i in ids]):
            events[int(e.subject_id)].append(
                {"seq": e.seq, "action": e.action, "at": e.at.isoformat(), "hash": e.hash}
            )
        for f in evidence.attachments_of_problems(session, ids):
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


@dataclass(frozen=True, slots=True)
class DocumentSource:
    """Problems, divisions and units of many clues, read once: building each clue's document
    must not cost queries of its own (a first sweep after an import opens 100,000s)."""

    problems: Mapping[int, ProblemFacts]
    division_names: Mapping[str, str]
    unit_names: Mapping[int, str]

    @classmethod
    def load(
        cls,
        session: Session,
        problem_ids: Iterable[int],
        division_codes: Iterable[str],
        unit_ids: Iterable[int | None],
    ) -> DocumentSource:
        return cls(
            problems.problem_facts_by_id(session, problem_ids),
            registry.division_names(session, division_codes),
            registry.organization_names(session, {i for i in unit_ids if i is not None}),
        )

    def document(self, clue: Clue, problem_ids: Sequence[int]) -> dict[str, Any]:
        """The JSON body sent to the platform, frozen when the clue is opened (so every retry
        sends the same bytes under the same idempotency key)."""
        division_name = self.division_names[clue.division_code]
        org_id = clue.organization_id
        unit = {"id": org_id, "name": self.unit_names[org_id]} if org_id else None
        facts = [self.problems[pid] for pid in sorted(set(problem_ids))]
        doc: dict[str, Any] = {
            "schema_version": "1",
            "clue_id": clue.id,
            "cause": clue.cause_kind,
            "cause_label": CAUSE_LABELS[ClueCause(clue.cause_kind)],
            "cause_key": clue.cause_key,
            "duty_failure": clue.duty_failure,
            "summary": clue.summary,
            "division": {"code": clue.division_code, "name": division_name},
            "unit": unit,
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
                for p in facts
            ],
            "evidence": clue.evidence,
            "created_at": clue.created_at,
        }
        # Validated against the contract's model before it is frozen into the outbox.
        return ClueDocument.model_validate(doc, strict=False).model_dump(mode="json")


def clue_document(session: Session, clue: Clue, problem_ids: Sequence[int]) -> dict[str, Any]:
    """The outbound document of one clue (see :meth:`DocumentSource.document`)."""
    source = DocumentSource.load(session, problem_ids, [clue.division_code], [clue.organization_id])
    return source.document(clue, problem_ids)


def clue_total(session: Session) -> int:
    """How many clues exist (unscoped: for the system's own reports)."""
    return int(session.scalar(select(func.count(Clue.id))) or 0)


def clue_exists(session: Session, cause_key: str) -> bool:
    return session.scalar(select(Clue.id).where(Clue.cause_key == cause_key)) is not None


def recently_closed(
    session: Session, target: rules.ProblemTarget, *, exclude_id: int, since: datetime
) -> list[rules.ClosedProblem]:
    """Closed (销号, not merged) problems since ``since`` that may share ``target``: the same
    category, and the same enterprise or the same water body in the same division (the
    rule itself is :func:`rules.relapsed`)."""
    closed = problems.closed_on_same_target(
        session,
        category_code=target.category_code,
        enterprise_id=target.enterprise_id,
        water_body=target.water_body,
        division_code=target.division_code,
        since=since,
        exclude_id=exclude_id,
    )
    return [
        rules.ClosedProblem(
            p.id,
            rules.ProblemTarget(p.enterprise_id, p.water_body, p.division_code, p.category_code),
            p.closed_at,
        )
        for p in closed
        if p.closed_at is not None
    ]


# -- scoped reads for the API ---------------------------------------------------------------------


def _require_reader(actor: Actor) -> None:
    if not actor.is_system and actor.role not in CLUE_READERS:
        raise Forbidden("当前角色无权查看线索")


def _clue_scope(actor: Actor) -> ColumnElement[bool]:
    return in_jurisdiction(actor, Clue.division_code)


def list_clues(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    cause: str | None = None,
    duty_failure: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Clue], int]:
    """Clues in the actor's jurisdiction, newest first, and how many match in all."""
    _require_reader(actor)
    query = select(Clue).where(_clue_scope(actor))
    if status:
        query = query.where(Clue.status == status)
    if cause:
        query = query.where(Clue.cause_kind == cause)
    if duty_failure:
        query = query.where(Clue.duty_failure == duty_failure)
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


def delivery_of(session: Session, clue: Clue) -> OutboxEventOut | None:
    """The clue's outbox event (its delivery), if any."""
    return outbox.event_by_key(session, outbox_key(clue.cause_key))


#: A clue's delivery is the outbox event keyed ``clue:<cause key>``.
OUTBOX_KEY_PREFIX = "clue:"


def outbox_key(cause_key: str) -> str:
    return f"{OUTBOX_KEY_PREFIX}{cause_key}"


def delivery_status(session: Session, actor: Actor, *, dead_limit: int = 50) -> DeliveryStatus:
    """Counts per outbox state and the dead deliveries (the dashboard's warning light), of
    the clues in the actor's jurisdiction: a district office sees its own deliveries only."""
    _require_reader(actor)
    in_scope = None if actor.is_system else _delivery_keys(actor)
    figures = outbox.figures_by_state(session, keys=in_scope)
    dead = outbox.dead_events(session, keys=in_scope, limit=dead_limit)
    pending = figures.get(OutboxState.PENDING)
    return DeliveryStatus(
        pending=_count(figures, OutboxState.PENDING),
        delivered=_count(figures, OutboxState.DELIVERED),
        dead=_count(figures, OutboxState.DEAD),
        oldest_pending_at=pending.oldest_created_at if pending else None,
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


# -- reads for the pages (智慧监督): counts, batched deliveries, one clue's record ---------------


def may_retry_delivery(actor: Actor) -> bool:
    """Who may revive a dead delivery: the city office (as ``POST …/retry`` in the API)."""
    return actor.is_system or actor.role == Role.CITY_OFFICE


def may_open_manual_clue(actor: Actor) -> bool:
    """Who may hand a unit to supervision by hand: the city office (as
    :func:`eco263.supervision.actions.manual.do_open_manual_clue` checks)."""
    return actor.is_system or actor.role == Role.CITY_OFFICE


def clue_counts(session: Session, actor: Actor) -> dict[str, int]:
    """Clues per status in the actor's jurisdiction (the pipeline: generated → concluded)."""
    _require_reader(actor)
    rows = session.execute(
        select(Clue.status, func.count()).where(_clue_scope(actor)).group_by(Clue.status)
    ).all()
    return {str(status): int(n) for status, n in rows}


def recent_clues(session: Session, actor: Actor, *, limit: int) -> list[Clue]:
    """The newest clues in scope, for the dashboard's card (one statement: no total counted).

    Other roles than the readers get an empty list (the dashboard shows no card to them).
    """
    if not actor.is_system and actor.role not in CLUE_READERS:
        return []
    query = select(Clue).where(_clue_scope(actor)).order_by(Clue.id.desc()).limit(limit)
    return list(session.scalars(query))


def deliveries_of(session: Session, clues: Sequence[Clue]) -> dict[int, OutboxEventOut]:
    """Each clue's outbox event (its delivery), read in one query for a page of clues."""
    by_key = {outbox_key(c.cause_key): c.id for c in clues}
    events = outbox.events_by_key(session, by_key)
    return {by_key[key]: e for key, e in events.items()}


def _delivery_keys(actor: Actor) -> Select[str]:
    """The outbox keys of the deliveries of the clues in the actor's jurisdiction (a SELECT
    the database runs inside the outbox's statement)."""
    return select(literal(OUTBOX_KEY_PREFIX).concat(Clue.cause_key)).where(_clue_scope(actor))


def _count(figures: Mapping[OutboxState, outbox.StateFigures], state: OutboxState) -> int:
    found = figures.get(state)
    return found.count if found else 0


@dataclass(frozen=True, slots=True)
class DeadClueDelivery:
    event_id: int
    clue_id: int
    summary: str
    attempts: int
    last_error: str | None
    last_attempt_at: datetime | None


@dataclass(frozen=True, slots=True)
class DeliveryHealth:
    """The deliveries of the clues in one jurisdiction: waiting, arrived, given up."""

    pending: int
    delivered: int
    dead: int
    oldest_pending_at: datetime | None
    last_delivered_at: datetime | None
    dead_items: list[DeadClueDelivery]


def delivery_health(session: Session, actor: Actor, *, dead_limit: int = 20) -> DeliveryHealth:
    """Like :func:`delivery_status`, but only for the clues in the actor's jurisdiction (a
    district office sees its own), with the last successful delivery.  Two queries.

    A dead item names its clue by the frozen document it carries (``clue_id``, ``summary``:
    a clue's summary never changes once opened)."""
    _require_reader(actor)
    keys = _delivery_keys(actor)
    figures = outbox.figures_by_state(session, keys=keys)
    dead = outbox.dead_events(session, keys=keys, limit=dead_limit)
    pending = figures.get(OutboxState.PENDING)
    delivered = figures.get(OutboxState.DELIVERED)
    return DeliveryHealth(
        pending=_count(figures, OutboxState.PENDING),
        delivered=_count(figures, OutboxState.DELIVERED),
        dead=_count(figures, OutboxState.DEAD),
        oldest_pending_at=pending.oldest_created_at if pending else None,
        last_delivered_at=delivered.last_processed_at if delivered else None,
        dead_items=[
            DeadClueDelivery(
                e.id,
                int(e.payload["clue_id"]),
                str(e.payload["summary"]),
                e.attempts,
                e.last_error,
                e.last_attempt_at,
            )
            for e in dead
        ],
    )


def delivery_in_scope(session: Session, actor: Actor, event_id: int) -> tuple[OutboxEventOut, Clue]:
    """A clue's delivery and its clue, if the clue is in the actor's jurisdiction; NotFound
    otherwise (another kind of event, another division's clue, no such event)."""
    _require_reader(actor)
    event = outbox.get_event(session, event_id)
    clue = None
    if event is not None and event.idempotency_key.startswith(OUTBOX_KEY_PREFIX):
        cause_key = event.idempotency_key.removeprefix(OUTBOX_KEY_PREFIX)
        clue = session.scalar(select(Clue).where(Clue.cause_key == cause_key, _clue_scope(actor)))
    if event is None or clue is None:
        raise NotFound("投递记录")
    return event, clue


@dataclass(frozen=True, slots=True)
class ClueRecord:
    """One clue with everything the commission checks: its delivery, its history, what came
    back (监督意见书, 问责) and the names of the division and units it mentions."""

    clue: Clue
    delivery: OutboxEventOut | None
    history: list[ClueStatusChange]
    opinions: list[SupervisionOpinion]
    accountability: list[Accountability]
    division_name: str
    unit_names: dict[int, str]


def clue_record(session: Session, actor: Actor, clue_id: int) -> ClueRecord:
    """The clue (NotFound when missing or out of scope) and its record, in seven queries."""
    clue = get_clue(session, actor, clue_id)
    opinions = opinions_of(session, clue.id)
    accountability = accountability_of(session, clue_id=clue.id)
    org_ids = {o.organization_id for o in opinions} | {a.organization_id for a in accountability}
    if clue.organization_id:
        org_ids.add(clue.organization_id)
    names = registry.organization_names(session, org_ids)
    division_name = registry.division_name(session, clue.division_code)
    return ClueRecord(
        clue=clue,
        delivery=delivery_of(session, clue),
        history=history_of(session, clue.id),
        opinions=opinions,
        accountability=accountability,
        division_name=division_name or clue.division_code,
        unit_names=names,
    )
