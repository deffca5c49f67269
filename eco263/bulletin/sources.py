"""More sources of drafts, through the other domains' services: the period's 专题询问 sittings
(人大询问), its 联合执法 actions and the police's filing of transferred cases (行刑衔接).
Registered in :data:`eco263.bulletin.service.GATHERERS`."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from eco263.actor import Actor
from eco263.bulletin.enums import ItemSource
from eco263.bulletin.rules import Fact
from eco263.clock import local_date
from eco263.inquiries import service as inquiries
from eco263.joint_enforcement import service as joint
from eco263.joint_enforcement.enums import JointState
from eco263.registry import service as registry
from eco263.transfers import service as transfers
from eco263.transfers.enums import TransferState

#: A 联合执法 whose plan has been issued to the units (acting or later).
ISSUED = {JointState.ACTING.value, JointState.RESULTED.value, JointState.CLOSED.value}


#: A transfer the police filed (立案), with or without its outcome recorded.
FILED = {TransferState.FILED.value, TransferState.CONCLUDED.value}


def _unique(names: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for n in names if n))


def inquiry_facts(session: Session, actor: Actor, since: date, until: date) -> list[Fact]:
    """Each 专题询问 sitting held in the period: the committee, the theme, the questions'
    topics and the answering units."""
    facts = []
    for s in inquiries.list_sittings(session, actor, limit=200):
        if not since <= s.held_on <= until:
            continue
        questions = inquiries.questions_of(session, s.id)
        orgs = registry.organization_names(
            session, {q.organization_id for q in questions} | {s.committee_org_id}
        )
        facts.append(
            Fact(
                ItemSource.INQUIRY,
                f"inquiry:{s.id}",
                "",
                s.session_name,
                s.theme,
                s.held_on,
                s.held_on,
                unit=orgs.get(s.committee_org_id, ""),
                amount=len(questions),
                topics=_unique([q.topic for q in questions]),
                units=_unique([orgs.get(q.organization_id, "") for q in questions]),
            )
        )
    return facts


def joint_facts(session: Session, actor: Actor, since: date, until: date) -> list[Fact]:
    """Each 联合执法 carried out (plan issued) on a day of the period: the site, the reason
    and the units."""
    facts = []
    for r in joint.list_requests(session, actor, limit=500):
        if r.state not in ISSUED or r.action_date is None:
            continue
        if not since <= r.action_date <= until:
            continue
        units = joint.units_of(session, r.id)
        orgs = registry.organization_names(session, {u.organization_id for u in units})
        names = registry.division_names(session, {r.division_code})
        facts.append(
            Fact(
                ItemSource.JOINT,
                f"joint:{r.id}",
                names.get(r.division_code, r.division_code),
                r.site_name,
                r.reason,
                r.action_date,
                r.action_date,
                units=_unique([orgs.get(u.organization_id, "") for u in units]),
                topics=_unique([u.tasks for u in units]),
            )
        )
    return facts


def transfer_facts(session: Session, actor: Actor, since: date, until: date) -> list[Fact]:
    """Each transferred case the police filed in the period: the agency, the summary (no
    names of persons), the police, and how many persons a coercive measure reached."""
    facts = []
    for t in transfers.list_transfers(session, actor, limit=500):
        filed = local_date(t.police_decided_at) if t.police_decided_at else None
        if t.state not in FILED or filed is None or not since <= filed <= until:
            continue
        orgs = registry.organization_names(session, {t.agency_org_id, t.police_org_id or 0})
        names = registry.division_names(session, {t.division_code})
        measures = [str(p.get("measure", "")) for p in (t.outcome or [])]
        facts.append(
            Fact(
                ItemSource.TRANSFER,
                f"transfer:{t.id}",
                names.get(t.division_code, t.division_code),
                orgs.get(t.agency_org_id, ""),
                t.summary,
                local_date(t.proposed_at),
                filed,
                unit=orgs.get(t.police_org_id or 0, ""),
                amount=len([m for m in measures if m]),
                topics=_unique(measures),
            )
        )
    return facts
