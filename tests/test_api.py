"""The REST API over real HTTP semantics: login, scope (404 = missing), filters, errors."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import login

NEW = {
    "title": "昆山某厂雨水排口偷排",
    "source": "信访举报",
    "category_code": "6T.taihu",
    "division_code": "320583",
    "found_on": "2018-05-08",
}


def _file(client: TestClient, headers: dict[str, str], **overrides: object) -> dict[str, object]:
    response = client.post("/api/v1/problems", json={**NEW, **overrides}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def _org_id(client: TestClient, headers: dict[str, str], name: str) -> int:
    orgs = client.get("/api/v1/organizations", headers=headers).json()
    return next(o["id"] for o in orgs if o["name"] == name)


def test_login_is_required_and_wrong_password_refused(client: TestClient) -> None:
    assert client.get("/api/v1/problems").status_code == 401
    bad = client.post("/api/v1/auth/login", json={"username": "city", "password": "nope"})
    assert bad.status_code == 401
    assert bad.json()["error"]["message"] == "用户名或密码错误"
    headers = login(client, "city")
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert me["role"] == "city_office"
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_petition_deadline_is_sixty_days(client: TestClient) -> None:
    body = _file(client, login(client, "city"))
    assert body["due_date"] == "2018-07-09"  # 2018-07-07 is a Saturday: rolls to Monday
    assert "60 日，自 2018-05-08 起算（信访举报）" in str(body["due_reason"])


def test_dispatch_and_move_through_the_api(client: TestClient) -> None:
    city = login(client, "city")
    problem = _file(client, city)
    lead = _org_id(client, city, "昆山市环保局")
    detail = client.post(
        f"/api/v1/problems/{problem['id']}/dispatch",
        json={"lead": {"organization_id": lead}},
        headers=city,
    ).json()
    assignment = detail["assignments"][0]
    assert detail["state"] == "assigned" and assignment["state"] == "assigned"
    ks = login(client, "ks_epb")
    seen = client.get(f"/api/v1/problems/{problem['id']}", headers=ks).json()
    assert seen["assignments"][0]["allowed_moves"] == ["accept"]
    ok = client.post(f"/api/v1/assignments/{assignment['id']}/accept", json={}, headers=ks)
    assert ok.status_code == 200 and ok.json()["state"] == "rectifying"
    illegal = client.post(f"/api/v1/assignments/{assignment['id']}/verify", json={}, headers=city)
    assert illegal.status_code == 409
    assert illegal.json()["error"]["details"]["allowed"] == ["submit"]
    timeline = client.get(f"/api/v1/problems/{problem['id']}/timeline", headers=city).json()
    assert [e["action"] for e in timeline] == [
        "problem.register",
        "problem.dispatch",
        "assignment.accept",
    ]
    assert all(len(e["hash"]) == 64 for e in timeline)


def test_scope_out_of_jurisdiction_looks_missing(client: TestClient) -> None:
    city = login(client, "city")
    problem = _file(client, city)
    wujiang = login(client, "wujiang")
    url = f"/api/v1/problems/{problem['id']}"
    hidden = client.get(url, headers=wujiang)
    missing = client.get("/api/v1/problems/999999", headers=wujiang)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert client.get(url + "/timeline", headers=wujiang).status_code == 404
    assert client.get("/api/v1/problems", headers=wujiang).json()["total"] == 0
    assert client.get("/api/v1/problems", headers=login(client, "kunshan")).json()["total"] == 1
    # a department sees only what it was given
    assert client.get(url, headers=login(client, "ks_epb")).status_code == 404


def test_supervisor_reads_but_cannot_write(client: TestClient) -> None:
    city = login(client, "city")
    problem = _file(client, city)
    jiwei = login(client, "jiwei")
    assert client.get(f"/api/v1/problems/{problem['id']}", headers=jiwei).status_code == 200
    assert client.post("/api/v1/problems", json=NEW, headers=jiwei).status_code == 403
    lead = _org_id(client, city, "昆山市环保局")
    denied = client.post(
        f"/api/v1/problems/{problem['id']}/dispatch",
        json={"lead": {"organization_id": lead}},
        headers=jiwei,
    )
    assert denied.status_code == 403


def test_enterprise_sees_only_its_own(client: TestClient) -> None:
    city = login(client, "city")
    enterprises = client.get("/api/v1/enterprises", headers=city).json()
    yld = next(e["id"] for e in enterprises if e["uscc"] == "91320583MA1MXXYL0H")
    own = _file(client, city, enterprise_id=yld, title="依利安达废水排口")
    _file(client, city)
    me = login(client, "yld")
    listing = client.get("/api/v1/problems", headers=me).json()
    assert [p["id"] for p in listing["items"]] == [own["id"]]
    assert [e["id"] for e in client.get("/api/v1/enterprises", headers=me).json()] == [yld]


def test_filters_and_pagination(client: TestClient) -> None:
    city = login(client, "city")
    for i in range(5):
        _file(client, city, title=f"昆山问题{i}")
    _file(client, city, division_code="320509", title="吴江问题", category_code="6T.vocs")
    page = client.get("/api/v1/problems?division=320583&page_size=2&page=3", headers=city).json()
    assert page["total"] == 5 and len(page["items"]) == 1
    assert client.get("/api/v1/problems?division=320500", headers=city).json()["total"] == 6
    by_cat = client.get("/api/v1/problems?category=6T.vocs", headers=city).json()
    assert [p["title"] for p in by_cat["items"]] == ["吴江问题"]
    by_group = client.get("/api/v1/problems?category=6T", headers=city).json()
    assert by_group["total"] == 6
    text = client.get("/api/v1/problems", params={"q": "问题3"}, headers=city).json()
    assert [p["title"] for p in text["items"]] == ["昆山问题3"]
    assert client.get("/api/v1/problems?overdue=true", headers=city).json()["total"] == 0
    soon = client.get("/api/v1/problems?due_within_workdays=60", headers=city).json()
    assert soon["total"] == 6


def test_malformed_json_and_invalid_fields_are_clear_422(client: TestClient) -> None:
    city = {**login(client, "city"), "Content-Type": "application/json"}
    broken = client.post("/api/v1/problems", content=b'{"title": ', headers=city)
    assert broken.status_code == 422
    assert broken.json()["error"]["code"] == "invalid"
    missing = client.post("/api/v1/problems", json={"title": "x"}, headers=city)
    assert missing.status_code == 422
    fields = {d["field"] for d in missing.json()["error"]["details"]}
    assert "body.source" in fields
    assert client.get("/api/v1/problems", headers=login(client, "city")).json()["total"] == 0


def test_invalid_credit_code_names_the_expected_check_character(client: TestClient) -> None:
    city = login(client, "city")
    bad = client.post(
        "/api/v1/enterprises",
        json={"uscc": "914403001922038217", "name": "某公司", "division_code": "320583"},
        headers=city,
    )
    assert bad.status_code == 422
    assert "应为 6" in bad.json()["error"]["message"]
    good = client.post(
        "/api/v1/enterprises",
        json={"uscc": "914403001922038216", "name": "某公司", "division_code": "320583"},
        headers=city,
    )
    assert good.status_code == 201
    again = client.post(
        "/api/v1/enterprises",
        json={"uscc": "914403001922038216", "name": "某公司", "division_code": "320583"},
        headers=city,
    )
    assert again.status_code == 409


def test_openapi_lists_the_ledger_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/problems",
        "/api/v1/problems/{problem_id}/dispatch",
        "/api/v1/assignments/{assignment_id}/{move}",
        "/api/v1/problems/{problem_id}/timeline",
        "/api/v1/problems/{problem_id}/attachments",
        "/api/v1/extensions/{extension_id}/decision",
    ):
        assert path in paths
