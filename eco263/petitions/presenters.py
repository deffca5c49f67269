"""Shapes of a petition for a reader: masked personal data unless the reader handles it."""

from __future__ import annotations

from eco263.actor import Actor
from eco263.petitions import rules
from eco263.petitions.enums import STATE_LABELS, PetitionState
from eco263.petitions.models import Petition
from eco263.petitions.schemas import AnswerOut, DuplicateOut, PetitionOut, PublicProgress
from eco263.petitions.similarity import Match


def sees_personal_data(actor: Actor, p: Petition) -> bool:
    """Only the handling officer sees the complainant's name, phone and address."""
    return actor.user_id is not None and actor.user_id == p.handler_id


def _answers(p: Petition) -> list[AnswerOut]:
    return [AnswerOut.model_validate(a) for a in p.answers]


def petition_out(p: Petition, actor: Actor) -> PetitionOut:
    plain = sees_personal_data(actor, p)
    return PetitionOut(
        id=p.id,
        tracking_code=p.tracking_code,
        channel=p.channel,
        kind=p.kind,
        topic=p.topic,
        description=p.description if plain else rules.screen_text(p.description),
        location=p.location,
        division_code=p.division_code,
        enterprise_id=p.enterprise_id,
        state=p.state,
        state_label=STATE_LABELS[PetitionState(p.state)],
        received_on=p.received_on,
        due_date=p.due_date,
        due_reason=p.due_reason,
        intake_reason=p.intake_reason,
        transferred_to=p.transferred_to,
        extension_reason=p.extension_reason,
        extension_pending=p.extension_requested_by is not None and p.extension_approved_by is None,
        satisfaction=p.satisfaction,
        repeat_of_id=p.repeat_of_id,
        problem_ids=list(p.problem_ids),
        answers=_answers(p),
        complainant_name=p.complainant_name if plain else rules.mask_name(p.complainant_name),
        complainant_phone=p.complainant_phone if plain else rules.mask_phone(p.complainant_phone),
        complainant_address=p.complainant_address
        if plain
        else rules.mask_address(p.complainant_address),
        personal_data_masked=not plain,
    )


def public_progress(p: Petition) -> PublicProgress:
    state = PetitionState(p.state)
    notice = p.intake_reason
    if state == PetitionState.TRANSFERRED and p.transferred_to:
        notice = f"已转送{p.transferred_to}：{p.intake_reason or ''}"
    if state == PetitionState.ACCEPTED and p.extension_approved_by is not None:
        notice = f"办理期限已延长：{p.extension_reason or ''}"
    answers = [
        a.model_copy(
            update={
                "facts": rules.screen_text(a.facts),
                "answer": rules.screen_text(a.answer),
                "basis": rules.screen_text(a.basis),
            }
        )
        for a in _answers(p)
    ]
    answered = state in {PetitionState.ANSWERED, PetitionState.REVIEWED, PetitionState.RECHECKED}
    return PublicProgress(
        tracking_code=p.tracking_code,
        topic=p.topic,
        state_label=STATE_LABELS[state],
        received_on=p.received_on,
        due_date=p.due_date,
        notice=rules.screen_text(notice) if notice else None,
        answers=answers,
        satisfaction=p.satisfaction,
        may_rate=answered and p.satisfaction is None,
        may_request_review=state == PetitionState.ANSWERED,
        may_request_recheck=state == PetitionState.REVIEWED,
    )


def duplicate_out(p: Petition, match: Match) -> DuplicateOut:
    return DuplicateOut(
        id=p.id,
        tracking_code=p.tracking_code,
        topic=p.topic,
        state_label=STATE_LABELS[PetitionState(p.state)],
        received_on=p.received_on,
        score=round(match.score, 1),
        reasons=list(match.reasons),
    )
