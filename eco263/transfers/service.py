"""Reads of transfers (行刑衔接), scoped by :func:`eco263.transfers.rules.may_read`.

A transfer the actor may not read is reported missing, exactly like one that does not exist
(its existence cannot be probed); the enterprise concerned never reads one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, select, true
from sqlalchemy.orm import Session

from eco263.actor import Actor, Role
from eco263.errors import NotFound
from eco263.registry import service as registry
from eco263.registry.enums import OrgKind
from eco263.transfers import rules
from eco263.transfers.enums import FINAL_STATES
from eco263.transfers.models import Transfer


def transfer_filter(actor: Actor) -> ColumnElement[bool]:
    """The WHERE clause of :func:`rules.may_read` (one statement for lists)."""
    if actor.is_system:
        return true()
    if actor.enterprise_id is not None or actor.role in (Role.ENTERPRISE, Role.VIEWER, None):
        return false()
    if actor.role in (Role.CITY_OFFICE, Role.DISTRICT_OFFICE, Role.SUPERVISOR):
        return registry.in_jurisdiction(actor, Transfer.division_code)
    if actor.role == Role.DEPARTMENT and actor.organization_id is not None:
        return Transfer.agency_org_id == actor.organization_id
    if actor.role == Role.POLICE and actor.organization_id is not None:
        return and_(
            Transfer.police_org_id == actor.organization_id,
            Transfer.state.in_(sorted(rules.POLICE_VISIBLE)),
        )
    return false()


def list_transfers(
    session: Session, actor: Actor, *, state: str | None = None, limit: int = 200
) -> list[Transfer]:
    query = select(Transfer).where(transfer_filter(actor))
    if state:
        query = query.where(Transfer.state == state)
    return list(session.scalars(query.order_by(Transfer.id.desc()).limit(limit)))


def get_transfer(session: Session, actor: Actor, transfer_id: int) -> Transfer:
    row = session.get(Transfer, transfer_id)
    if row is None or not rules.may_read(actor, row):
        raise NotFound("移送案件")
    return row


def transfer_of_alarm(session: Session, alarm_id: int) -> Transfer | None:
    """Whether an alarm was already proposed for a transfer (not scoped: for the proposal)."""
    return session.scalar(select(Transfer).where(Transfer.alarm_id == alarm_id))


def pending(session: Session) -> list[Transfer]:
    """Transfers with a step due (the escalation job's work list)."""
    return list(
        session.scalars(
            select(Transfer)
            .where(Transfer.due_at.is_not(None), Transfer.state.not_in(sorted(FINAL_STATES)))
            .order_by(Transfer.due_at)
        )
    )


def due_before(session: Session, at: datetime) -> list[Transfer]:
    return [t for t in pending(session) if t.due_at is not None and t.due_at <= at]


def units_of_kind(session: Session, kind: OrgKind) -> list[tuple[int, str, str]]:
    """(id, name, division) of every unit of ``kind`` (the forms' choices)."""
    return [
        (o.id, o.name, o.division_code)
        for o in registry.list_organizations(session)
        if o.kind == kind
    ]


def default_procuratorate(session: Session, police_division: str) -> int | None:
    """The procuratorate of the police unit's division (the copy goes to the same level)."""
    for org_id, _name, division in units_of_kind(session, OrgKind.PROCURATORATE):
        if division == police_division:
            return org_id
    return None


#: What a reader's pending step is called on the 待办 workbench.
WAITING_KIND = {
    "decide": "待决定移送",
    "hand_over": "待移交公安",
    "receive": "待签收移送",
    "supply_material": "待补充移送材料",
    "police_decide": "待作出立案决定",
    "request_review": "待决定是否提请复议",
    "answer_review": "待作出复议决定",
}


def waiting_for(session: Session, actor: Actor) -> list[tuple[str, Transfer]]:
    """The transfers whose next step the reader may take now, with the step's 待办 name: for
    the police unit, the receipt and the 立案 decision; for the agency, the decision (never
    by the proposer), the hand-over, the material, the review request."""
    if actor.role not in (Role.POLICE, Role.DEPARTMENT, Role.DISTRICT_OFFICE, Role.CITY_OFFICE):
        return []
    rows = session.scalars(
        select(Transfer)
        .where(transfer_filter(actor), Transfer.state.not_in(sorted(FINAL_STATES)))
        .order_by(Transfer.id)
        .limit(500)
    )
    items = []
    for t in rows:
        for step, kind in WAITING_KIND.items():
            if rules.step_refusal(step, actor, t) is None:
                items.append((kind, t))
                break
    return items
