"""Bad input at the public form: clear Chinese errors or 429, nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.petitions.models import Petition
from eco263.petitions.throttle import MAX_SUBMISSIONS
from eco263.runtime import Runtime
from tests.petitions.conftest import PUBLIC_FORM


def _count(rt: Runtime) -> int:
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(Petition)) or 0


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"description": ""}, 422),
        ({"topic": ""}, 422),
        ({"division_code": "110101"}, 422),  # outside Suzhou
        ({"division_code": "320500x"}, 422),
        ({"kind": "其他"}, 422),
        ({"website": "http://spam.example"}, 422),  # the honeypot
        ({"contact": {"phone": "call me"}}, 422),
        ({"description": "a\x00b" * 5}, 422),
    ],
)
def test_bad_public_input_is_refused(
    client: TestClient, rt: Runtime, change: dict[str, Any], status: int
) -> None:
    answer = client.post("/api/v1/public/petitions", json={**PUBLIC_FORM, **change})
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["message"]
    assert _count(rt) == 0


def test_a_flood_from_one_address_gets_429(client: TestClient, rt: Runtime) -> None:
    for _ in range(MAX_SUBMISSIONS):
        assert client.post("/api/v1/public/petitions", json=PUBLIC_FORM).status_code == 201
    flood = client.post("/api/v1/public/petitions", json=PUBLIC_FORM)
    assert flood.status_code == 429
    assert "频繁" in flood.json()["error"]["message"]
    assert _count(rt) == MAX_SUBMISSIONS


def test_an_unknown_tracking_code_is_404(client: TestClient) -> None:
    answer = client.get("/api/v1/public/petitions/XF0000000000")
    assert answer.status_code == 404
