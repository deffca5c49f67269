"""REST routes of 联合执法 (under /api/v1/joint-enforcement): thin, every write an action."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from eco263.joint_enforcement import actions, results, service
from eco263.joint_enforcement.models import JointRequest
from eco263.joint_enforcement.schemas import (
    DecisionIn,
    JointRequestIn,
    JointRequestOut,
    JointUnitOut,
    LeaderGrantIn,
    PlanIn,
    ResultIn,
    StepIn,
    VerifyIn,
)
from eco263.web.deps import user_ctx
from eco263.web.inputs import Id, Line, PageNumber

router = APIRouter(prefix="/joint-enforcement", tags=["joint enforcement 联合执法"])


def _out(session: object, req: JointRequest) -> JointRequestOut:
    out = JointRequestOut.model_validate(req)
    out.units = [
        JointUnitOut.model_validate(u)
        for u in service.units_of(session, req.id)  # type: ignore[arg-type]
    ]
    return out


@router.get("", response_model=list[JointRequestOut])
def list_requests(
    request: Request,
    state: Annotated[Line | None, Query(max_length=16)] = None,
    page: Annotated[PageNumber, Query()] = 1,
) -> list[JointRequestOut]:
    """Requests the caller may read, newest first."""
    with user_ctx(request) as ctx:
        rows = service.list_requests(ctx.session, ctx.actor, state=state, offset=(page - 1) * 50)
        return [_out(ctx.session, r) for r in rows]


@router.get("/{request_id}", response_model=JointRequestOut)
def get_request(request: Request, request_id: Id) -> JointRequestOut:
    with user_ctx(request) as ctx:
        return _out(ctx.session, service.get_request(ctx.session, ctx.actor, request_id))


@router.post("", response_model=JointRequestOut, status_code=201)
def create_request(request: Request, body: JointRequestIn) -> JointRequestOut:
    """申请联合执法 (a town, a department or the office, for a site in its area)."""
    with user_ctx(request) as ctx:
        return _out(ctx.session, actions.do_request(ctx, body))


@router.post("/leaders", status_code=201)
def grant_leader(request: Request, body: LeaderGrantIn) -> dict[str, int]:
    """授予组长审批权 (the leader capability for a division's leading group)."""
    with user_ctx(request) as ctx:
        grant = actions.do_grant_leader(ctx, body.user_id, body.division_code)
        return {"id": grant.id}


@router.post("/{request_id}/decision", response_model=JointRequestOut)
def decide_request(request: Request, request_id: Id, body: DecisionIn) -> JointRequestOut:
    """组长审批申请."""
    with user_ctx(request) as ctx:
        req = actions.do_decide_request(
            ctx, request_id, body.approve, body.note, version=body.version
        )
        return _out(ctx.session, req)


@router.post("/{request_id}/plan", response_model=JointRequestOut)
def plan(request: Request, request_id: Id, body: PlanIn) -> JointRequestOut:
    """制定方案 (263办)."""
    with user_ctx(request) as ctx:
        actions.do_plan(ctx, request_id, body)
        return _out(ctx.session, service.get_request(ctx.session, ctx.actor, request_id))


@router.post("/{request_id}/plan/decision", response_model=JointRequestOut)
def decide_plan(request: Request, request_id: Id, body: DecisionIn) -> JointRequestOut:
    """组长批准（或退回）方案: the units' 7 working days run from this approval."""
    with user_ctx(request) as ctx:
        req = actions.do_decide_plan(ctx, request_id, body.approve, body.note, version=body.version)
        return _out(ctx.session, req)


@router.post("/{request_id}/issue", response_model=JointRequestOut)
def issue(request: Request, request_id: Id, body: StepIn) -> JointRequestOut:
    """下达: register the ledger problem and dispatch each unit's part."""
    with user_ctx(request) as ctx:
        return _out(ctx.session, actions.do_issue(ctx, request_id, version=body.version))


@router.post("/{request_id}/result", response_model=JointRequestOut)
def report_result(request: Request, request_id: Id, body: ResultIn) -> JointRequestOut:
    """报送结果: the route and the 两断三清 photos."""
    with user_ctx(request) as ctx:
        return _out(ctx.session, results.do_report_result(ctx, request_id, body))


@router.post("/{request_id}/verification", response_model=JointRequestOut)
def verify(request: Request, request_id: Id, body: VerifyIn) -> JointRequestOut:
    """核查结果: accept (办结) or return; not by the one who reported."""
    with user_ctx(request) as ctx:
        req = results.do_verify_result(
            ctx, request_id, body.accept, body.note, version=body.version
        )
        return _out(ctx.session, req)
