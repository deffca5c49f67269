"""帮助 pages: ``/help`` (the guides, the reader's own first) and ``/help/{role}``.

They are open without login too (the login page links them) and to a user who must first
change a password (:data:`eco263.web.deps.PASSWORD_PAGE`); they say only what the platform
does today.  Templates: ``web/templates/help/``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from eco263.actor import Actor, Role
from eco263.errors import NotFound, Unauthenticated
from eco263.web.deps import user_ctx
from eco263.web.routing import PageRoute
from eco263.web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)

#: The guides, in the order the index lists them: (role, title, who it is for).
GUIDES: tuple[tuple[Role, str, str], ...] = (
    (Role.CITY_OFFICE, "市263办", "登记、交办、核查销号、督查全市，系统管理"),
    (Role.DISTRICT_OFFICE, "区县263办", "本辖区的登记、交办、核查，本辖区用户管理"),
    (Role.DEPARTMENT, "责任部门（含镇/街道）", "签收、整改、提交、申请延期"),
    (Role.SUPERVISOR, "纪委监委", "接收与查阅问责线索，只读问题台账"),
    (Role.POLICE, "公安机关", "行刑衔接移送案件"),
    (Role.VIEWER, "领导", "驾驶舱、台账、考核只读；联合执法组长审批"),
    (Role.ENTERPRISE, "企业", "本企业的监测数据、报警和问题"),
)
_TITLES = {role: title for role, title, _ in GUIDES}


def _reader(request: Request) -> Actor | None:
    try:
        with user_ctx(request) as ctx:
            return ctx.actor
    except Unauthenticated:
        return None


@router.get("/help")
def help_index(request: Request) -> Response:
    actor = _reader(request)
    own = actor.role if actor is not None else None
    guides = [
        {"key": role.value, "title": title, "summary": summary, "own": role == own}
        for role, title, summary in GUIDES
    ]
    guides.sort(key=lambda g: not g["own"])
    return render(request, "help/index.html", {"guides": guides}, actor=actor, active="help")


@router.get("/help/{role}")
def help_guide(request: Request, role: str) -> Response:
    try:
        parsed = Role(role)
    except ValueError:
        raise NotFound("帮助页面") from None
    if parsed not in _TITLES:
        raise NotFound("帮助页面")
    actor = _reader(request)
    context = {"title": _TITLES[parsed], "guides": GUIDES}
    return render(request, f"help/{parsed.value}.html", context, actor=actor, active="help")
