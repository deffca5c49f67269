"""The one Jinja2 environment of the pages, and ``render`` which fills in the layout's needs.

Templates live under ``eco263/web/templates/`` — the layout at the top, each domain's pages
in ``templates/<domain>/``.  Autoescaping is on for every template (no ``|safe`` on data).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from eco263.actor import ROLE_LABELS, Actor
from eco263.clock import SHANGHAI
from eco263.web.deps import CSRF_FIELD, csrf_token
from eco263.web.nav import badges, menu, nav_for

WEB_DIR = Path(__file__).parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

WEEKDAYS = "一二三四五六日"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def weekday(d: date) -> str:
    return "星期" + WEEKDAYS[d.weekday()]


def local_time(at: datetime | None) -> str:
    """An instant as the office reads it: ``2018-05-10 09:00`` Beijing time."""
    if at is None:
        return ""
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@lru_cache(maxsize=64)
def static_url(name: str) -> str:
    """``/static/<name>?v=<content hash>``, so a new build is never served from a stale cache."""
    path = STATIC_DIR / name
    try:
        version = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    except OSError:
        version = "missing"
    return f"/static/{name}?v={version}"


templates.env.filters["weekday"] = weekday
templates.env.filters["local_time"] = local_time
templates.env.filters["percent"] = percent
templates.env.globals["static_url"] = static_url
templates.env.globals["CSRF_FIELD"] = CSRF_FIELD


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    actor: Actor | None = None,
    today: date | None = None,
    active: str = "",
    status_code: int = 200,
) -> Response:
    """Render a page with the layout's context: user, role, today, navigation, CSRF token."""
    full = {
        "actor": actor,
        "role_label": ROLE_LABELS.get(actor.role, "系统") if actor and actor.role else "",
        "today": today,
        "nav": nav_for(menu(request), actor) if actor else [],
        "badges": badges(request, actor),
        "active": active,
        "csrf_token": csrf_token(request),
        "errors": {},
        "values": {},
        **context,
    }
    return templates.TemplateResponse(request, name, full, status_code=status_code)
