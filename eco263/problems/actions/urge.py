"""催办/督办: a 263 office presses the unit of an open assignment in its area, with a note.

Recorded (its own row and the audit chain), counted on the assignment (``urge_count``) and
announced (:class:`~eco263.problems.events.AssignmentUrged`), so the notifications reach the
unit.  A unit never presses itself; an assignment out of the office's area is a 404.
"""

from __future__ import annotations

from eco263.context import Ctx
from eco263.errors import Conflict, Forbidden, InvalidInput
from eco263.problems import rules, service
from eco263.problems.actions._common import assignment_facts
from eco263.problems.enums import AssignmentState, AuditAction
from eco263.problems.events import AssignmentUrged
from eco263.problems.models import AssignmentUrge

NOTE_MAX = 500


def do_urge(ctx: Ctx, assignment_id: int, note: str) -> AssignmentUrge:
    """催办 one open assignment: the note is required; audited; the unit is notified."""
    assignment = service.get_assignment(ctx.session, ctx.actor, assignment_id)
    refusal = rules.urger_refusal(ctx.actor, assignment.organization_id)
    if refusal is not None:
        raise Forbidden(refusal)
    text = (note or "").strip()
    if not text:
        raise InvalidInput("请填写催办说明", field="note")
    if len(text) > NOTE_MAX:
        raise InvalidInput(f"催办说明不超过 {NOTE_MAX} 字", field="note")
    if assignment.state == AssignmentState.VERIFIED.value:
        raise Conflict(rules.URGE_CLOSED)
    urge = AssignmentUrge(
        assignment_id=assignment.id,
        problem_id=assignment.problem_id,
        organization_id=assignment.organization_id,
        note=text,
        urged_by=ctx.actor.user_id,
        urged_by_org_id=ctx.actor.organization_id,
        urged_at=ctx.now,
    )
    ctx.session.add(urge)
    before = assignment.urge_count or 0
    assignment.urge_count = before + 1
    ctx.session.flush()
    ctx.audit(
        AuditAction.URGE,
        "problem",
        assignment.problem_id,
        {"assignment_id": assignment.id, "urge_count": before},
        {
            "assignment_id": assignment.id,
            "urge_id": urge.id,
            "urge_count": assignment.urge_count,
            "note": text,
        },
    )
    ctx.announce(
        AssignmentUrged(
            assignment_facts(assignment), urge.id, text, assignment.urge_count, ctx.actor.name
        )
    )
    return urge
