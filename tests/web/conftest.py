"""Helpers for the page tests: log in through the login form, post forms with the CSRF token."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from eco263.web.deps import SESSION_COOKIE, csrf_for_session
from tests.conftest import PASSWORD

_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def page_login(client: TestClient, username: str) -> None:
    """Log in as a demo user the way a browser does (login form, its CSRF token, the cookie)."""
    client.cookies.clear()
    form = client.get("/login")
    match = _FIELD.search(form.text)
    assert match, "the login form carries a CSRF token"
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": match.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert client.cookies.get(SESSION_COOKIE)


def token(client: TestClient) -> str:
    """The CSRF token of the client's current session."""
    session = client.cookies.get(SESSION_COOKIE)
    assert session
    return csrf_for_session(session)


def post_form(client: TestClient, url: str, data: dict[str, Any], **kwargs: Any) -> Response:
    """POST a page form with this session's CSRF token; redirects are not followed."""
    return client.post(
        url, data={**data, "csrf_token": token(client)}, follow_redirects=False, **kwargs
    )


@pytest.fixture
def as_page_user(client: TestClient) -> Iterator[Callable[[str], TestClient]]:
    def _login(username: str) -> TestClient:
        page_login(client, username)
        return client

    yield _login
