"""What the ledger announces (see :mod:`eco263.events`): plain facts, no ORM objects.

The ledger does not know who listens; the composition root subscribes supervision's clue
rules (假整改, 整改不到位, 多次延期, 红牌) and, as they land, the notifications and the
assessment.  Handlers run in the announcing transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class ProblemRegistered:
    problem_id: int
    title: str
    source: str
    category_code: str
    division_code: str
    enterprise_id: int | None
    water_body: str | None


@dataclass(frozen=True, slots=True)
class AssignmentFacts:
    """One unit's part of a problem, as the clue rules need it."""

    assignment_id: int
    problem_id: int
    organization_id: int


@dataclass(frozen=True, slots=True)
class RectificationReturned:
    """The office returned a unit's rectification (退回): its ``returned_count``-th failure."""

    assignment: AssignmentFacts
    returned_count: int


@dataclass(frozen=True, slots=True)
class DeadlineExtended:
    """An extension was approved: the unit's deadline moved for the ``extension_count``-th time."""

    assignment: AssignmentFacts
    extension_count: int
    due_date: date


@dataclass(frozen=True, slots=True)
class RedCard:
    assignment: AssignmentFacts
    due_date: date


@dataclass(frozen=True, slots=True)
class RedCardsRaised:
    """The sweep raised these assignments to 红牌 (one batch, one transaction).

    ``duty_failure`` is what the escalation policy says a red card means.
    """

    cards: tuple[RedCard, ...]
    duty_failure: str


@dataclass(frozen=True, slots=True)
class AssignmentsDispatched:
    """交办: these assignments were created (one dispatch, one transaction)."""

    problem_id: int
    title: str
    assignments: tuple[AssignmentFacts, ...]
    due_dates: tuple[date, ...]


@dataclass(frozen=True, slots=True)
class Escalated:
    """One assignment raised by the sweep to ``level`` (1 临期, 2 逾期, 3 黄牌, 4 红牌)."""

    assignment: AssignmentFacts
    level: int
    due_date: date


@dataclass(frozen=True, slots=True)
class AssignmentsEscalated:
    """The sweep raised these assignments (one batch, one transaction), every level."""

    items: tuple[Escalated, ...]


@dataclass(frozen=True, slots=True)
class ExtensionDecided:
    """The office decided an extension request (approved or rejected)."""

    assignment: AssignmentFacts
    extension_id: int
    approved: bool
    due_date: date
    note: str


@dataclass(frozen=True, slots=True)
class AssignmentUrged:
    """催办: an office pressed the unit of an open assignment (its ``urge_count``-th time)."""

    assignment: AssignmentFacts
    urge_id: int
    note: str
    urge_count: int
    by_name: str


# -- facts read for supervision (by problems.service), not announced ---------------------------


@dataclass(frozen=True, slots=True)
class ProblemFacts:
    """What a clue says of a problem: its summary, its frozen document, the 假整改 rule."""

    id: int
    title: str
    source: str
    category_code: str
    division_code: str
    enterprise_id: int | None
    water_body: str | None
    state: str
    due_date: date
    registered_at: datetime
    closed_at: datetime | None
