"""证据清单: list an evidence item of a case — its kind, source, who collected it and when —
linked to an on-site record of the case or a file kept content-addressed (SHA-256).  An item
without its source, collector or time, or with neither record nor file, is refused with the
reason (422) and nothing is written (the file is stored only once every check has passed)."""

from __future__ import annotations

from eco263.clock import ensure_aware
from eco263.context import Ctx
from eco263.enforcement import rules, service
from eco263.enforcement.actions._common import require_enforcer
from eco263.enforcement.actions.lifecycle import SUBJECT
from eco263.enforcement.enums import (
    EVIDENCE_LABELS,
    STATE_LABELS,
    AuditAction,
    CaseState,
    EvidenceKind,
)
from eco263.enforcement.models import CaseEvidence
from eco263.enforcement.schemas import EvidenceIn
from eco263.errors import Conflict, InvalidInput, TooLarge
from eco263.evidence.rules import ACCEPTED_LABEL, safe_filename, sniff
from eco263.evidence.store import BlobStore


def do_add_evidence(
    ctx: Ctx,
    case_id: int,
    body: EvidenceIn,
    *,
    filename: str | None = None,
    data: bytes | None = None,
) -> CaseEvidence:
    """登记证据 by the enforcing unit's officer, from the clue up to the decision.

    ``data`` is the uploaded file (None: no file); it is checked by its bytes and kept in the
    content-addressed store; the audit event carries its SHA-256."""
    case = service.get_case(ctx.session, ctx.actor, case_id)
    require_enforcer(ctx, case)
    if CaseState(case.state) not in rules.RECORDABLE:
        raise Conflict(f"案件处于“{STATE_LABELS[CaseState(case.state)]}”，不能再登记证据")
    has_file = data is not None
    refusal = rules.evidence_refusal(
        source=body.source,
        collected_by=body.collected_by,
        has_record=body.record_id is not None,
        has_file=has_file,
    )
    if refusal:
        raise InvalidInput(refusal[1], field=refusal[0])
    collected = ensure_aware(body.collected_at)
    if collected > ctx.now:
        raise InvalidInput("证据收集时间不能晚于现在", field="collected_at")
    if body.record_id is not None and body.record_id not in {
        r.id for r in service.records_of(ctx.session, case.id)
    }:
        raise InvalidInput("所关联的执法笔录不属于本案", field="record_id")
    file_facts: dict[str, object] = {}
    if data is not None:
        if len(data) > ctx.settings.max_upload_bytes:
            limit_mb = ctx.settings.max_upload_bytes // (1024 * 1024)
            raise TooLarge(f"文件过大：上限 {limit_mb} MB", field="file")
        if not data:
            raise InvalidInput("证据文件为空", field="file")
        name = safe_filename(filename or "")
        content_type = sniff(data, name)
        if content_type is None:
            raise InvalidInput(f"不支持的文件类型：仅接受{ACCEPTED_LABEL}", field="file")
        file_facts = {
            "sha256": BlobStore(ctx.settings.attachments_path).put(data),
            "filename": name,
            "content_type": content_type,
            "size": len(data),
        }
    item = CaseEvidence(
        case_id=case.id,
        kind=EvidenceKind(body.kind).value,
        title=body.title.strip(),
        source=body.source.strip(),
        collected_by=body.collected_by.strip(),
        collected_at=collected,
        record_id=body.record_id,
        added_by=ctx.actor.user_id,
        added_at=ctx.now,
        **file_facts,
    )
    ctx.session.add(item)
    ctx.session.flush()
    ctx.audit(
        AuditAction.EVIDENCE,
        SUBJECT,
        case.id,
        None,
        {
            "evidence_id": item.id,
            "kind": EVIDENCE_LABELS[EvidenceKind(item.kind)],
            "title": item.title,
            "source": item.source,
            "collected_by": item.collected_by,
            "collected_at": collected,
            "record_id": item.record_id,
            **file_facts,
        },
    )
    return item
