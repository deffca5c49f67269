"""The complainant's name, phone and address: masked everywhere but for the handling officer
(API detail and list, the public page, the audit chain), and each unmasked view audited."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select

from eco263.audit.models import AuditEvent
from eco263.petitions.models import Petition
from eco263.runtime import Runtime
from tests.conftest import login
from tests.petitions.conftest import ANSWER, PUBLIC_FORM

PERSONAL = ("王小明", "13812345678", "玉山镇某小区")


def _leaks(text: str) -> list[str]:
    return [p for p in PERSONAL if p in text]


def _accepted(client: TestClient, rt: Runtime) -> tuple[str, int]:
    code = client.post("/api/v1/public/petitions", json=PUBLIC_FORM).json()["tracking_code"]
    with rt.sessions() as s:
        pid = s.scalar(select(Petition.id).where(Petition.tracking_code == code))
    assert pid is not None
    ks = login(client, "kunshan")
    client.post(f"/api/v1/petitions/{pid}/intake", json={"decision": "accept"}, headers=ks)
    client.post(f"/api/v1/petitions/{pid}/opinions/answer", json=ANSWER, headers=ks)
    return code, pid


def test_the_public_page_shows_nothing_personal(client: TestClient, rt: Runtime) -> None:
    code, _ = _accepted(client, rt)
    page = client.get(f"/api/v1/public/petitions/{code}")
    assert page.status_code == 200
    assert _leaks(page.text) == []


def test_an_officer_who_does_not_handle_it_sees_it_masked(client: TestClient, rt: Runtime) -> None:
    _, pid = _accepted(client, rt)
    city = login(client, "city")
    detail = client.get(f"/api/v1/petitions/{pid}", headers=city)
    assert detail.status_code == 200
    body = detail.json()
    assert body["personal_data_masked"] is True
    assert body["complainant_phone"] == "138****5678"
    assert body["complainant_name"] == "王**"
    assert _leaks(detail.text) == []  # the phone in the description is screened too
    listed = client.get("/api/v1/petitions", headers=city)
    assert _leaks(listed.text) == []


def test_the_handler_sees_it_and_the_view_is_audited(client: TestClient, rt: Runtime) -> None:
    _, pid = _accepted(client, rt)
    ks = login(client, "kunshan")
    detail = client.get(f"/api/v1/petitions/{pid}", headers=ks).json()
    assert detail["complainant_phone"] == "13812345678"
    assert detail["personal_data_masked"] is False
    with rt.sessions() as s:
        views = s.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "petition.personal_view", AuditEvent.subject_id == str(pid)
            )
        ).all()
    assert len(views) == 1 and views[0].actor_name.startswith("昆山市263办")


def test_the_audit_chain_carries_no_personal_data(client: TestClient, rt: Runtime) -> None:
    code, _ = _accepted(client, rt)
    client.post(f"/api/v1/public/petitions/{code}/review", json={"reason": "请回电 13812345678"})
    with rt.sessions() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.subject_type == "petition")).all()
    assert len(events) >= 4
    dumped = json.dumps([[e.before, e.after, e.actor_name] for e in events], ensure_ascii=False)
    assert _leaks(dumped) == []


def test_departments_and_enterprises_never_see_a_petition(client: TestClient, rt: Runtime) -> None:
    _, pid = _accepted(client, rt)
    for user in ("ks_epb", "yld"):
        headers = login(client, user)
        assert client.get(f"/api/v1/petitions/{pid}", headers=headers).status_code == 404
        assert _leaks(client.get("/api/v1/petitions", headers=headers).text) == []
