"""What supervision announces (see :mod:`eco263.events`): plain facts, no ORM objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class OpinionReceived:
    """监督意见书 received for a unit: its rectification problem is on the ledger."""

    opinion_id: int
    opinion_no: str
    organization_id: int
    problem_id: int
    title: str
    deadline: date
