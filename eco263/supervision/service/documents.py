"""A clue's evidence and the document sent to the platform: for one clue, or for a batch read
once (a sweep opens many clues)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from eco263.audit import service as audit
from eco263.evidence import service as evidence
from eco263.problems import service as problems
from eco263.problems.events import ProblemFacts
from eco263.registry import service as registry
from eco263.supervision.enums import CAUSE_LABELS, ClueCause
from eco263.supervision.models import Clue
from eco263.supervision.schemas import ClueDocument


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
