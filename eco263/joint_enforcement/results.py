"""联合执法 results: the site's disposal route and its 两断三清 photos, then the verification
by someone other than the one who reported it (the same transaction rules as
:mod:`.actions`)."""

from __future__ import annotations

from eco263.actor import Role
from eco263.context import Ctx
from eco263.errors import Forbidden, InvalidInput, NotFound
from eco263.joint_enforcement import rules, service
from eco263.joint_enforcement.actions import _bump, snapshot
from eco263.joint_enforcement.enums import AuditAction
from eco263.joint_enforcement.models import JointRequest
from eco263.joint_enforcement.schemas import ResultIn
from eco263.problems import service as problems


def _may_report(ctx: Ctx, req: JointRequest) -> bool:
    if ctx.actor.is_office:
        return True
    if ctx.actor.role != Role.DEPARTMENT or ctx.actor.organization_id is None:
        return False
    units = service.units_of(ctx.session, req.id)
    return any(u.is_lead and u.organization_id == ctx.actor.organization_id for u in units)


def do_report_result(ctx: Ctx, request_id: int, data: ResultIn) -> JointRequest:
    """报送结果: the office or the lead unit reports the route and the 两断三清 photos (each an
    image already attached to the request's ledger problem)."""
    req = service.get_request(ctx.session, ctx.actor, request_id)
    if not _may_report(ctx, req):
        raise Forbidden("只有263办或牵头单位可以报送联合执法结果")
    target = rules.next_state(req.state, "result")
    route = rules.check_result(data.route, data.checklist)
    for item, attachment_id in data.checklist.items():
        try:
            attachment = problems.get_attachment(ctx.session, ctx.actor, attachment_id)
        except NotFound:
            raise InvalidInput(f"{item}的照片 {attachment_id} 不存在", field="checklist") from None
        if attachment.problem_id != req.problem_id:
            raise InvalidInput(f"{item}的照片不属于本次联合执法", field="checklist")
        if not attachment.content_type.startswith("image/"):
            raise InvalidInput(f"{item}须上传现场照片", field="checklist")
    before = snapshot(req)
    _bump(ctx, req, data.version, target)
    req.route, req.checklist, req.result_note = route.value, dict(data.checklist), data.note
    req.result_by, req.result_at = ctx.actor.user_id, ctx.now
    ctx.audit(
        AuditAction.RESULT,
        "joint_request",
        req.id,
        before,
        {**snapshot(req), "checklist": req.checklist, "note": data.note},
    )
    return req


def do_verify_result(
    ctx: Ctx, request_id: int, accept: bool, note: str = "", *, version: int | None = None
) -> JointRequest:
    """核查: the office accepts the result (办结) or returns it; never the one who reported."""
    req = service.get_request(ctx.session, ctx.actor, request_id)
    rules.require_office(ctx.actor, "核查联合执法结果")
    rules.require_other_verifier(ctx.actor, req.result_by)
    target = rules.next_state(req.state, "verify" if accept else "return_result")
    before = snapshot(req)
    _bump(ctx, req, version, target)
    if accept:
        req.verified_by, req.closed_at = ctx.actor.user_id, ctx.now
        action = AuditAction.VERIFY
    else:
        req.route, req.checklist, req.result_by, req.result_at = None, None, None, None
        action = AuditAction.RETURN_RESULT
    ctx.audit(action, "joint_request", req.id, before, {**snapshot(req), "note": note})
    return req
