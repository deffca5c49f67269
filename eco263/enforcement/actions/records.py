"""全过程记录: an on-site act of a case recorded as a structured 笔录 — two officers at least,
each with his 执法证 number, the time, the place with its coordinates, the party present.
A record that misses any of it is refused with the reason (422) and nothing is written."""

from __future__ import annotations

from datetime import timedelta

from eco263.clock import ensure_aware
from eco263.context import Ctx
from eco263.enforcement import rules, service
from eco263.enforcement.actions._common import require_enforcer
from eco263.enforcement.actions.lifecycle import SUBJECT
from eco263.enforcement.enums import RECORD_LABELS, STATE_LABELS, AuditAction, CaseState, RecordKind
from eco263.enforcement.models import CaseRecord
from eco263.enforcement.schemas import RecordIn
from eco263.errors import Conflict, InvalidInput

#: How long an on-site act may last (a longer one is a typing error, not a record).
MAX_DURATION = timedelta(hours=24)


def do_add_record(ctx: Ctx, case_id: int, body: RecordIn) -> CaseRecord:
    """制作笔录 by the enforcing unit's officer, from the clue up to the decision."""
    case = service.get_case(ctx.session, ctx.actor, case_id)
    require_enforcer(ctx, case)
    if CaseState(case.state) not in rules.RECORDABLE:
        raise Conflict(f"案件处于“{STATE_LABELS[CaseState(case.state)]}”，不能再制作执法笔录")
    refusal = rules.officers_refusal(rules.Officer(o.name, o.badge) for o in body.officers)
    if refusal:
        raise InvalidInput(refusal[1], field=refusal[0])
    started, ended = ensure_aware(body.started_at), ensure_aware(body.ended_at)
    if ended < started:
        raise InvalidInput("笔录结束时间不能早于开始时间", field="ended_at")
    if ended - started > MAX_DURATION:
        raise InvalidInput("一次现场执法不应超过24小时，请核对时间", field="ended_at")
    if ended > ctx.now:
        raise InvalidInput("笔录时间不能晚于现在", field="ended_at")
    if started.date() < case.found_on - timedelta(days=1):
        raise InvalidInput("笔录时间不能早于案件发现日期", field="started_at")
    kind = RecordKind(body.kind)
    if kind == RecordKind.INSPECTION:
        if not body.findings.strip():
            raise InvalidInput("现场检查（勘察）笔录须记载检查发现的情况", field="findings")
        content: dict[str, object] = {
            "findings": body.findings.strip(),
            "measures": body.measures.strip(),
        }
    else:
        if not body.qa:
            raise InvalidInput("调查询问笔录须至少记载一问一答", field="qa")
        content = {"qa": [{"q": x.q.strip(), "a": x.a.strip()} for x in body.qa]}
    officers = [
        {"name": o.name.strip(), "badge": o.badge.strip()} for o in body.officers if o.name.strip()
    ]
    record = CaseRecord(
        case_id=case.id,
        kind=kind.value,
        started_at=started,
        ended_at=ended,
        place=body.place.strip(),
        lon=body.lon,
        lat=body.lat,
        party_present=body.party_present.strip(),
        party_role=body.party_role.strip(),
        officers=officers,
        content=content,
        recorded_by=ctx.actor.user_id,
        recorded_at=ctx.now,
    )
    ctx.session.add(record)
    ctx.session.flush()
    ctx.audit(
        AuditAction.RECORD,
        SUBJECT,
        case.id,
        None,
        {
            "record_id": record.id,
            "kind": RECORD_LABELS[kind],
            "officers": officers,
            "started_at": started,
            "ended_at": ended,
            "place": record.place,
            "lon": record.lon,
            "lat": record.lat,
            "party_present": record.party_present,
        },
    )
    return record
