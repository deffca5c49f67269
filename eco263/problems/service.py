"""Reads of the ledger, always through the actor's scope."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from eco263.actor import Actor
from eco263.errors import NotFound
from eco263.evidence import service as evidence
from eco263.evidence.schemas import AttachmentOut
from eco263.problems.enums import AssignmentState, ProblemState
from eco263.problems.events import AssignmentFacts, ProblemFacts
from eco263.problems.models import Assignment, AssignmentUrge, ExtensionRequest, Problem
from eco263.problems.queue import Waiting as Waiting
from eco263.problems.queue import waiting_for as waiting_for
from eco263.problems.rules import OPEN_PROBLEM_STATES
from eco263.problems.scope import nearest_due
from eco263.problems.scope import problem_filter as problem_filter
from eco263.problems.scope import row_units as row_units
from eco263.problems.stats import DivisionStats as DivisionStats
from eco263.problems.stats import division_stats as division_stats
from eco263.problems.stats import month_start as month_start
from eco263.registry.models import Division, Enterprise
from eco263.registry.service import in_jurisdiction


@dataclass(slots=True)
class ProblemFilters:
    """What a ledger list can be narrowed by; every field optional."""

    division: str | None = None
    states: list[str] = field(default_factory=list)
    source: str | None = None
    category: str | None = None
    overdue: bool = False
    due_soon_until: date | None = None
    text: str | None = None
    enterprise_id: int | None = None
    #: 本月销号: closed at or after this instant (the dashboard card's list).
    closed_since: datetime | None = None
    #: ``division``'s subtree, looked up once (see :func:`resolve_division`): a literal list
    #: lets the planner walk the (division, state, id) index instead of guessing.
    division_codes: frozenset[str] | None = None
    #: Only these rows (the ledger's ticked rows, exported): still scoped and filtered.
    ids: frozenset[int] | None = None


def resolve_division(session: Session, filters: ProblemFilters) -> ProblemFilters:
    """Fill ``division_codes`` from ``division`` (an unknown code matches nothing)."""
    if filters.division and filters.division_codes is None:
        path = session.scalar(select(Division.path).where(Division.code == filters.division))
        codes = session.scalars(select(Division.code).where(Division.path.startswith(path or "-")))
        filters.division_codes = frozenset(codes)
    return filters


def ledger_is_empty(session: Session) -> bool:
    return session.scalar(select(Problem.id).limit(1)) is None


def get_problem(session: Session, actor: Actor, problem_id: int) -> Problem:
    """The problem if it exists *and* the actor may read it; otherwise NotFound (404)."""
    problem = session.scalar(select(Problem).where(Problem.id == problem_id, problem_filter(actor)))
    if problem is None:
        raise NotFound("问题")
    return problem


def attachments_of(session: Session, actor: Actor, problem_id: int) -> list[AttachmentOut]:
    """The evidence files of a problem the actor may read (NotFound otherwise)."""
    get_problem(session, actor, problem_id)
    return evidence.attachments_of(session, problem_id)


def get_attachment(session: Session, actor: Actor, attachment_id: int) -> AttachmentOut:
    """An evidence file, if the actor may read its problem; the same 404 either way."""
    attachment = evidence.get_attachment(session, attachment_id)
    try:
        get_problem(session, actor, attachment.problem_id)
    except NotFound:
        raise NotFound("附件") from None
    return attachment


def titles_and_divisions(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Problem id → (title, division code), in one query, unscoped (for the system's rules)."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(Problem.id, Problem.title, Problem.division_code).where(Problem.id.in_(wanted))
    )
    return {r.id: (r.title, r.division_code) for r in rows}


def get_assignment(session: Session, actor: Actor, assignment_id: int) -> Assignment:
    row = session.execute(
        select(Assignment)
        .join(Problem, Problem.id == Assignment.problem_id)
        .where(Assignment.id == assignment_id, problem_filter(actor))
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("交办事项")
    return row


def assignments_of(session: Session, problem_id: int) -> list[Assignment]:
    return list(
        session.scalars(
            select(Assignment)
            .where(Assignment.problem_id == problem_id)
            .order_by(Assignment.is_lead.desc(), Assignment.id)
        )
    )


def assignments_of_many(session: Session, problem_ids: list[int]) -> list[Assignment]:
    """The assignments of problems already read in scope (an export's chunk), lead first."""
    if not problem_ids:
        return []
    return list(
        session.scalars(
            select(Assignment)
            .where(Assignment.problem_id.in_(problem_ids))
            .order_by(Assignment.problem_id, Assignment.is_lead.desc(), Assignment.id)
        )
    )


def open_assignments_of_unit(session: Session, org_id: int) -> int:
    """How many not yet verified assignments of open problems the unit carries (系统管理 will
    not deactivate a unit with open work)."""
    query = (
        select(func.count())
        .select_from(Assignment)
        .join(Problem, Problem.id == Assignment.problem_id)
        .where(
            Assignment.organization_id == org_id,
            Assignment.state != AssignmentState.VERIFIED.value,
            Problem.state.in_([s.value for s in OPEN_PROBLEM_STATES]),
        )
    )
    return int(session.scalar(query) or 0)


def extensions_of(session: Session, problem_id: int) -> list[ExtensionRequest]:
    return list(
        session.scalars(
            select(ExtensionRequest)
            .join(Assignment, Assignment.id == ExtensionRequest.assignment_id)
            .where(Assignment.problem_id == problem_id)
            .order_by(ExtensionRequest.id)
        )
    )


def _where_rows(filters: ProblemFilters) -> list[ColumnElement[bool]]:
    """The division (and its subtree) and the ticked rows, when given."""
    conditions: list[ColumnElement[bool]] = []
    if filters.division_codes is not None:
        conditions.append(Problem.division_code.in_(sorted(filters.division_codes)))
    elif filters.division:
        prefix = select(Division.path).where(Division.code == filters.division).scalar_subquery()
        subtree = select(Division.code).where(Division.path.startswith(prefix))
        conditions.append(Problem.division_code.in_(subtree))
    if filters.ids is not None:
        conditions.append(Problem.id.in_(sorted(filters.ids)))
    return conditions


def filtered_query(actor: Actor, filters: ProblemFilters, today: date) -> Select[Problem]:
    """The scoped, filtered SELECT behind the list, the export and the dashboard."""
    conditions: list[ColumnElement[bool]] = [problem_filter(actor), *_where_rows(filters)]
    if filters.states:
        conditions.append(Problem.state.in_(filters.states))
    if filters.source:
        conditions.append(Problem.source == filters.source)
    if filters.category:
        conditions.append(
            or_(
                Problem.category_code == filters.category,
                Problem.category_code.startswith(filters.category + "."),
            )
        )
    if filters.enterprise_id is not None:
        conditions.append(Problem.enterprise_id == filters.enterprise_id)
    open_states = [s.value for s in OPEN_PROBLEM_STATES]
    if filters.overdue or filters.due_soon_until is not None:
        due = nearest_due(actor)  # each unit's own deadline (eco263/problems/scope.py)
        conditions.append(Problem.state.in_(open_states))
        if filters.overdue:
            conditions.append(due < today)
        if filters.due_soon_until is not None:
            conditions.append(and_(due >= today, due <= filters.due_soon_until))
    if filters.closed_since is not None:
        closed = ProblemState.CLOSED.value
        conditions.append(and_(Problem.state == closed, Problem.closed_at >= filters.closed_since))
    if filters.text:
        # The pattern goes into the SQL text (escaped by SQLAlchemy), not as a bind parameter:
        # a parameterised LIKE becomes a prepared statement after a few runs (psycopg) whose
        # generic plan PostgreSQL then reuses for every term.  With the trigram indexes that
        # plan is a bitmap scan of all four, right for "阳澄湖" but, for a two-character term
        # (no trigram in it), a scan of every index entry: 400 ms instead of a 60 ms table scan.
        # As a literal, each term is planned for itself.
        like = literal(f"%{filters.text.strip()}%", String(), literal_execute=True)
        conditions.append(
            or_(
                Problem.title.like(like),
                Problem.description.like(like),
                Problem.location.like(like),
                Problem.water_body.like(like),
            )
        )
    return select(Problem).where(*conditions)


def list_problems(
    session: Session,
    actor: Actor,
    filters: ProblemFilters,
    *,
    today: date,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[Problem], int]:
    """One page of the ledger, newest first, and the total count under the same filters."""
    query = filtered_query(actor, resolve_division(session, filters), today)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = session.scalars(
        query.order_by(Problem.id.desc()).limit(page_size).offset((page - 1) * page_size)
    ).all()
    return list(items), int(total or 0)


def find_open_duplicate(
    session: Session,
    *,
    category_code: str,
    enterprise_id: int | None,
    water_body: str | None,
    exclude_id: int | None = None,
) -> Problem | None:
    """An open problem of the same category on the same enterprise or water body."""
    same_target: list[ColumnElement[bool]] = []
    if enterprise_id is not None:
        same_target.append(Problem.enterprise_id == enterprise_id)
    if water_body and water_body.strip():
        same_target.append(Problem.water_body == water_body.strip())
    if not same_target:
        return None
    query = select(Problem).where(
        Problem.category_code == category_code,
        Problem.state.in_([s.value for s in OPEN_PROBLEM_STATES]),
        or_(*same_target),
    )
    if exclude_id is not None:
        query = query.where(Problem.id != exclude_id)
    return session.scalars(query.order_by(Problem.id).limit(1)).first()


def is_open(problem: Problem) -> bool:
    return ProblemState(problem.state) in OPEN_PROBLEM_STATES


# -- reads behind the web pages: sorted ledger, export, dashboard aggregates -------------------

#: Sort keys the ledger page offers (column → query column); ties break on id, newest first.
SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "id": Problem.id,
    "title": Problem.title,
    "source": Problem.source,
    "category": Problem.category_code,
    "division": Problem.division_code,
    "state": Problem.state,
    "found": Problem.found_on,
    "due": Problem.due_date,
    "escalation": Problem.escalation,
}


def _ordered(
    query: Select[Problem], sort: str, descending: bool, actor: Actor | None = None
) -> Select[Problem]:
    column: Any = SORT_COLUMNS.get(sort, Problem.id)
    if sort == "due" and actor is not None:
        column = nearest_due(actor)  # the deadline the row shows
    primary = column.desc() if descending else column.asc()
    return query.order_by(primary, Problem.id.desc())


def ledger_page(
    session: Session,
    actor: Actor,
    filters: ProblemFilters,
    *,
    today: date,
    sort: str = "id",
    descending: bool = True,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[Problem], int]:
    """One sorted page of the ledger and the total under the same filters (two statements)."""
    query = filtered_query(actor, filters, today)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = session.scalars(
        _ordered(query, sort, descending, actor).limit(page_size).offset((page - 1) * page_size)
    ).all()
    return list(items), int(total or 0)


def ledger_rows(
    session: Session,
    actor: Actor,
    filters: ProblemFilters,
    *,
    today: date,
    sort: str = "id",
    descending: bool = True,
    chunk: int = 1000,
) -> Iterator[list[Problem]]:
    """Every row under the filters, in the page's order, in chunks (the Excel export)."""
    query = _ordered(filtered_query(actor, filters, today), sort, descending, actor)
    result = session.scalars(query.execution_options(yield_per=chunk))
    for part in result.partitions(chunk):
        yield list(part)


def lead_units(session: Session, problem_ids: list[int]) -> dict[int, int]:
    """problem id → organization id of its lead unit (牵头单位), for the given problems."""
    if not problem_ids:
        return {}
    rows = session.execute(
        select(Assignment.problem_id, Assignment.organization_id).where(
            Assignment.problem_id.in_(problem_ids), Assignment.is_lead.is_(True)
        )
    )
    return {r.problem_id: r.organization_id for r in rows}


def enterprises_in_scope(session: Session, actor: Actor) -> list[Enterprise]:
    """Enterprises a problem may be filed against: those in the actor's jurisdiction."""
    query = select(Enterprise).order_by(Enterprise.name)
    if actor.enterprise_id is not None:
        query = query.where(Enterprise.id == actor.enterprise_id)
    else:
        query = query.where(in_jurisdiction(actor, Enterprise.division_code))
    return list(session.scalars(query))


# -- reads for supervision ---------------------------------------------------------------------
# Unscoped: the clue rules run as the system, on facts the ledger announced.


_FACT_NAMES = tuple(ProblemFacts.__dataclass_fields__)
_FACT_COLUMNS = tuple(getattr(Problem, name) for name in _FACT_NAMES)


def _facts(p: Any) -> ProblemFacts:
    """From a ``Problem`` row or a row of :data:`_FACT_COLUMNS` (the fields by name)."""
    return ProblemFacts(*(getattr(p, name) for name in _FACT_NAMES))


def problem_facts(session: Session, problem_id: int) -> ProblemFacts:
    """One problem's facts, through the session's identity map (no statement when the
    transaction already holds the row); ``NoResultFound`` if there is no such problem."""
    return _facts(session.get_one(Problem, problem_id))


def problem_facts_by_id(session: Session, ids: Iterable[int]) -> dict[int, ProblemFacts]:
    """Problem id → facts for the problems that exist among ``ids``, in one statement (none
    for no ids): a batch of clues reads its problems once."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(select(*_FACT_COLUMNS).where(Problem.id.in_(wanted)))
    return {r.id: _facts(r) for r in rows}


def responsible_assignment(session: Session, problem_id: int) -> AssignmentFacts | None:
    """The unit answerable for a problem: its lead assignment (牵头), else its first one;
    None while the problem is not dispatched."""
    first = next(iter(assignments_of(session, problem_id)), None)
    return AssignmentFacts(first.id, first.problem_id, first.organization_id) if first else None


def closed_on_same_target(
    session: Session,
    *,
    category_code: str,
    enterprise_id: int | None,
    water_body: str | None,
    division_code: str,
    since: datetime,
    exclude_id: int,
) -> list[ProblemFacts]:
    """Problems closed (销号; a merged duplicate is not closed) at or after ``since`` in the
    same category, on the same enterprise or on the same water body in the same division,
    other than ``exclude_id``: one statement, none when there is neither an enterprise nor a
    water body to compare."""
    same: list[ColumnElement[bool]] = []
    if enterprise_id is not None:
        same.append(Problem.enterprise_id == enterprise_id)
    if water_body and water_body.strip():
        same.append(
            and_(Problem.water_body == water_body.strip(), Problem.division_code == division_code)
        )
    if not same:
        return []
    rows = session.execute(
        select(*_FACT_COLUMNS).where(
            Problem.state == ProblemState.CLOSED.value,
            Problem.category_code == category_code,
            Problem.closed_at >= since,
            Problem.id != exclude_id,
            or_(*same),
        )
    )
    return [_facts(r) for r in rows if r.closed_at is not None]


def urges_of(session: Session, problem_id: int) -> list[AssignmentUrge]:
    """The 催办 of a problem's assignments, oldest first (read for its page)."""
    return list(
        session.scalars(
            select(AssignmentUrge)
            .where(AssignmentUrge.problem_id == problem_id)
            .order_by(AssignmentUrge.id)
        )
    )


def problem_id_by_title(session: Session, title: str) -> int | None:
    """The first problem with exactly this title (the demo's replays name problems so)."""
    return session.scalar(select(Problem.id).where(Problem.title == title).order_by(Problem.id))
