"""The hostile suite's fixtures: eco263 served by uvicorn on a free loopback port, attacked over
real HTTP (httpx, raw sockets), and the counters that prove a refusal changed nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from eco263.all_models import (
    alarms_models,
    audit_models,
    auth_models,
    evidence_models,
    problems_models,
    registry_models,
    supervision_models,
)
from eco263.app import create_app
from eco263.clock import FixedClock
from eco263.config import Settings
from eco263.runtime import Runtime
from eco263.web.deps import SESSION_COOKIE, csrf_for_session
from eco263.wiring import build_runtime
from tests.conftest import PASSWORD, Database
from tests.supervision.servers import ServerThread, free_port

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

#: Tables a refused request must leave as they were (with the audit chain's length).
COUNTED = {
    "problem": problems_models.Problem,
    "assignment": problems_models.Assignment,
    "extension_request": problems_models.ExtensionRequest,
    "attachment": evidence_models.Attachment,
    "api_token": auth_models.ApiToken,
    "user_account": auth_models.User,
    "enterprise": registry_models.Enterprise,
    "clue": supervision_models.Clue,
    "point_limit": alarms_models.PointLimit,
}


@dataclass
class Live:
    """One running server and what a test needs around it."""

    url: str
    rt: Runtime
    clock: FixedClock
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, **kwargs: Any) -> httpx.Client:
        c = httpx.Client(base_url=self.url, timeout=30, follow_redirects=False, **kwargs)
        self.clients.append(c)
        return c

    def token(self, username: str) -> dict[str, str]:
        """Authorization header for a demo user, through the real login endpoint."""
        r = httpx.post(
            f"{self.url}/api/v1/auth/login",
            json={"username": username, "password": PASSWORD},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def browser(self, username: str) -> httpx.Client:
        """A client logged in through the login form, holding the session cookie."""
        c = self.client()
        form = c.get("/login")
        match = _CSRF.search(form.text)
        assert match, form.text
        r = c.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": match.group(1)},
        )
        assert r.status_code == 303, r.text
        return c

    def counts(self) -> dict[str, int]:
        """Row counts of the tables a refusal must not touch, and the audit chain's length."""
        with self.rt.sessions() as s:
            found = {
                name: int(s.scalar(select(func.count()).select_from(model)) or 0)
                for name, model in COUNTED.items()
            }
            found["audit_event"] = int(
                s.scalar(select(func.count()).select_from(audit_models.AuditEvent)) or 0
            )
            found["audit_head"] = int(s.scalar(select(audit_models.AuditHead.seq)) or 0)
        return found

    def insert_old_problem(self, **fields: Any) -> int:
        """A row as an older release (or a hand edit) may have left it: no validation."""
        with self.rt.unit_of_work() as ctx:
            values: dict[str, Any] = {
                "title": "旧数据",
                "description": "",
                "source": "信访举报",
                "category_code": "6T.taihu",
                "division_code": "320583",
                "found_on": date(2018, 5, 2),
                "state": "registered",
                "due_date": date(2018, 6, 1),
                "due_reason": "旧数据",
                "registered_at": ctx.now,
                "escalation": 0,
                "version": 1,
            }
            values.update(fields)
            problem = problems_models.Problem(**values)
            ctx.session.add(problem)
            ctx.session.flush()
            return int(problem.id)

    def insert_old_assignment(self, problem_id: int, organization_id: int, due: date) -> int:
        with self.rt.unit_of_work() as ctx:
            a = problems_models.Assignment(
                problem_id=problem_id,
                organization_id=organization_id,
                is_lead=True,
                state="assigned",
                due_date=due,
                due_reason="旧数据",
                escalation=0,
                returned_count=0,
                extension_count=0,
                assigned_at=ctx.now,
                version=1,
            )
            ctx.session.add(a)
            ctx.session.flush()
            return int(a.id)

    def org_id(self, name: str) -> int:
        with self.rt.sessions() as s:
            found = s.scalar(
                select(registry_models.Organization.id).where(
                    registry_models.Organization.name == name
                )
            )
        assert found is not None, name
        return int(found)


def form_token(client: httpx.Client) -> str:
    """The CSRF token of a browser client's session (what every page form carries)."""
    session = client.cookies.get(SESSION_COOKIE)
    assert session
    return csrf_for_session(session)


LiveFactory = Callable[..., Live]


@pytest.fixture
def start_live(database: Database, settings: Settings, clock: FixedClock) -> Iterator[LiveFactory]:
    """``start_live(**setting_overrides)`` — eco263 on a free port; data reset afterwards."""
    started: list[tuple[ServerThread, Live]] = []

    def start(**overrides: Any) -> Live:
        tuned = settings.model_copy(update=overrides)
        rt = build_runtime(tuned, clock)
        app = create_app(tuned, clock)
        app.state.runtime = rt
        server = ServerThread(app, free_port()).start()
        live = Live(server.url, rt, clock)
        started.append((server, live))
        return live

    yield start
    for server, live in started:
        for c in live.clients:
            c.close()
        server.stop()
        live.rt.engine.dispose()
    database.reset()


@pytest.fixture
def live(start_live: LiveFactory) -> Live:
    return start_live()


def local_now(live: Live) -> datetime:
    return live.clock.now()
