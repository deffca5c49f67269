"""驾驶舱 page: the KPI cards, the map, the ranking, clues and live alarms in the reader's scope."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from eco263.dashboard import service as dashboard
from eco263.web.deps import user_ctx
from eco263.web.nav import may_open
from eco263.web.routing import PageRoute
from eco263.web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/")
def home(request: Request) -> Response:
    """驾驶舱; a role without a dashboard (enterprise) goes to its ledger."""
    with user_ctx(request) as ctx:
        if not may_open(request, ctx.actor, "dashboard"):
            return RedirectResponse("/problems", status_code=303)
        view = dashboard.build(ctx)
        return render(
            request,
            "dashboard.html",
            {"view": view},
            actor=ctx.actor,
            today=ctx.today,
            active="dashboard",
        )
