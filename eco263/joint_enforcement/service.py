"""Reads of 联合执法, scoped to who may read them.

An office, the 纪委 and a leader read the requests of their division subtree; a department
(a town, a bureau) reads the requests it made and those whose plan gives it a part or that
propose it; an enterprise reads none.  A request out of scope is a 404 like a missing one.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from eco263.actor import Actor, Role
from eco263.errors import NotFound
from eco263.joint_enforcement.enums import JointState
from eco263.joint_enforcement.models import JointLeader, JointRequest, JointUnit
from eco263.registry.service import in_jurisdiction


def request_filter(actor: Actor) -> ColumnElement[bool]:
    """The WHERE clause limiting requests to what ``actor`` may read."""
    if actor.is_system:
        return true()
    if actor.role == Role.ENTERPRISE:
        return false()
    if actor.role == Role.DEPARTMENT:
        if actor.organization_id is None:
            return false()
        mine = select(JointUnit.request_id).where(
            JointUnit.organization_id == actor.organization_id
        )
        return or_(
            JointRequest.requesting_org_id == actor.organization_id,
            JointRequest.id.in_(mine),
        )
    return in_jurisdiction(actor, JointRequest.division_code)


def get_request(session: Session, actor: Actor, request_id: int) -> JointRequest:
    """The request if it exists and ``actor`` may read it; NotFound otherwise."""
    found = session.scalar(
        select(JointRequest).where(JointRequest.id == request_id, request_filter(actor))
    )
    if found is None:
        raise NotFound("联合执法申请")
    return found


def list_requests(
    session: Session, actor: Actor, *, state: str | None = None, limit: int = 50, offset: int = 0
) -> list[JointRequest]:
    """Requests the actor may read, newest first."""
    query = select(JointRequest).where(request_filter(actor))
    if state in set(JointState):
        query = query.where(JointRequest.state == state)
    query = query.order_by(JointRequest.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(query))


def units_of(session: Session, request_id: int) -> list[JointUnit]:
    """The plan's units, lead first."""
    return list(
        session.scalars(
            select(JointUnit)
            .where(JointUnit.request_id == request_id)
            .order_by(JointUnit.is_lead.desc(), JointUnit.id)
        )
    )


def is_leader(session: Session, user_id: int | None, division_code: str) -> bool:
    """Whether the user holds the ``leader`` capability for this division's leading group."""
    if user_id is None:
        return False
    return (
        session.scalar(
            select(JointLeader.id).where(
                JointLeader.user_id == user_id,
                JointLeader.division_code == division_code,
            )
        )
        is not None
    )


def leader_divisions(session: Session, actor: Actor) -> set[str]:
    """The divisions whose leading group ``actor`` heads (for the pages)."""
    if actor.user_id is None:
        return set()
    return set(
        session.scalars(
            select(JointLeader.division_code).where(JointLeader.user_id == actor.user_id)
        )
    )


def awaiting_leader(session: Session, limit: int = 500) -> list[JointRequest]:
    """Every request whose leader decision is pending (for the reminder sweep)."""
    return list(
        session.scalars(
            select(JointRequest)
            .where(JointRequest.state.in_([JointState.REQUESTED, JointState.PLANNED]))
            .order_by(JointRequest.decision_due, JointRequest.id)
            .limit(limit)
        )
    )
