"""Reads of petitions, scoped: the actor's jurisdiction, and 检举控告 only to the 纪委监委."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from eco263.actor import Actor, Role
from eco263.errors import NotFound
from eco263.petitions import rules
from eco263.petitions.enums import Kind
from eco263.petitions.models import EnterprisePlan, Petition, PetitionVisit, PetitionVisitItem
from eco263.petitions.similarity import Candidate, Match, likely_duplicates
from eco263.registry.service import in_jurisdiction


def _visible(actor: Actor) -> Select[Petition]:
    query = select(Petition)
    if actor.is_system:
        return query
    query = query.where(in_jurisdiction(actor, Petition.division_code))
    if actor.role == Role.SUPERVISOR:
        return query
    if rules.may_see(actor, Kind.SUGGESTION):
        return query.where(Petition.kind != Kind.ACCUSATION.value)
    return query.where(Petition.id.is_(None))


def get_petition(session: Session, actor: Actor, petition_id: int) -> Petition:
    """The petition if the actor may see it, else 404 (never 403: its existence is private)."""
    found = session.scalar(_visible(actor).where(Petition.id == petition_id))
    if found is None:
        raise NotFound("信访件")
    return found


def by_tracking_code(session: Session, code: str) -> Petition:
    found = session.scalar(select(Petition).where(Petition.tracking_code == code.strip().upper()))
    if found is None:
        raise NotFound("查询码对应的信访件")
    return found


def by_hotline_no(session: Session, number: str) -> Petition | None:
    return session.scalar(select(Petition).where(Petition.hotline_no == number))


@dataclass(frozen=True, slots=True)
class PetitionFilters:
    state: str | None = None
    kind: str | None = None
    channel: str | None = None
    overdue_on: date | None = None
    text: str | None = None


def list_petitions(
    session: Session, actor: Actor, filters: PetitionFilters, *, page: int, page_size: int
) -> tuple[list[Petition], int]:
    query = _visible(actor)
    if filters.state:
        query = query.where(Petition.state == filters.state)
    if filters.kind:
        query = query.where(Petition.kind == filters.kind)
    if filters.channel:
        query = query.where(Petition.channel == filters.channel)
    if filters.overdue_on:
        query = query.where(
            Petition.due_date < filters.overdue_on,
            Petition.state.in_([s.value for s in rules.OPEN_STATES]),
        )
    if filters.text:
        like = f"%{filters.text}%"
        query = query.where(or_(Petition.description.like(like), Petition.topic.like(like)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Petition.due_date.is_(None), Petition.due_date, Petition.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return list(rows), total


#: How far back (by id, most recent first) a new petition is compared with.
DUPLICATE_WINDOW = 5000


def duplicates_of(session: Session, actor: Actor, p: Petition, *, limit: int = 5) -> list[Match]:
    """Likely repeats of ``p`` among the petitions the actor may see: its division's recent
    ones, and any with the same enterprise or phone."""
    query = _visible(actor).where(Petition.id != p.id)
    same = [Petition.division_code == p.division_code]
    if p.enterprise_id is not None:
        same.append(Petition.enterprise_id == p.enterprise_id)
    if p.complainant_phone:
        same.append(Petition.complainant_phone == p.complainant_phone)
    rows = session.scalars(
        query.where(or_(*same)).order_by(Petition.id.desc()).limit(DUPLICATE_WINDOW)
    ).all()
    return likely_duplicates(_candidate(p), [_candidate(r) for r in rows], limit=limit)


def _candidate(p: Petition) -> Candidate:
    return Candidate(
        p.id, f"{p.topic} {p.description}", p.enterprise_id, p.complainant_phone, p.location
    )


def petitions_by_id(session: Session, ids: list[int]) -> dict[int, Petition]:
    rows = session.scalars(select(Petition).where(Petition.id.in_(ids))).all()
    return {r.id: r for r in rows}


# -- what waits for the reader (the workbench) and hot spots ----------------------------------

#: Workbench kinds by state: 待受理 (15-day clock), 待办理 (60 days), 待答复复查/复核.
WAITING_KINDS = {
    "registered": "待受理信访",
    "accepted": "待办理信访",
    "review_requested": "待答复复查",
    "recheck_requested": "待答复复核",
}


@dataclass(frozen=True, slots=True)
class Waiting:
    kind: str
    title: str
    petition_id: int
    due_date: date | None


def waiting_for(session: Session, actor: Actor, *, limit: int = 200) -> list[Waiting]:
    """The open petitions the actor may handle, most urgent first (the 检举控告 only for the
    纪委监委, the rest for the 263 offices of their area)."""
    kinds = [k.value for k in Kind if rules.may_handle(actor, k)]
    if not kinds or actor.is_system:
        return []
    rows = session.scalars(
        _visible(actor)
        .where(Petition.state.in_(list(WAITING_KINDS)), Petition.kind.in_(kinds))
        .order_by(Petition.due_date.is_(None), Petition.due_date, Petition.id)
        .limit(limit)
    ).all()
    return [
        Waiting(WAITING_KINDS[p.state], f"{p.tracking_code} {p.topic}", p.id, p.due_date)
        for p in rows
    ]


@dataclass(frozen=True, slots=True)
class HotSpot:
    what: str  # 企业 / 地点
    key: str  # enterprise id or the location text
    count: int
    repeats: int  # of which marked as 重复信访
    petition_ids: tuple[int, ...]


def hot_spots(
    session: Session, actor: Actor, start: date, end: date, *, at_least: int = 2
) -> list[HotSpot]:
    """Enterprises and places with ``at_least`` petitions received in [start, end], most first."""
    rows = session.execute(
        _visible(actor)
        .with_only_columns(
            Petition.id, Petition.enterprise_id, Petition.location, Petition.repeat_of_id
        )
        .where(Petition.received_on >= start, Petition.received_on <= end)
        .order_by(Petition.id)
    ).all()
    groups: dict[tuple[str, str], list[tuple[int, bool]]] = {}
    for pid, enterprise_id, location, repeat_of in rows:
        flagged = repeat_of is not None
        if enterprise_id is not None:
            groups.setdefault(("企业", str(enterprise_id)), []).append((pid, flagged))
        elif location and location.strip():
            groups.setdefault(("地点", location.strip()), []).append((pid, flagged))
    spots = [
        HotSpot(what, key, len(items), sum(f for _, f in items), tuple(i for i, _ in items))
        for (what, key), items in groups.items()
        if len(items) >= at_least
    ]
    return sorted(spots, key=lambda s: (-s.count, -s.repeats, s.what, s.key))


# -- 带案下访 and 一企一策 ----------------------------------------------------------------------


def _visits_visible(actor: Actor) -> Select[PetitionVisit]:
    query = select(PetitionVisit)
    if actor.is_system:
        return query
    if not (rules.may_see(actor, Kind.SUGGESTION) or actor.role == Role.SUPERVISOR):
        return query.where(PetitionVisit.id.is_(None))
    return query.where(in_jurisdiction(actor, PetitionVisit.division_code))


def get_visit(session: Session, actor: Actor, visit_id: int) -> PetitionVisit:
    """A visit of the actor's area, else 404."""
    found = session.scalar(_visits_visible(actor).where(PetitionVisit.id == visit_id))
    if found is None:
        raise NotFound("带案下访记录")
    return found


def list_visits(session: Session, actor: Actor, *, limit: int = 200) -> list[PetitionVisit]:
    query = _visits_visible(actor).order_by(PetitionVisit.visited_on.desc(), PetitionVisit.id)
    return list(session.scalars(query.limit(limit)))


def visit_petition_ids(session: Session, visit_id: int) -> list[int]:
    rows = session.scalars(
        select(PetitionVisitItem.petition_id)
        .where(PetitionVisitItem.visit_id == visit_id)
        .order_by(PetitionVisitItem.id)
    )
    return list(rows)


def visit_items(
    session: Session, actor: Actor, visit_id: int
) -> list[tuple[PetitionVisitItem, Petition]]:
    """The petitions taken on a visit that the actor may see (a 检举控告 only to the 纪委监委)."""
    rows = session.execute(
        select(PetitionVisitItem, Petition)
        .join(Petition, Petition.id == PetitionVisitItem.petition_id)
        .where(
            PetitionVisitItem.visit_id == visit_id,
            Petition.id.in_(_visible(actor).with_only_columns(Petition.id)),
        )
        .order_by(PetitionVisitItem.id)
    ).all()
    return [(item, p) for item, p in rows]


def visits_of_petition(
    session: Session, petition_id: int
) -> list[tuple[PetitionVisit, PetitionVisitItem]]:
    """The visits a petition (already read by the caller) was taken on, latest first."""
    rows = session.execute(
        select(PetitionVisit, PetitionVisitItem)
        .join(PetitionVisitItem, PetitionVisitItem.visit_id == PetitionVisit.id)
        .where(PetitionVisitItem.petition_id == petition_id)
        .order_by(PetitionVisit.visited_on.desc(), PetitionVisit.id.desc())
    ).all()
    return [(v, i) for v, i in rows]


def plans_of_petitions(session: Session, petition_ids: list[int]) -> list[EnterprisePlan]:
    """The 一企一策 plans of these (already read) petitions, by due date."""
    if not petition_ids:
        return []
    rows = session.scalars(
        select(EnterprisePlan)
        .where(EnterprisePlan.petition_id.in_(petition_ids))
        .order_by(EnterprisePlan.due_date, EnterprisePlan.id)
    )
    return list(rows)


def open_petitions(session: Session, actor: Actor, *, limit: int = 200) -> list[Petition]:
    """The petitions the actor may take on a visit now (its area, 登记 or 办理中)."""
    kinds = [k.value for k in Kind if rules.may_handle(actor, k)]
    rows = session.scalars(
        _visible(actor)
        .where(
            Petition.state.in_([s.value for s in rules.VISITABLE_STATES]),
            Petition.kind.in_(kinds),
        )
        .order_by(Petition.division_code, Petition.id)
        .limit(limit)
    )
    return list(rows)
