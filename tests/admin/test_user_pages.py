"""系统管理 · 用户 through the pages (and the API door a reset or deactivation must close), on
both databases: create, forced password change, reset, deactivate; every bad input is a clear
Chinese error and changes nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Response

from eco263 import vocabulary
from eco263.auth.passwords import verify_password
from eco263.runtime import Runtime
from tests.admin.helpers import api_token, form_login, last_event, state, user
from tests.web.conftest import page_login, post_form

NEW = {
    "username": "ks_water",
    "display_name": "昆山市水务局 新科员",
    "role": "department",
    "division_code": "320583",
    "password": "first-pass-1",
}


def _org_id(client: TestClient, name: str) -> str:
    page = client.get("/admin/users").text
    marker = f">{name}</option>"
    head = page[: page.index(marker)]
    return str(head[head.rindex('value="') + 7 : head.rindex('"')])


def _create(client: TestClient, **changes: str) -> Response:
    data = {**NEW, "organization_id": _org_id(client, "昆山市环保局"), **changes}
    return post_form(client, "/admin/users", data)


def test_the_city_office_creates_a_user_who_must_change_the_password(
    rt: Runtime, client: TestClient
) -> None:
    page_login(client, "city")
    menu = client.get("/workbench").text
    assert 'href="/admin/users"' in menu and "系统管理" in menu
    answer = _create(client)
    assert answer.status_code == 303, answer.text
    created = user(rt, "ks_water")
    assert created.must_change_password and created.active and created.role == "department"
    assert created.password_hash.startswith("$argon2id$")
    event = last_event(rt)
    assert event.action == "user.create" and vocabulary.label(event.action) == "创建用户"
    assert "first-pass-1" not in str(event.after) and created.password_hash not in str(event.after)

    # Its first login lands on the password page, and nothing else answers until it is changed.
    assert form_login(client, "ks_water", "first-pass-1").status_code == 303
    workbench = client.get("/workbench", follow_redirects=False)
    assert workbench.status_code == 303 and workbench.headers["location"] == "/account/password"
    assert client.get("/problems", follow_redirects=False).headers["location"] == (
        "/account/password"
    )
    forced = client.get("/account/password")
    assert forced.status_code == 200 and "请先设置新密码" in forced.text
    assert client.get("/help").status_code == 200
    headers = api_token(client, "ks_water", "first-pass-1")
    refused = client.get("/api/v1/problems", headers=headers)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "password_change_required"

    before = state(rt)
    for current, new, confirm, message in (
        ("first-pass-1", "first-pass-1", "first-pass-1", "新密码不能与当前密码相同"),
        ("first-pass-1", "short", "short", "密码太短：至少 8 位"),
        ("first-pass-1", "second-pass-2", "second-pass-3", "两次输入的新密码不一致"),
        ("wrong-pass-9", "second-pass-2", "second-pass-2", "当前密码不正确"),
    ):
        bad = post_form(
            client,
            "/account/password",
            {"current_password": current, "new_password": new, "confirm_password": confirm},
        )
        assert bad.status_code == 422 and message in bad.text, (message, bad.text[-600:])
        assert state(rt) == before
    done = post_form(
        client,
        "/account/password",
        {
            "current_password": "first-pass-1",
            "new_password": "second-pass-2",
            "confirm_password": "second-pass-2",
        },
    )
    assert done.status_code == 303
    assert not user(rt, "ks_water").must_change_password
    assert last_event(rt).action == "user.change_password"
    assert client.get("/workbench").status_code == 200
    assert client.get("/api/v1/problems", headers=headers).status_code == 200


def test_bad_creations_are_refused_with_nothing_changed(rt: Runtime, client: TestClient) -> None:
    page_login(client, "city")
    before = state(rt)
    for changes, status, message in (
        ({"username": "city"}, 409, "用户名 city 已存在"),
        ({"role": "mayor"}, 422, "未知角色 mayor"),
        ({"password": "short"}, 422, "密码太短"),
        ({"username": "坏 名字"}, 422, "用户名应为"),
        ({"division_code": "320509"}, 422, "与用户区划不一致"),
        ({"organization_id": ""}, 422, "部门用户必须关联单位"),
    ):
        answer = _create(client, **changes)
        assert answer.status_code == status, (changes, answer.status_code, answer.text[-500:])
        assert message in answer.text, (message, answer.text[-800:])
        assert state(rt) == before


def test_a_district_office_manages_only_its_own_district(rt: Runtime, client: TestClient) -> None:
    page_login(client, "wujiang")
    page = client.get("/admin/users").text
    assert "ks_epb" not in page and "city" not in page.split("<tbody>")[1].split("</tbody>")[0]
    assert "单位" not in page.split('aria-label="系统管理"')[1].split("</nav>")[0]
    before = state(rt)
    elsewhere = post_form(
        client,
        "/admin/users",
        {**NEW, "username": "wj_into_ks", "role": "district_office"},
    )
    assert elsewhere.status_code == 422 and "不在本单位辖区内" in elsewhere.text
    higher = post_form(
        client,
        "/admin/users",
        {**NEW, "username": "wj_city", "role": "city_office", "division_code": "320509"},
    )
    assert higher.status_code == 403 and "区县263办只能创建" in higher.text
    ks_epb = user(rt, "ks_epb")
    for path in ("disable", "reset-password", "enable"):
        answer = post_form(client, f"/admin/users/{ks_epb.id}/{path}", {})
        assert answer.status_code == 404, (path, answer.status_code)
    assert state(rt) == before
    organizations = client.get("/admin/organizations")
    assert organizations.status_code == 403
    own = post_form(
        client,
        "/admin/users",
        {
            "username": "wj_deputy",
            "display_name": "吴江区263办 副主任",
            "role": "district_office",
            "division_code": "320509",
            "organization_id": _org_id(client, "吴江区263办"),
            "password": "deputy-pass-1",
        },
    )
    assert own.status_code == 303, own.text[-500:]
    assert user(rt, "wj_deputy").division_code == "320509"


def test_no_one_deactivates_or_resets_themselves_and_others_may_not_manage(
    rt: Runtime, client: TestClient
) -> None:
    page_login(client, "city")
    before = state(rt)
    me = user(rt, "city")
    self_disable = post_form(client, f"/admin/users/{me.id}/disable", {})
    assert self_disable.status_code == 403 and "不能停用自己的账号" in self_disable.text
    self_reset = post_form(client, f"/admin/users/{me.id}/reset-password", {"password": "x" * 9})
    assert self_reset.status_code == 403 and "不能重置自己的密码" in self_reset.text
    assert state(rt) == before
    page_login(client, "ks_epb")
    before = state(rt)
    assert client.get("/admin/users").status_code == 403
    target = user(rt, "ks_epb_head")
    reset = post_form(client, f"/admin/users/{target.id}/reset-password", {"password": "x" * 9})
    assert reset.status_code == 403 and "只有263办可以管理用户" in reset.text
    assert "系统管理" not in client.get("/workbench").text
    assert state(rt) == before


def test_deactivation_ends_every_session_at_once_and_reset_forces_a_change(
    rt: Runtime, client: TestClient
) -> None:
    page_login(client, "city")
    assert _create(client).status_code == 303
    created = user(rt, "ks_water")
    headers = api_token(client, "ks_water", "first-pass-1")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200

    reset = post_form(client, f"/admin/users/{created.id}/reset-password", {"password": ""})
    assert reset.status_code == 200 and "临时密码：" in reset.text
    temporary = reset.text.split("临时密码：")[1].split("（")[0]
    assert verify_password(user(rt, "ks_water").password_hash, temporary)
    assert user(rt, "ks_water").must_change_password
    assert last_event(rt).action == "user.reset_password"
    assert vocabulary.label("user.reset_password") == "重置用户密码"
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401

    headers = api_token(client, "ks_water", temporary)
    disabled = post_form(client, f"/admin/users/{created.id}/disable", {})
    assert disabled.status_code == 303
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert not user(rt, "ks_water").active
    assert vocabulary.label(last_event(rt).action) == "停用用户"
    assert (
        client.post(
            "/api/v1/auth/login", json={"username": "ks_water", "password": temporary}
        ).status_code
        == 401
    )
    again = post_form(client, f"/admin/users/{created.id}/disable", {})
    assert again.status_code == 409 and "已停用" in again.text

    enabled = post_form(client, f"/admin/users/{created.id}/enable", {})
    assert enabled.status_code == 303 and user(rt, "ks_water").active
    assert form_login(client, "ks_water", temporary).status_code == 303


def test_guessing_the_current_password_is_throttled_like_a_login(
    rt: Runtime, client: TestClient
) -> None:
    page_login(client, "city")
    assert _create(client).status_code == 303
    assert form_login(client, "ks_water", "first-pass-1").status_code == 303
    hash_before = user(rt, "ks_water").password_hash
    statuses = []
    for attempt in range(rt.settings.login_max_failures + 1):
        answer = post_form(
            client,
            "/account/password",
            {
                "current_password": f"guess-{attempt}",
                "new_password": "second-pass-2",
                "confirm_password": "second-pass-2",
            },
        )
        statuses.append(answer.status_code)
    assert statuses[:-1] == [422] * rt.settings.login_max_failures
    assert statuses[-1] == 429 and "登录失败次数过多" in answer.text
    right = post_form(
        client,
        "/account/password",
        {
            "current_password": "first-pass-1",
            "new_password": "second-pass-2",
            "confirm_password": "second-pass-2",
        },
    )
    assert right.status_code == 429
    assert user(rt, "ks_water").password_hash == hash_before
