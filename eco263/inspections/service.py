"""Reads of 巡察, scoped to who may read them.

- The 纪委监委 and the city 263 office read the campaigns of their area and every target in
  it; a district office reads the campaigns with a target in its area, and only those targets.
- An inspected unit (a department or town user) reads the opinions addressed to it and its own
  rectification — nothing of the campaign, the other targets or any disposition.
- Dispositions (四种形态 / 问责) are read by the 纪委监委 only.
Out of scope is a 404 like a missing row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, false, func, or_, select, true
from sqlalchemy.orm import Session

from eco263.actor import Actor, Role
from eco263.audit.service import timeline
from eco263.errors import NotFound
from eco263.inspections import rules
from eco263.inspections.enums import OpinionState
from eco263.inspections.models import (
    InspectionCampaign,
    InspectionDisposition,
    InspectionFinding,
    InspectionOpinion,
    InspectionTarget,
    InspectionVisit,
)
from eco263.registry.service import in_jurisdiction

#: Who reads campaigns and targets (in their area).
TARGET_READERS = frozenset({Role.SUPERVISOR, Role.CITY_OFFICE, Role.DISTRICT_OFFICE})


def target_filter(actor: Actor) -> ColumnElement[bool]:
    if actor.is_system:
        return true()
    if actor.role in TARGET_READERS:
        return in_jurisdiction(actor, InspectionTarget.division_code)
    return false()


def campaign_filter(actor: Actor) -> ColumnElement[bool]:
    if actor.is_system:
        return true()
    if actor.role not in TARGET_READERS:
        return false()
    with_targets = select(InspectionTarget.campaign_id).where(target_filter(actor))
    if actor.role == Role.DISTRICT_OFFICE:
        return InspectionCampaign.id.in_(with_targets)
    return or_(
        in_jurisdiction(actor, InspectionCampaign.division_code),
        InspectionCampaign.id.in_(with_targets),
    )


def opinion_filter(actor: Actor) -> ColumnElement[bool]:
    if actor.is_system:
        return true()
    if actor.role in TARGET_READERS:
        return in_jurisdiction(actor, InspectionOpinion.division_code)
    if actor.role == Role.DEPARTMENT and actor.organization_id is not None:
        return InspectionOpinion.organization_id == actor.organization_id
    return false()


def disposition_filter(actor: Actor) -> ColumnElement[bool]:
    if actor.is_system:
        return true()
    if actor.role != Role.SUPERVISOR:
        return false()
    targets = select(InspectionTarget.id).where(target_filter(actor))
    return InspectionDisposition.target_id.in_(targets)


def may_read_campaigns(actor: Actor) -> bool:
    return actor.is_system or actor.role in TARGET_READERS


def get_campaign(session: Session, actor: Actor, campaign_id: int) -> InspectionCampaign:
    found = session.scalar(
        select(InspectionCampaign).where(
            InspectionCampaign.id == campaign_id, campaign_filter(actor)
        )
    )
    if found is None:
        raise NotFound("巡察项目")
    return found


def list_campaigns(
    session: Session, actor: Actor, *, limit: int = 50, offset: int = 0
) -> list[InspectionCampaign]:
    query = (
        select(InspectionCampaign)
        .where(campaign_filter(actor))
        .order_by(InspectionCampaign.year.desc(), InspectionCampaign.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


def get_target(session: Session, actor: Actor, target_id: int) -> InspectionTarget:
    found = session.scalar(
        select(InspectionTarget).where(InspectionTarget.id == target_id, target_filter(actor))
    )
    if found is None:
        raise NotFound("巡察对象")
    return found


def targets_of(session: Session, actor: Actor, campaign_id: int) -> list[InspectionTarget]:
    return list(
        session.scalars(
            select(InspectionTarget)
            .where(InspectionTarget.campaign_id == campaign_id, target_filter(actor))
            .order_by(InspectionTarget.division_code, InspectionTarget.id)
        )
    )


def visits_of(session: Session, target_id: int) -> list[InspectionVisit]:
    return list(
        session.scalars(
            select(InspectionVisit)
            .where(InspectionVisit.target_id == target_id)
            .order_by(InspectionVisit.visited_on, InspectionVisit.id)
        )
    )


def findings_of(session: Session, target_id: int) -> list[InspectionFinding]:
    return list(
        session.scalars(
            select(InspectionFinding)
            .where(InspectionFinding.target_id == target_id)
            .order_by(InspectionFinding.id)
        )
    )


def get_finding(session: Session, actor: Actor, finding_id: int) -> InspectionFinding:
    finding = session.get(InspectionFinding, finding_id)
    if finding is None:
        raise NotFound("巡察发现问题")
    get_target(session, actor, finding.target_id)  # scope through the target
    return finding


def get_opinion(session: Session, actor: Actor, opinion_id: int) -> InspectionOpinion:
    found = session.scalar(
        select(InspectionOpinion).where(InspectionOpinion.id == opinion_id, opinion_filter(actor))
    )
    if found is None:
        raise NotFound("监督意见书")
    return found


def list_opinions(
    session: Session,
    actor: Actor,
    *,
    campaign_id: int | None = None,
    target_id: int | None = None,
    limit: int = 200,
) -> list[InspectionOpinion]:
    query = select(InspectionOpinion).where(opinion_filter(actor))
    if campaign_id is not None:
        query = query.where(InspectionOpinion.campaign_id == campaign_id)
    if target_id is not None:
        query = query.where(InspectionOpinion.target_id == target_id)
    return list(session.scalars(query.order_by(InspectionOpinion.id.desc()).limit(limit)))


def overdue_replies(session: Session, today: date) -> list[tuple[InspectionOpinion, str]]:
    """Opinions still waiting for the rectification plan after ``reply_due``, with their
    target's name (for the scheduler: no actor, every area)."""
    rows = session.execute(
        select(InspectionOpinion, InspectionTarget.name)
        .join(InspectionTarget, InspectionTarget.id == InspectionOpinion.target_id)
        .where(
            InspectionOpinion.state == OpinionState.ISSUED.value,
            InspectionOpinion.reply_due < today,
        )
        .order_by(InspectionOpinion.reply_due, InspectionOpinion.id)
    )
    return [(o, name) for o, name in rows]


def flagged(session: Session, subject_type: str, action: str, ids: list[int]) -> set[int]:
    """Which of ``ids`` already carry an audit event ``action`` (a once-only step's mark)."""
    if not ids:
        return set()
    events = timeline(session, subject_type, [str(i) for i in ids])
    return {int(e.subject_id) for e in events if e.action == action}


def target_name_taken(session: Session, campaign_id: int, name: str) -> bool:
    """Whether the campaign has a target of this name, whoever may read it."""
    found = select(InspectionTarget.id).where(
        InspectionTarget.campaign_id == campaign_id, InspectionTarget.name == name
    )
    return session.scalar(found) is not None


def campaign_and_target_of(
    session: Session, o: InspectionOpinion
) -> tuple[InspectionCampaign, InspectionTarget]:
    """The campaign and target an opinion was issued in, for its document (the caller has
    read the opinion in scope: the addressee may not read the campaign's pages)."""
    return (
        session.get_one(InspectionCampaign, o.campaign_id),
        session.get_one(InspectionTarget, o.target_id),
    )


def number_taken(session: Session, number: str) -> bool:
    return (
        session.scalar(select(InspectionOpinion.id).where(InspectionOpinion.number == number))
        is not None
    )


def list_dispositions(
    session: Session,
    actor: Actor,
    *,
    campaign_id: int | None = None,
    target_id: int | None = None,
) -> list[InspectionDisposition]:
    query = select(InspectionDisposition).where(disposition_filter(actor))
    if campaign_id is not None:
        query = query.where(InspectionDisposition.campaign_id == campaign_id)
    if target_id is not None:
        query = query.where(InspectionDisposition.target_id == target_id)
    return list(session.scalars(query.order_by(InspectionDisposition.id)))


# -- progress --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Progress:
    planned: int
    targets: int
    done: int
    findings: int
    opinions: int
    open_rectifications: int
    overdue: int
    problems: int


def progress(session: Session, actor: Actor, campaign: InspectionCampaign, today: date) -> Progress:
    """Targets done, findings, open rectifications and overdue ones — of the targets the
    reader may see (a district office counts its own area)."""
    targets = targets_of(session, actor, campaign.id)
    ids = [t.id for t in targets]
    findings = (
        list(session.scalars(select(InspectionFinding).where(InspectionFinding.target_id.in_(ids))))
        if ids
        else []
    )
    opinions = (
        list(session.scalars(select(InspectionOpinion).where(InspectionOpinion.target_id.in_(ids))))
        if ids
        else []
    )
    open_ = [o for o in opinions if o.state in rules.OPEN_STATES]
    overdue = [o for o in open_ if rules.is_overdue(o.state, today, o.reply_due, o.report_due)]
    return Progress(
        planned=campaign.planned_targets,
        targets=len(targets),
        done=sum(1 for t in targets if t.done_on is not None),
        findings=len(findings),
        opinions=len(opinions),
        open_rectifications=len(open_),
        overdue=len(overdue),
        problems=sum(len(f.problem_ids or []) for f in findings),
    )


def count_dispositions(session: Session, actor: Actor, campaign_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(InspectionDisposition)
            .where(InspectionDisposition.campaign_id == campaign_id, disposition_filter(actor))
        )
        or 0
    )


# -- what waits (the workbench) -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Waiting:
    kind: str
    title: str
    href: str
    due_date: date | None


def waiting_for(session: Session, actor: Actor) -> list[Waiting]:
    """待回复的监督意见书 / 待报送整改报告 for the inspected unit; 待审核整改报告 for the 纪委."""
    items: list[Waiting] = []
    if actor.role == Role.DEPARTMENT and actor.organization_id is not None:
        for o in list_opinions(session, actor):
            if o.state == OpinionState.ISSUED:
                items.append(
                    Waiting(
                        "待回复的监督意见书", o.number, f"/inspections/opinions/{o.id}", o.reply_due
                    )
                )
            elif o.state == OpinionState.PLANNED:
                items.append(
                    Waiting(
                        "待报送整改报告", o.number, f"/inspections/opinions/{o.id}", o.report_due
                    )
                )
    elif actor.role == Role.SUPERVISOR:
        for o in list_opinions(session, actor):
            if o.state == OpinionState.REPORTED:
                items.append(
                    Waiting("待审核整改报告", o.number, f"/inspections/opinions/{o.id}", None)
                )
    return items
