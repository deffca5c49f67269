"""待办 page: what waits for the reader now, by urgency, each item linking to its page."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Request
from fastapi.responses import Response

from eco263.web.deps import user_ctx
from eco263.web.routing import PageRoute
from eco263.web.templating import render
from eco263.workbench import sources

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/workbench")
def workbench(request: Request) -> Response:
    with user_ctx(request) as ctx:
        items = sources.waiting(ctx)
        counts = sorted(Counter(i.kind for i in items).items())
        return render(
            request,
            "workbench/index.html",
            {"items": items, "counts": counts},
            actor=ctx.actor,
            today=ctx.today,
            active="workbench",
        )
