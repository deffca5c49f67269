"""Registry routes: divisions, organizations, enterprises, 263 categories."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from eco263.registry import actions, service
from eco263.registry.models import Enterprise
from eco263.registry.schemas import DivisionOut, EnterpriseCreate, EnterpriseOut, OrganizationOut
from eco263.registry.service import in_jurisdiction
from eco263.web.deps import user_ctx
from eco263.web.inputs import Line

router = APIRouter(tags=["registry 基础数据"])


@router.get("/divisions", response_model=list[DivisionOut])
def divisions(
    request: Request, under: Annotated[Line | None, Query(max_length=12)] = None
) -> list[DivisionOut]:
    with user_ctx(request) as ctx:
        return [DivisionOut.model_validate(d) for d in service.list_divisions(ctx.session, under)]


@router.get("/categories")
def categories(request: Request) -> dict[str, str]:
    with user_ctx(request):
        return service.category_names()


@router.get("/organizations", response_model=list[OrganizationOut])
def organizations(request: Request) -> list[OrganizationOut]:
    with user_ctx(request) as ctx:
        return [OrganizationOut.model_validate(o) for o in service.list_organizations(ctx.session)]


@router.get("/enterprises", response_model=list[EnterpriseOut])
def enterprises(request: Request) -> list[EnterpriseOut]:
    """Enterprises in the caller's jurisdiction (an enterprise user sees only itself)."""
    with user_ctx(request) as ctx:
        query = select(Enterprise).order_by(Enterprise.id)
        if ctx.actor.enterprise_id is not None:
            query = query.where(Enterprise.id == ctx.actor.enterprise_id)
        else:
            query = query.where(in_jurisdiction(ctx.actor, Enterprise.division_code))
        return [EnterpriseOut.model_validate(e) for e in ctx.session.scalars(query)]


@router.post("/enterprises", response_model=EnterpriseOut, status_code=201)
def create_enterprise(request: Request, body: EnterpriseCreate) -> EnterpriseOut:
    with user_ctx(request) as ctx:
        enterprise = actions.do_create_enterprise(ctx, **body.model_dump())
        return EnterpriseOut.model_validate(enterprise)
