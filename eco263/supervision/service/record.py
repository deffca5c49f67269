"""One clue's record, for its detail page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from eco263.actor import Actor
from eco263.outbox.schemas import OutboxEventOut
from eco263.registry import service as registry
from eco263.supervision.models import (
    Accountability,
    Clue,
    ClueStateChange,
    SupervisionOpinion,
)
from eco263.supervision.service.clues import accountability_of, get_clue, history_of, opinions_of
from eco263.supervision.service.deliveries import delivery_of


@dataclass(frozen=True, slots=True)
class ClueRecord:
    """One clue with everything the commission checks: its delivery, its history, what came
    back (监督意见书, 问责) and the names of the division and units it mentions."""

    clue: Clue
    delivery: OutboxEventOut | None
    history: list[ClueStateChange]
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
