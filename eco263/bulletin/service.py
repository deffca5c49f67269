"""工作动态 reads: issues, items, the distribution (报/送 as data), the units' receipts, the
archive search, and the facts of a period gathered through the other domains' services.

Drafts come from: the ledger's media-exposed problems closed in the period, 专题询问 sittings held,
penalty cases closed, 联合执法 carried out, transferred cases the police filed, petitions answered,
and the latest stored assessment ranking. Hook for a domain being built (专项行动 campaigns): add a
``(ItemSource, gatherer)`` pair to :data:`GATHERERS` that returns
:class:`~eco263.bulletin.rules.Fact` rows from that domain's ``service``; nothing is invented
for it until then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from eco263.actor import Actor, Role
from eco263.assessment import service as assessment
from eco263.bulletin.enums import IssueState, ItemSource
from eco263.bulletin.models import BulletinIssue, BulletinItem, BulletinReceipt
from eco263.bulletin.pdf import docx_to_pdf
from eco263.bulletin.render import Article, BulletinDoc, render_docx
from eco263.bulletin.rules import Fact
from eco263.bulletin.sources import inquiry_facts, joint_facts, transfer_facts
from eco263.clock import ensure_aware
from eco263.enforcement import service as enforcement
from eco263.enforcement.enums import CaseState
from eco263.errors import Forbidden, InvalidInput, NotFound
from eco263.petitions import service as petitions
from eco263.petitions.enums import PetitionState
from eco263.problems import service as problems
from eco263.problems.enums import ProblemState, Source
from eco263.registry import service as registry
from eco263.registry.models import Organization


@dataclass(frozen=True, slots=True)
class Distribution:
    masthead_over: str
    masthead: str
    office: str
    printer: str
    bao: str
    song: str
    readers: tuple[dict[str, Any], ...]


@lru_cache(maxsize=1)
def distribution() -> Distribution:
    path = Path(str(resources.files("eco263") / "data" / "bulletin_distribution.yaml"))
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Distribution(
        raw["masthead_over"],
        raw["masthead"],
        raw["office"],
        raw["printer"],
        raw["bao"],
        raw["song"],
        tuple(raw.get("readers", [])),
    )


def _matches(rule: dict[str, Any], org: Organization) -> bool:
    if org.kind not in rule.get("kinds", []):
        return False
    if "division" in rule and org.division_code != str(rule["division"]):
        return False
    return not ("except_division" in rule and org.division_code == str(rule["except_division"]))


def reader_units(session: Session) -> list[tuple[str, Organization]]:
    """The units the 送 line reaches in the platform, with their group, in a stable order."""
    orgs = registry.list_organizations(session)
    found: list[tuple[str, Organization]] = []
    seen: set[int] = set()
    for rule in distribution().readers:
        for org in sorted(orgs, key=lambda o: (o.division_code, o.id)):
            if org.id not in seen and _matches(rule, org):
                found.append((str(rule["group"]), org))
                seen.add(org.id)
    return found


def is_reader_unit(session: Session, organization_id: int | None) -> bool:
    return organization_id is not None and any(
        o.id == organization_id for _, o in reader_units(session)
    )


def may_read_archive(actor: Actor) -> bool:
    """The offices, the 纪委 and the leaders read the archive; units read their own 收文."""
    return actor.is_system or actor.role in (
        Role.CITY_OFFICE,
        Role.DISTRICT_OFFICE,
        Role.SUPERVISOR,
        Role.VIEWER,
    )


def _readable(session: Session, actor: Actor, issue: BulletinIssue) -> bool:
    if actor.is_system or actor.role == Role.CITY_OFFICE:
        return True
    if issue.state != IssueState.PUBLISHED.value:
        return False
    return may_read_archive(actor) or is_reader_unit(session, actor.organization_id)


def get_issue(session: Session, actor: Actor, issue_id: int) -> BulletinIssue:
    issue = session.get(BulletinIssue, issue_id)
    if issue is None or not _readable(session, actor, issue):
        raise NotFound("工作动态")
    return issue


def by_number(session: Session, actor: Actor, number: int) -> BulletinIssue:
    issue = session.scalar(select(BulletinIssue).where(BulletinIssue.number == number))
    if issue is None or not _readable(session, actor, issue):
        raise NotFound(f"第 {number} 期工作动态")
    return issue


def number_taken(session: Session, number: int) -> bool:
    return (
        session.scalar(select(BulletinIssue.id).where(BulletinIssue.number == number)) is not None
    )


def next_number(session: Session) -> int:
    last = session.scalar(select(BulletinIssue.number).order_by(BulletinIssue.number.desc()))
    return int(last or 0) + 1


def items_of(session: Session, issue_id: int) -> list[BulletinItem]:
    return list(
        session.scalars(
            select(BulletinItem)
            .where(BulletinItem.issue_id == issue_id)
            .order_by(BulletinItem.position, BulletinItem.id)
        )
    )


def get_item(session: Session, issue_id: int, item_id: int) -> BulletinItem:
    item = session.get(BulletinItem, item_id)
    if item is None or item.issue_id != issue_id:
        raise NotFound("稿件")
    return item


def list_issues(
    session: Session,
    actor: Actor,
    *,
    text: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 200,
) -> list[BulletinIssue]:
    """The archive, newest first; drafts only for the city office; ``text`` searches titles
    and bodies of the items (and the issue number); ``since``/``until`` keep the issues whose
    period overlaps those dates."""
    query = select(BulletinIssue)
    if since is not None:
        query = query.where(BulletinIssue.period_to >= since)
    if until is not None:
        query = query.where(BulletinIssue.period_from <= until)
    if not (actor.is_system or actor.role == Role.CITY_OFFICE):
        if not (may_read_archive(actor) or is_reader_unit(session, actor.organization_id)):
            raise Forbidden("无权查看工作动态")
        query = query.where(BulletinIssue.state == IssueState.PUBLISHED.value)
    if text:
        like = f"%{text}%"
        hits = select(BulletinItem.issue_id).where(
            or_(BulletinItem.title.like(like), BulletinItem.body.like(like))
        )
        cond: ColumnElement[bool] = BulletinIssue.id.in_(hits)
        if text.isdigit():
            cond = or_(cond, BulletinIssue.number == int(text))
        query = query.where(cond)
    return list(session.scalars(query.order_by(BulletinIssue.number.desc()).limit(limit)))


def receipts_of(session: Session, issue_id: int) -> dict[int, BulletinReceipt]:
    rows = session.scalars(select(BulletinReceipt).where(BulletinReceipt.issue_id == issue_id))
    return {r.organization_id: r for r in rows}


def issues_read_by(session: Session, organization_id: int | None) -> set[int]:
    """The issues a unit has read (its receipts)."""
    if organization_id is None:
        return set()
    rows = session.scalars(
        select(BulletinReceipt.issue_id).where(BulletinReceipt.organization_id == organization_id)
    )
    return set(rows)


def receipt_table(session: Session, issue_id: int) -> list[dict[str, Any]]:
    """Each reader unit with its receipt (or none): what the office sees."""
    got = receipts_of(session, issue_id)
    rows = []
    for group, org in reader_units(session):
        r = got.get(org.id)
        rows.append(
            {
                "group": group,
                "unit": org.name,
                "organization_id": org.id,
                "read_at": r.read_at if r else None,
                "reader": r.reader_name if r else None,
            }
        )
    return rows


# --- the facts of a period, through the other domains' services -----------------------------


def _start(d: date) -> datetime:
    return ensure_aware(datetime.combine(d, time.min))


def _local(dt: datetime | None) -> date | None:
    from eco263.clock import local_date

    return local_date(dt) if dt else None


def _media(session: Session, actor: Actor, since: date, until: date) -> list[Fact]:
    filters = problems.ProblemFilters(
        states=[ProblemState.CLOSED.value], source=Source.MEDIA.value, closed_since=_start(since)
    )
    rows, _ = problems.list_problems(session, actor, filters, today=until, page_size=200)
    names = registry.division_names(session, {p.division_code for p in rows})
    facts = []
    for p in rows:
        closed = _local(p.closed_at)
        if closed is None or closed > until:
            continue
        lead = problems.responsible_assignment(session, p.id)
        unit = ""
        if lead is not None:
            unit = registry.organization_names(session, {lead.organization_id}).get(
                lead.organization_id, ""
            )
        facts.append(
            Fact(
                ItemSource.MEDIA,
                f"problem:{p.id}",
                names.get(p.division_code, p.division_code),
                p.title,
                p.description,
                p.found_on,
                closed,
                unit=unit,
            )
        )
    return facts


def _cases(session: Session, actor: Actor, since: date, until: date) -> list[Fact]:
    rows = enforcement.list_cases(
        session, actor, enforcement.CaseFilters(state=CaseState.CLOSED.value), limit=500
    )
    names = registry.division_names(session, {c.division_code for c in rows})
    orgs = registry.organization_names(session, {c.organization_id for c in rows})
    facts = []
    for c in rows:
        ended = c.decided_on or c.found_on
        if not since <= ended <= until:
            continue
        facts.append(
            Fact(
                ItemSource.CASE,
                f"case:{c.id}",
                names.get(c.division_code, c.division_code),
                f"{c.party_name}{c.title}",
                c.facts,
                c.found_on,
                ended,
                unit=orgs.get(c.organization_id, ""),
                amount=c.fine,
            )
        )
    return facts


ANSWERED = {
    PetitionState.ANSWERED.value,
    PetitionState.REVIEW_REQUESTED.value,
    PetitionState.REVIEWED.value,
    PetitionState.RECHECK_REQUESTED.value,
    PetitionState.RECHECKED.value,
}


def _petitions(session: Session, actor: Actor, since: date, until: date) -> list[Fact]:
    rows, _ = petitions.list_petitions(
        session, actor, petitions.PetitionFilters(), page=1, page_size=500
    )
    names = registry.division_names(session, {p.division_code for p in rows})
    return [
        # The complainant is confidential: never in the draft; the topic and place only.
        Fact(
            ItemSource.PETITION,
            f"petition:{p.id}",
            names.get(p.division_code, p.division_code),
            p.topic,
            p.location or "",
            p.received_on,
            p.answered_on,
        )
        for p in rows
        if p.state in ANSWERED and p.answered_on and since <= p.answered_on <= until
    ]


def _assessment(session: Session, actor: Actor, since: date, until: date) -> list[Fact]:
    ranking = assessment.latest_ranking(session, actor)
    if ranking is None or not ranking.rows:
        return []
    names = registry.division_names(session, {r.division_code for r in ranking.rows})
    rows = sorted(ranking.rows, key=lambda r: r.rank)
    return [
        Fact(
            ItemSource.ASSESSMENT,
            f"assessment:{ranking.scheme.id}:{ranking.period}",
            "",
            f"{ranking.period}年度" if len(ranking.period) == 4 else f"{ranking.period}期间",
            ranking.scheme.title,
            since,
            until,
            ranking=tuple((names.get(r.division_code, r.division_code), r.total) for r in rows),
        )
    ]


Gatherer = Callable[[Session, Actor, date, date], list[Fact]]

#: The sources of drafts, in the order their items are appended (专题询问 and 联合执法 in
#: :mod:`.sources`).  专项行动 is being built elsewhere: register its gatherer here.
GATHERERS: list[tuple[ItemSource, Gatherer]] = [
    (ItemSource.ASSESSMENT, _assessment),
    (ItemSource.MEDIA, _media),
    (ItemSource.INQUIRY, inquiry_facts),
    (ItemSource.CASE, _cases),
    (ItemSource.JOINT, joint_facts),
    (ItemSource.TRANSFER, transfer_facts),
    (ItemSource.PETITION, _petitions),
]


def facts_of_period(session: Session, actor: Actor, since: date, until: date) -> list[Fact]:
    facts: list[Fact] = []
    for _, gather in GATHERERS:
        facts.extend(gather(session, actor, since, until))
    return facts


def refs_in(session: Session, issue_id: int) -> set[str]:
    return {i.source_ref for i in items_of(session, issue_id) if i.source_ref}


def document_of(session: Session, issue: BulletinIssue) -> BulletinDoc:
    """What the renderer prints for ``issue``: its items in order, the distribution's lines."""
    d = distribution()
    return BulletinDoc(
        number=issue.number,
        issue_date=issue.issue_date,
        office=issue.office,
        printer=d.printer,
        masthead_over=d.masthead_over,
        masthead=d.masthead,
        bao=d.bao,
        song=d.song,
        articles=tuple(Article(i.title, i.body) for i in items_of(session, issue.id)),
    )


def render(session: Session, actor: Actor, number: int, fmt: str) -> bytes:
    """第 ``number`` 期 as ``docx`` or ``pdf`` bytes (NotFound for an unknown number)."""
    if fmt not in ("docx", "pdf"):
        raise InvalidInput("输出格式只能是 docx 或 pdf", field="format")
    issue = by_number(session, actor, number)
    docx = render_docx(document_of(session, issue))
    return docx if fmt == "docx" else docx_to_pdf(docx)


def require_office(actor: Actor) -> None:
    """Receipts are the city office's view."""
    if not (actor.is_system or actor.role == Role.CITY_OFFICE):
        raise Forbidden("仅市263办可以查看阅读回执")
