"""The case API through the door a user uses: scoped lists, 404 out of scope and for the party."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from eco263.enforcement import actions
from eco263.runtime import Runtime
from tests.conftest import login
from tests.enforcement.test_lifecycle import _open, at


def test_case_list_and_page_are_scoped(rt: Runtime, as_user, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    case_id = _open(as_user)
    with as_user("ks_epb_head", at(date(2018, 5, 10))) as ctx:
        actions.do_file_case(ctx, case_id, filed_on=date(2018, 5, 10))
    listed = client.get("/api/v1/enforcement/cases", headers=login(client, "ks_epb"))
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()] == [case_id]
    assert listed.json()[0]["state_label"] == "调查取证"
    office = client.get(
        "/api/v1/enforcement/cases?state=investigating", headers=login(client, "kunshan")
    )
    assert [c["id"] for c in office.json()] == [case_id]
    detail = client.get(f"/api/v1/enforcement/cases/{case_id}", headers=login(client, "kunshan"))
    assert detail.status_code == 200 and detail.json()["case"]["decision_due"] == "2018-08-08"
    for user in ("yld", "wujiang", "gusu_water"):
        headers = login(client, user)
        assert client.get("/api/v1/enforcement/cases", headers=headers).json() == []
        missing = client.get(f"/api/v1/enforcement/cases/{case_id}", headers=headers)
        assert missing.status_code == 404 and "案件不存在" in missing.text
