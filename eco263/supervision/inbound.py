"""What comes back from the 智慧监督 platform: clue status, 监督意见书, 问责.

Each signed request spends its signature (:func:`spend_signature`, the replay window) and
is recorded by its idempotency key (:func:`accept_request`) in the same transaction as its
effect, so an exact replay is refused (409 ``signature_replayed``), a re-signed retry too
(409 ``replayed``), and a refused request — bad signature, unknown clue, invalid body —
changes nothing.  Every effect is audited on the problems involved, so it shows in the
problem timeline.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError

from eco263.actor import Actor
from eco263.context import Ctx
from eco263.errors import Conflict, DomainError, InvalidInput, NotFound
from eco263.outbox.signing import Verified
from eco263.problems import actions as ledger
from eco263.problems import service as problems
from eco263.problems.enums import Source
from eco263.problems.schemas import AssignmentSpec, ProblemCreate
from eco263.registry import service as registry
from eco263.supervision import rules
from eco263.supervision.enums import AuditAction, ClueState, InboundKind
from eco263.supervision.events import OpinionReceived
from eco263.supervision.models import (
    Accountability,
    Clue,
    ClueStateChange,
    InboundRequest,
    SpentSignature,
    SupervisionOpinion,
)
from eco263.supervision.schemas import AccountabilityIn, ClueStatusIn, OpinionIn
from eco263.supervision.wire import SignatureReplayed, spend

#: Who acts when the platform's requests change things (shown in the audit chain).
PLATFORM = Actor(user_id=None, name="智慧监督平台", role=None, division_code="", division_path="")

#: A 监督意见书 without a category of its own, and without a clue's problem to take it from.
DEFAULT_OPINION_CATEGORY = "3I.enforcement"


class Replayed(DomainError):
    status_code = 409
    code = "replayed"


class IllegalStatus(Conflict):
    code = "illegal_status"


class DuplicateOpinion(Conflict):
    code = "duplicate_opinion"


def spend_signature(ctx: Ctx, verified: Verified, *, wire_now: datetime, max_skew: int) -> None:
    """Record the request's signature as answered, or refuse it as an exact replay (409)."""
    table = SpentSignature.__table__
    if not isinstance(table, Table):
        raise TypeError("spent_signature does not map a single table")
    if not spend(ctx.session, table, verified, now=wire_now, max_skew=max_skew):
        raise SignatureReplayed()


def accept_request(
    ctx: Ctx, *, key: str, kind: InboundKind, body_sha256: str, wire_timestamp: int
) -> InboundRequest:
    """Record a signed request by its idempotency key, or refuse it as a replay."""
    existing = ctx.session.scalar(
        select(InboundRequest).where(InboundRequest.idempotency_key == key)
    )
    if existing is not None:
        raise _replayed(existing)
    row = InboundRequest(
        idempotency_key=key,
        kind=kind.value,
        body_sha256=body_sha256,
        wire_timestamp=wire_timestamp,
        received_at=ctx.now,
    )
    try:
        with ctx.session.begin_nested():
            ctx.session.add(row)
            ctx.session.flush()
    except IntegrityError:  # a concurrent twin committed first
        twin = ctx.session.scalar(
            select(InboundRequest).where(InboundRequest.idempotency_key == key)
        )
        raise _replayed(twin) from None
    return row


def _replayed(row: InboundRequest | None) -> Replayed:
    details: dict[str, Any] = {}
    if row is not None:
        details = {"receipt_id": receipt_id(row), "result": row.result}
    return Replayed("该请求已处理过（幂等键重复），重放被拒绝", **details)


def receipt_id(row: InboundRequest) -> str:
    return f"eco263-in-{row.id}"


def _clue(ctx: Ctx, clue_id: int) -> Clue:
    clue = ctx.session.get(Clue, clue_id)
    if clue is None:
        raise NotFound("线索")
    return clue


def _audit_on(ctx: Ctx, clue: Clue | None, action: AuditAction, after: dict[str, Any]) -> None:
    if clue is not None and clue.problem_id:
        ctx.audit(action, "problem", clue.problem_id, None, after)
    elif clue is not None:
        ctx.audit(action, "clue", clue.id, None, after)


def do_record_clue_status(ctx: Ctx, body: ClueStatusIn) -> Clue:
    """The platform reports received / accepted / rejected / concluded for a clue."""
    clue = _clue(ctx, body.clue_id)
    current, target = ClueState(clue.state), ClueState(body.status)
    if not rules.may_move_state(current, target):
        allowed = sorted(s.value for s in rules.STATE_MOVES[current])
        raise IllegalStatus(
            f"线索当前状态为 {current.value}，不能改为 {target.value}", allowed=allowed
        )
    before = clue.state
    clue.state, clue.state_changed_at = target.value, ctx.now
    note = body.note.strip()
    ctx.session.add(
        ClueStateChange(
            clue_id=clue.id, state=target.value, note=note, source="platform", at=ctx.now
        )
    )
    _audit_on(
        ctx,
        clue,
        AuditAction.CLUE_STATUS,
        {"clue_id": clue.id, "from": before, "to": target.value, "note": note},
    )
    return clue


def do_receive_opinion(ctx: Ctx, body: OpinionIn) -> SupervisionOpinion:
    """监督意见书: a rectification problem (source 监督意见书) for the named unit, due by
    the opinion's deadline, dispatched to that unit; recorded and linked to its clue."""
    if ctx.session.scalar(
        select(SupervisionOpinion.id).where(SupervisionOpinion.opinion_no == body.opinion_no)
    ):
        raise DuplicateOpinion(f"监督意见书 {body.opinion_no} 已接收")
    clue = _clue(ctx, body.clue_id) if body.clue_id is not None else None
    org = registry.get_organization(ctx.session, body.organization_id)
    division = body.division_code or (clue.division_code if clue else org.division_code)
    registry.get_division(ctx.session, division)
    if body.issued_on > ctx.today:
        raise InvalidInput("意见书签发日期不能晚于今天", field="issued_on")
    if body.deadline < ctx.today:
        raise InvalidInput("整改期限不能早于今天", field="deadline")
    as_platform = replace(ctx, actor=PLATFORM)
    problem = ledger.do_register_problem(
        as_platform,
        ProblemCreate(
            title=f"【监督意见书】{body.title.strip()}",
            description=f"{body.opinion_no}\n{body.content}".strip(),
            source=Source.SUPERVISION_OPINION.value,
            category_code=_category(ctx, body, clue),
            division_code=division,
            found_on=body.issued_on,
            due_date=body.deadline,
        ),
    )
    ledger.do_dispatch(
        as_platform,
        problem.id,
        AssignmentSpec(organization_id=org.id, due_date=body.deadline),
        [],
    )
    opinion = SupervisionOpinion(
        opinion_no=body.opinion_no,
        clue_id=clue.id if clue else None,
        organization_id=org.id,
        division_code=division,
        title=body.title.strip(),
        content=body.content,
        deadline=body.deadline,
        issued_on=body.issued_on,
        problem_id=problem.id,
        received_at=ctx.now,
    )
    ctx.session.add(opinion)
    ctx.session.flush()
    after = {
        "opinion_id": opinion.id,
        "opinion_no": opinion.opinion_no,
        "clue_id": opinion.clue_id,
        "organization_id": org.id,
        "deadline": body.deadline,
        "problem_id": problem.id,
    }
    ctx.audit(AuditAction.OPINION, "problem", problem.id, None, after)
    _audit_on(ctx, clue, AuditAction.OPINION, after)
    ctx.announce(
        OpinionReceived(
            opinion.id, opinion.opinion_no, org.id, problem.id, opinion.title, opinion.deadline
        )
    )
    return opinion


def _category(ctx: Ctx, body: OpinionIn, clue: Clue | None) -> str:
    if body.category_code:
        registry.require_category(body.category_code)
        return body.category_code
    if clue is not None and clue.problem_id:
        return problems.problem_facts(ctx.session, clue.problem_id).category_code
    return DEFAULT_OPINION_CATEGORY


def do_record_accountability(ctx: Ctx, body: AccountabilityIn) -> Accountability:
    """问责: recorded on the clue and on the unit, visible in the clue's problem timeline."""
    clue = _clue(ctx, body.clue_id)
    org_id = body.organization_id or clue.organization_id
    if org_id is None:
        raise InvalidInput("线索未指明单位，请给出 organization_id", field="organization_id")
    org = registry.get_organization(ctx.session, org_id)
    if body.decided_on > ctx.today:
        raise InvalidInput("问责决定日期不能晚于今天", field="decided_on")
    record = Accountability(
        clue_id=clue.id,
        organization_id=org.id,
        person=body.person.strip(),
        position=body.position,
        form=body.form.value,
        measure=body.measure.strip(),
        decided_on=body.decided_on,
        note=body.note,
        received_at=ctx.now,
    )
    ctx.session.add(record)
    ctx.session.flush()
    after = {
        "accountability_id": record.id,
        "clue_id": clue.id,
        "organization_id": org.id,
        "person": record.person,
        "form": record.form,
        "measure": record.measure,
        "decided_on": record.decided_on,
    }
    _audit_on(ctx, clue, AuditAction.ACCOUNTABILITY, after)
    ctx.audit(AuditAction.ACCOUNTABILITY, "organization", org.id, None, after)
    return record
