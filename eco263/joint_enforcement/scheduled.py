"""Reminders of the leader's pending decisions (组长审批催办).

A request or a plan waiting for the leader carries ``decision_due`` (``joint.approval``).  The
sweep raises ``reminder`` to 临期 on the last working day before it and to 逾期 after it, once
each (idempotent: a row only moves up, claimed by a conditional UPDATE on the value read),
and audits each reminder so the record shows who was reminded when.  The units' own
deadlines are ledger assignments: the ledger's sweep escalates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from eco263.actor import SYSTEM
from eco263.joint_enforcement import rules, service
from eco263.joint_enforcement.enums import AuditAction, Reminder
from eco263.joint_enforcement.models import JointRequest
from eco263.runtime import Runtime


@dataclass(slots=True)
class ReminderReport:
    examined: int = 0
    due_soon: int = 0
    overdue: int = 0


def remind(rt: Runtime, *, now: datetime) -> ReminderReport:
    """Raise the reminder of every pending leader decision to what its deadline has reached."""
    report = ReminderReport()
    with rt.sessions() as session, session.begin():
        ctx = rt.context(session, SYSTEM, now=now)
        for req in service.awaiting_leader(ctx.session):
            report.examined += 1
            if req.decision_due is None:
                continue
            level = rules.reminder_level(ctx.today, req.decision_due, ctx.calendar)
            order = rules.REMINDER_ORDER
            if order.index(level) <= order.index(Reminder(req.reminder)):
                continue
            claimed = ctx.session.execute(
                update(JointRequest)
                .where(JointRequest.id == req.id, JointRequest.reminder == req.reminder)
                .values(reminder=level.value)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                continue
            ctx.audit(
                AuditAction.REMIND,
                "joint_request",
                req.id,
                {"reminder": req.reminder},
                {
                    "reminder": level.value,
                    "state": req.state,
                    "decision_due": req.decision_due.isoformat(),
                },
            )
            if level == Reminder.OVERDUE:
                report.overdue += 1
            else:
                report.due_soon += 1
    return report
