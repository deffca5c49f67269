"""Helpers of the 系统管理 tests: log in as any account, read what a refusal must not change."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.audit.models import AuditEvent, AuditHead
from eco263.auth.models import ApiToken, User
from eco263.registry.models import Organization
from eco263.runtime import Runtime
from tests.web.conftest import _FIELD


def form_login(client: TestClient, username: str, password: str) -> Any:
    """The login form as a browser posts it; the answer (redirects not followed)."""
    client.cookies.clear()
    match = _FIELD.search(client.get("/login").text)
    assert match
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": match.group(1)},
        follow_redirects=False,
    )


def api_token(client: TestClient, username: str, password: str) -> dict[str, str]:
    answer = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def state(rt: Runtime) -> tuple[Any, ...]:
    """Audit head, users (with status and hash), tokens and units: a refusal changes none."""
    with rt.sessions() as s:
        head = tuple(s.execute(select(AuditHead.seq, AuditHead.hash)).one())
        users = tuple(
            tuple(r)
            for r in s.execute(
                select(
                    User.id,
                    User.username,
                    User.active,
                    User.password_hash,
                    User.must_change_password,
                ).order_by(User.id)
            )
        )
        tokens = s.scalar(select(func.count()).select_from(ApiToken))
        orgs = tuple(
            tuple(r)
            for r in s.execute(
                select(
                    Organization.id,
                    Organization.name,
                    Organization.leader_name,
                    Organization.active,
                ).order_by(Organization.id)
            )
        )
    return head, users, tokens, orgs


def last_event(rt: Runtime) -> AuditEvent:
    with rt.sessions() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert event is not None
        s.expunge(event)
        return event


def user(rt: Runtime, username: str) -> User:
    with rt.sessions() as s:
        found = s.scalar(select(User).where(User.username == username))
        assert found is not None
        s.expunge(found)
        return found
