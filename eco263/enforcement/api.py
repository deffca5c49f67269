"""REST routes of the penalty cases (reads; the writes are actions, their routes come next)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from eco263.enforcement import service
from eco263.enforcement.enums import STATE_LABELS, CaseState
from eco263.enforcement.models import PenaltyCase
from eco263.enforcement.schemas import CaseDetail, CaseOut, PauseOut
from eco263.web.deps import user_ctx
from eco263.web.inputs import Id, Line

router = APIRouter(tags=["enforcement 行政处罚"])


def _out(case: PenaltyCase) -> CaseOut:
    out = CaseOut.model_validate(case)
    out.state_label = STATE_LABELS[CaseState(case.state)]
    return out


@router.get("/enforcement/cases", response_model=list[CaseOut])
def list_cases(
    request: Request,
    state: Annotated[Line | None, Query(max_length=16)] = None,
    division: Annotated[Line | None, Query(max_length=12)] = None,
    enterprise_id: Annotated[Id | None, Query()] = None,
    problem_id: Annotated[Id | None, Query()] = None,
    limit: int = Query(default=200, ge=1, le=500),
) -> list[CaseOut]:
    """The cases the caller may read (its unit's, or its division's), newest first."""
    with user_ctx(request) as ctx:
        filters = service.CaseFilters(
            state=state, division_code=division, enterprise_id=enterprise_id, problem_id=problem_id
        )
        return [_out(c) for c in service.list_cases(ctx.session, ctx.actor, filters, limit=limit)]


@router.get("/enforcement/cases/{case_id}", response_model=CaseDetail)
def get_case(request: Request, case_id: Id) -> CaseDetail:
    """One case with its excluded periods; 404 when out of scope (the enterprise included)."""
    with user_ctx(request) as ctx:
        case = service.get_case(ctx.session, ctx.actor, case_id)
        pauses = [PauseOut.model_validate(p) for p in service.pauses_of(ctx.session, case.id)]
        return CaseDetail(case=_out(case), pauses=pauses)
