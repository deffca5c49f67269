"""The ASGI application, the composition root of the web: every package's REST router under
/api/v1, every page router, the static files, the menu and the token resolver; the request
body limit, and the error handlers that give every refusal the same shape (JSON under /api,
an HTML page elsewhere).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from eco263.actor import CLUE_READERS, OFFICE_ROLES, Actor, Role
from eco263.admin import pages as admin_pages
from eco263.admin import places as admin_places
from eco263.alarms import api as alarms_api
from eco263.alarms import pages as alarms_pages
from eco263.assessment import pages as assessment_pages
from eco263.auth import api as auth_api
from eco263.auth import pages as auth_pages
from eco263.auth.service import actor_for_token
from eco263.bulletin import api as bulletin_api
from eco263.bulletin import pages as bulletin_pages
from eco263.clock import Clock
from eco263.config import Settings, get_settings
from eco263.dashboard import pages as dashboard_pages
from eco263.enforcement import api as enforcement_api
from eco263.enforcement import document_pages as enforcement_document_pages
from eco263.enforcement import pages as enforcement_pages
from eco263.errors import DomainError, InvalidInput
from eco263.help import pages as help_pages
from eco263.inquiries import api as inquiries_api
from eco263.inquiries import pages as inquiries_pages
from eco263.inspections import api as inspections_api
from eco263.inspections import pages as inspections_pages
from eco263.joint_enforcement import api as joint_enforcement_api
from eco263.joint_enforcement import pages as joint_enforcement_pages
from eco263.monitoring import api as monitoring_api
from eco263.notifications import api as notifications_api
from eco263.notifications import pages as notifications_pages
from eco263.notifications import service as notifications_service
from eco263.petitions import api as petitions_api
from eco263.petitions import import_pages as petitions_import_pages
from eco263.petitions import pages as petitions_pages
from eco263.petitions import staff_pages as petitions_staff_pages
from eco263.petitions import visit_pages as petitions_visit_pages
from eco263.petitions.enums import PETITION_READERS
from eco263.problems import api as problems_api
from eco263.problems import pages as problems_pages
from eco263.registry import api as registry_api
from eco263.supervision import api as supervision_api
from eco263.supervision import pages as supervision_pages
from eco263.transfers import api as transfers_api
from eco263.transfers import pages as transfers_pages
from eco263.web.inputs import InputsCalendarScope
from eco263.web.limits import BodyLimit, limit_from_app
from eco263.web.nav import NavItem
from eco263.web.routing import error_page, secure_headers
from eco263.web.templating import STATIC_DIR
from eco263.wiring import build_runtime
from eco263.workbench import pages as workbench_pages
from eco263.workdays import CalendarRangeError

ALL_ROLES = frozenset(Role)
#: 人大询问: the offices, the answering departments (and police) and the leaders.
INQUIRY_READERS = frozenset(
    {Role.CITY_OFFICE, Role.DISTRICT_OFFICE, Role.DEPARTMENT, Role.POLICE, Role.VIEWER}
)

#: 巡察 in the menu: the 纪委 and the offices (an inspected unit reaches its own opinion from
#: its 待办).
INSPECTION_MENU_ROLES = frozenset({Role.SUPERVISOR, Role.CITY_OFFICE, Role.DISTRICT_OFFICE})

#: The top-level pages, in menu order, and the roles that see each link.
MENU = (
    NavItem("workbench", "待办", "/workbench", ALL_ROLES),
    NavItem("dashboard", "驾驶舱", "/", ALL_ROLES - {Role.ENTERPRISE}),
    NavItem("ledger", "问题台账", "/problems", ALL_ROLES),
    NavItem("register", "登记问题", "/problems/new", OFFICE_ROLES),
    NavItem("monitoring", "在线监测", "/monitoring", ALL_ROLES),
    NavItem("alarms", "监测告警", "/alarms", ALL_ROLES),
    NavItem("supervision", "智慧监督", "/supervision", CLUE_READERS),
    NavItem("assessment", "考核", "/assessment", CLUE_READERS),
    NavItem("joint", "联合执法", "/joint-enforcement", ALL_ROLES - {Role.ENTERPRISE}),
    NavItem("inspections", "巡察", "/inspections", INSPECTION_MENU_ROLES),
    NavItem("inquiries", "人大询问", "/inquiries", INQUIRY_READERS),
    NavItem(
        "enforcement",
        "执法办案",
        "/enforcement",
        frozenset(
            {Role.CITY_OFFICE, Role.DISTRICT_OFFICE, Role.DEPARTMENT, Role.SUPERVISOR, Role.POLICE}
        ),
    ),
    NavItem("served", "执法文书", "/enforcement/served", frozenset({Role.ENTERPRISE})),
    NavItem("petitions", "信访", "/petitions", PETITION_READERS),
    NavItem("bulletin", "工作动态", "/bulletin", ALL_ROLES - {Role.ENTERPRISE}),
    NavItem("admin", "系统管理", "/admin/users", OFFICE_ROLES),
    NavItem("messages", "消息", "/notifications", ALL_ROLES),
)

API_ROUTERS: tuple[APIRouter, ...] = (
    auth_api.router,
    registry_api.router,
    problems_api.router,
    monitoring_api.router,
    alarms_api.router,
    supervision_api.router,
    joint_enforcement_api.router,
    petitions_api.router,
    enforcement_api.router,
    transfers_api.router,
    inspections_api.router,
    inquiries_api.router,
    notifications_api.router,
    bulletin_api.router,
)

PAGE_ROUTERS: tuple[APIRouter, ...] = (
    auth_pages.router,
    dashboard_pages.router,
    workbench_pages.router,
    problems_pages.router,
    alarms_pages.router,
    supervision_pages.router,
    assessment_pages.router,
    joint_enforcement_pages.router,
    petitions_pages.router,
    inspections_pages.router,
    inquiries_pages.router,
    enforcement_pages.router,
    enforcement_document_pages.router,
    transfers_pages.router,
    petitions_import_pages.router,  # before the staff pages' /petitions/{petition_id}
    petitions_visit_pages.router,  # likewise (/petitions/visits)
    petitions_staff_pages.router,
    admin_pages.router,
    admin_places.router,
    help_pages.router,
    notifications_pages.router,
    bulletin_pages.router,
)


def _nav_badges(request: Request, actor: Actor) -> dict[str, int]:
    """The unread messages beside 消息 in the menu (one indexed count per page), read in the
    page's own transaction when it is still open."""
    current = getattr(request.state, "db_session", None)
    if current is not None and current.in_transaction():
        return {"messages": notifications_service.unread_count(current, actor)}
    with request.app.state.runtime.sessions() as session:
        return {"messages": notifications_service.unread_count(session, actor)}


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorOut(BaseModel):
    """Every refusal of the API: a stable code, a Chinese message, the fields concerned."""

    error: ErrorDetail


#: Documented on every API route, so the OpenAPI document says what a client really gets.
API_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": text}
    for status, text in (
        (400, "请求格式错误"),
        (401, "未登录或登录已失效"),
        (403, "无权操作"),
        (404, "不存在（或不在本辖区）"),
        (409, "操作冲突（状态或版本）"),
        (413, "请求内容过大"),
        (422, "请求内容无效"),
        (429, "尝试次数过多（见 Retry-After）"),
    )
}


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="eco263 污染防治攻坚战协同推进平台",
        version="0.1.0",
        description="Suzhou 263 office: problem ledger, deadlines, escalation, audit chain.",
    )
    app.state.runtime = build_runtime(settings, clock)
    app.state.authenticate = actor_for_token
    app.state.menu = MENU
    app.state.nav_badges = _nav_badges
    for router in API_ROUTERS:
        app.include_router(router, prefix="/api/v1", responses=API_ERRORS)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(CalendarRangeError, _calendar_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _server_error)
    # Outermost last: the body limit runs before anything reads the body.
    app.add_middleware(InputsCalendarScope)
    app.add_middleware(BodyLimit, limit_for=limit_from_app)
    return app


def _error(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return JSONResponse(status_code=status, content=body)


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)  # noqa: S101 - registered for DomainError only
    response = _error(exc.status_code, exc.code, exc.message, exc.details)
    if "retry_after" in exc.details:
        response.headers["Retry-After"] = str(exc.details["retry_after"])
    return response


async def _calendar_error(_request: Request, exc: Exception) -> JSONResponse:
    return _error(422, "calendar_range", str(exc))


async def _validation_error(request: Request, exc: Exception) -> Response:
    """422: per field for the API; a date the calendar cannot count keeps the calendar's own
    code and message (as when the date is computed); a page gets the HTML error page."""
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    errors = exc.errors()
    problems = [
        {"field": ".".join(str(p) for p in err.get("loc", ())), "message": err.get("msg", "")}
        for err in errors
    ]
    calendar = next((e for e in errors if e.get("type") == "calendar_range"), None)
    code, message = "invalid", "请求内容无效（字段或 JSON 格式错误）"
    if calendar is not None:
        code, message = "calendar_range", str(calendar.get("msg", ""))
    if not request.url.path.startswith("/api/"):
        first = problems[0]["message"] if problems else ""
        page = error_page(request, InvalidInput(message if calendar else f"{message}：{first}"))
        return secure_headers(page)
    return _error(422, code, message, problems)


#: Chinese text and a stable code for the framework's own refusals (no route, bad method, a body
#: that is not even text).
_HTTP_ERRORS = {
    400: ("bad_request", "请求格式错误（无法解析请求内容）"),
    404: ("not_found", "页面或接口不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
}


async def _http_error(request: Request, exc: Exception) -> Response:
    """The framework's refusals in the same shape as ours (not ``{"detail": …}``)."""
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    code, message = _HTTP_ERRORS.get(exc.status_code, ("http_error", "请求无法处理"))
    if request.url.path.startswith("/api/"):
        response: Response = _error(exc.status_code, code, message)
    else:
        error = DomainError(message)
        error.status_code = exc.status_code
        response = secure_headers(error_page(request, error))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _server_error(_request: Request, _exc: Exception) -> JSONResponse:
    """A bug, not bad input: the same JSON shape, nothing of the internals (logged by uvicorn)."""
    return _error(500, "internal", "服务器内部错误，请稍后再试或联系管理员")
