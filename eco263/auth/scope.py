"""Who is acting, and what they may see (辖区).

Jurisdiction is enforced in the service layer: every read of a scoped table
goes through :func:`problem_filter`, so a route cannot forget it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import InstrumentedAttribute, aliased

from eco263.auth.enums import OFFICE_ROLES, Role
from eco263.problems.models import Assignment, Problem
from eco263.registry.models import Division


@dataclass(frozen=True, slots=True)
class Actor:
    """The acting user (or the system), with the scope resolved once per request."""

    user_id: int | None
    name: str
    role: Role | None
    division_code: str
    division_path: str
    organization_id: int | None = None
    enterprise_id: int | None = None
    #: The codes of the actor's division subtree, resolved once per request so scoped
    #: queries carry a literal list the planner can use (not a correlated subquery).
    division_codes: frozenset[str] = frozenset()

    @property
    def is_system(self) -> bool:
        return self.role is None

    @property
    def is_office(self) -> bool:
        return self.role in OFFICE_ROLES or self.is_system


SYSTEM = Actor(user_id=None, name="系统", role=None, division_code="", division_path="")


def division_subtree(actor: Actor) -> ColumnElement[bool]:
    """Division rows inside the actor's jurisdiction (its division and everything below)."""
    if actor.is_system:
        return true()
    return Division.code.in_(sorted(actor.division_codes))


def in_jurisdiction(actor: Actor, column: InstrumentedAttribute[str]) -> ColumnElement[bool]:
    """``column`` (a division code) lies inside the actor's jurisdiction."""
    if actor.is_system:
        return true()
    return column.in_(sorted(actor.division_codes))


def problem_filter(actor: Actor) -> ColumnElement[bool]:
    """The WHERE clause that limits problems to what ``actor`` may read."""
    if actor.is_system:
        return true()
    if actor.role == Role.ENTERPRISE:
        if actor.enterprise_id is None:
            return false()
        return Problem.enterprise_id == actor.enterprise_id
    if actor.role == Role.DEPARTMENT:
        if actor.organization_id is None:
            return false()
        theirs = aliased(Assignment)
        return Problem.id.in_(
            select(theirs.problem_id).where(theirs.organization_id == actor.organization_id)
        )
    return in_jurisdiction(actor, Problem.division_code)
