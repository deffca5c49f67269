"""The ASGI application: mounts every domain's router under /api/v1 and the pages."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from eco263.alarms.api import router as alarms_router
from eco263.auth.api import router as auth_router
from eco263.clock import Clock
from eco263.config import Settings, get_settings
from eco263.errors import DomainError
from eco263.monitoring.api import router as monitoring_router
from eco263.problems.api import router as problems_router
from eco263.registry.api import router as registry_router
from eco263.supervision.api import router as supervision_router
from eco263.web import pages as web_pages
from eco263.web.runtime import Runtime
from eco263.workdays import CalendarRangeError


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="eco263 污染防治攻坚战协同推进平台",
        version="0.1.0",
        description="Suzhou 263 office: problem ledger, deadlines, escalation, audit chain.",
    )
    app.state.runtime = Runtime.build(settings, clock)
    for router in (
        auth_router,
        registry_router,
        problems_router,
        monitoring_router,
        alarms_router,
        supervision_router,
    ):
        app.include_router(router, prefix="/api/v1")
    web_pages.install(app)  # server-rendered pages of every domain, /static
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(CalendarRangeError, _calendar_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    return app


def _error(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return JSONResponse(status_code=status, content=body)


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)  # noqa: S101 - registered for DomainError only
    return _error(exc.status_code, exc.code, exc.message, exc.details)


async def _calendar_error(_request: Request, exc: Exception) -> JSONResponse:
    return _error(422, "calendar_range", str(exc))


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    problems = [
        {"field": ".".join(str(p) for p in err.get("loc", ())), "message": err.get("msg", "")}
        for err in exc.errors()
    ]
    return _error(422, "invalid", "请求内容无效（字段或 JSON 格式错误）", problems)
