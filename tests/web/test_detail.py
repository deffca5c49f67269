"""The problem page: deadlines with reasons, only the moves this role may make, extensions,
evidence upload and preview, dispatch — all through the actions."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from eco263.context import Ctx
from tests.factories.problems import dispatch, org, register
from tests.web.conftest import page_login, post_form

AsUser = Callable[..., AbstractContextManager[Ctx]]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def _dispatched(as_user: Any, **overrides: Any) -> tuple[int, int]:
    with as_user("city") as ctx:
        problem = register(ctx, title="昆山某厂雨水排口偷排", **overrides)
        (assignment,) = dispatch(ctx, problem.id, lead="昆山市环保局")
        return problem.id, assignment.id


def _buttons(html: str) -> list[str]:
    return re.findall(r'data-move="(\w+)"', html)


def test_each_role_sees_only_the_moves_it_may_make_now(client: TestClient, as_user: Any) -> None:
    pid, _ = _dispatched(as_user)
    # 昆山市环保局 has its own account: the offices do not act for it (no 代办).
    expected = {"ks_epb": ["accept"], "city": [], "jiwei": [], "leader": []}
    for username, moves in expected.items():
        page_login(client, username)
        page = client.get(f"/problems/{pid}")
        assert page.status_code == 200, username
        assert _buttons(page.text) == moves, username
    page_login(client, "jiwei")
    html = client.get(f"/problems/{pid}").text
    assert "上传" not in html and "申请延期" not in html and "交办</a>" not in html


def test_a_department_accepts_and_submits_and_the_office_verifies_to_closure(
    client: TestClient, as_user: Any
) -> None:
    pid, aid = _dispatched(as_user)
    page_login(client, "ks_epb")
    url = f"/problems/{pid}/assignments/{aid}/move"
    assert post_form(client, url, {"move": "accept"}).status_code == 303
    page = client.get(f"/problems/{pid}").text
    assert _buttons(page) == ["submit"]
    no_note = post_form(client, url, {"move": "submit", "note": " "})
    assert no_note.status_code == 422 and "请填写整改情况或退回理由" in no_note.text
    assert post_form(client, url, {"move": "submit", "note": "已封堵排口"}).status_code == 303
    assert _buttons(client.get(f"/problems/{pid}").text) == []  # waiting for the office
    forged = post_form(client, url, {"move": "verify"})  # not a button it was shown
    assert forged.status_code == 403 and "无权" in forged.text
    page_login(client, "city")
    assert _buttons(client.get(f"/problems/{pid}").text) == ["verify", "return"]
    done = post_form(client, url, {"move": "verify", "note": "现场核查到位"})
    assert done.headers["location"].startswith(f"/problems/{pid}?done=verify")
    page = client.get(done.headers["location"]).text
    assert "已销号" in page and "核查通过" in page and "已封堵排口" in page


def test_a_stale_page_gets_a_conflict_not_a_double_move(client: TestClient, as_user: Any) -> None:
    pid, aid = _dispatched(as_user)
    page_login(client, "ks_epb")
    url = f"/problems/{pid}/assignments/{aid}/move"
    version = re.search(r'name="version" value="(\d+)"', client.get(f"/problems/{pid}").text)
    assert version
    assert (
        post_form(client, url, {"move": "accept", "version": version.group(1)}).status_code == 303
    )
    again = post_form(client, url, {"move": "accept", "version": version.group(1)})
    assert again.status_code == 409


def test_deadline_counts_down_in_working_days_with_its_reason(
    client: TestClient, as_user: Any
) -> None:
    # 2018-05-10 (Thu) → due 2018-05-16 (Wed): 11, 14, 15, 16 = 4 working days left
    pid, _ = _dispatched(as_user, due_date=date(2018, 5, 16))
    page_login(client, "ks_epb")
    html = client.get(f"/problems/{pid}").text
    assert "剩余 4 个工作日" in html
    assert "期限依据：登记时指定：限 2018-05-16 前完成" in html


def test_extension_request_keeps_input_on_error_then_the_office_approves(
    client: TestClient, as_user: Any
) -> None:
    pid, aid = _dispatched(as_user, due_date=date(2018, 5, 16))
    page_login(client, "ks_epb")
    url = f"/problems/{pid}/assignments/{aid}/extension"
    bad = post_form(client, url, {"requested_due": "2018-05-15", "reason": "设备采购周期长"})
    assert bad.status_code == 422
    assert "申请的期限必须晚于当前期限" in bad.text and "设备采购周期长</textarea>" in bad.text
    ok = post_form(client, url, {"requested_due": "2018-05-31", "reason": "设备采购周期长"})
    assert ok.status_code == 303
    page = client.get(f"/problems/{pid}").text
    assert "有待审批的延期申请" in page and "批准</button>" not in page  # not the office's page
    page_login(client, "city")
    page = client.get(f"/problems/{pid}").text
    ext = re.search(r"/problems/\d+/extensions/(\d+)/decision", page)
    assert ext
    decided = post_form(client, ext.group(0), {"decision": "approve", "note": "同意"})
    assert decided.status_code == 303
    page = client.get(f"/problems/{pid}").text
    assert "期限 2018-05-31" in page and "延期至 2018-05-31（第 1 次" in page
    assert "批准延期" in page  # on the timeline


def test_evidence_upload_preview_and_refusal_of_a_fake_photo(
    client: TestClient, as_user: Any
) -> None:
    pid, aid = _dispatched(as_user)
    page_login(client, "ks_epb")
    fake = client.post(
        f"/problems/{pid}/attachments",
        data={"csrf_token": _token(client), "assignment_id": str(aid)},
        files={"file": ("现场.jpg", b"MZ not a photo", "image/jpeg")},
    )
    assert fake.status_code == 422 and "不支持的文件类型" in fake.text
    ok = client.post(
        f"/problems/{pid}/attachments",
        data={"csrf_token": _token(client), "assignment_id": str(aid)},
        files={"file": ("整改后.png", PNG, "image/png")},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    page = client.get(f"/problems/{pid}").text
    view = re.search(r'<img src="(/attachments/\d+/view)"', page)
    assert view and "整改后.png" in page and "上传材料" in page
    shown = client.get(view.group(1))
    assert shown.status_code == 200 and shown.content == PNG
    assert shown.headers["content-type"] == "image/png"
    assert shown.headers["content-disposition"].startswith("inline")
    page_login(client, "wujiang")
    assert client.get(view.group(1)).status_code == 404


def test_dispatch_form_validates_and_dispatches_to_the_chosen_units(
    client: TestClient, as_user: Any
) -> None:
    with as_user("city") as ctx:
        pid = register(ctx, title="昆山某河道排口").id
        lead, co = org(ctx, "昆山市263办"), org(ctx, "昆山市公安局")
    page_login(client, "city")
    form = client.get(f"/problems/{pid}/dispatch")
    assert form.status_code == 200 and "昆山市263办" in form.text
    missing = post_form(client, f"/problems/{pid}/dispatch", {"lead": "", "co_due": "2018-5-x"})
    assert missing.status_code == 422
    assert "日期格式" in missing.text
    no_lead = post_form(client, f"/problems/{pid}/dispatch", {"co": str(co)})
    assert no_lead.status_code == 422 and "首次交办必须指定牵头单位" in no_lead.text
    assert f'value="{co}" checked' in no_lead.text  # the ticked co-unit is kept
    ok = post_form(
        client,
        f"/problems/{pid}/dispatch",
        {"lead": str(lead), "lead_due": "2018-05-25", "co": str(co)},
    )
    assert ok.status_code == 303
    page = client.get(f"/problems/{pid}").text
    assert "昆山市263办" in page and "昆山市公安局" in page and "交办时指定：限 2018-05-25" in page
    page_login(client, "ks_epb")
    assert client.get(f"/problems/{pid}/dispatch").status_code == 404  # not its problem


def _token(client: TestClient) -> str:
    from tests.web.conftest import token

    return token(client)


def _attachments(rt: Any) -> int:
    from sqlalchemy import func, select

    from eco263.evidence.models import Attachment

    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Attachment)) or 0)


def test_the_rectification_note_and_its_photos_go_in_one_form(
    client: TestClient, rt: Any, as_user: Any
) -> None:
    """整改情况 and several photos in one submit: all kept together, or nothing (issue 16 §7)."""
    pid, aid = _dispatched(as_user)
    page_login(client, "ks_epb")
    url = f"/problems/{pid}/assignments/{aid}/move"
    assert post_form(client, url, {"move": "accept"}).status_code == 303
    page = client.get(f"/problems/{pid}").text
    assert 'name="photos" type="file" multiple' in page and 'enctype="multipart/form-data"' in page
    before = _attachments(rt)
    refused = post_form(
        client,
        url,
        {"move": "submit", "note": "已封堵排口，恢复绿化"},
        files=[
            ("photos", ("封堵后.png", PNG, "image/png")),
            ("photos", ("现场.jpg", b"MZ not a photo", "image/jpeg")),
        ],
    )
    assert refused.status_code == 422 and "现场.jpg：不支持的文件类型" in refused.text
    assert "已封堵排口，恢复绿化</textarea>" in refused.text  # the typed note is not lost
    assert _attachments(rt) == before  # the good photo is not kept either
    assert _buttons(client.get(f"/problems/{pid}").text) == ["submit"]  # not submitted
    too_many = post_form(
        client,
        url,
        {"move": "submit", "note": "已封堵排口"},
        files=[("photos", (f"{n}.png", PNG, "image/png")) for n in range(11)],
    )
    assert too_many.status_code == 422 and "一次最多上传 10 个文件" in too_many.text
    assert _attachments(rt) == before
    ok = post_form(
        client,
        url,
        {"move": "submit", "note": "已封堵排口，恢复绿化"},
        files=[
            ("photos", ("封堵后.png", PNG, "image/png")),
            ("photos", ("绿化后.png", PNG + b"2", "image/png")),
        ],
    )
    assert ok.status_code == 303
    assert _attachments(rt) == before + 2
    page = client.get(f"/problems/{pid}").text
    assert "封堵后.png" in page and "绿化后.png" in page
    assert "整改情况：</b>已封堵排口，恢复绿化" in page and _buttons(page) == []


def test_several_files_upload_at_once_or_not_at_all(
    client: TestClient, rt: Any, as_user: Any
) -> None:
    pid, aid = _dispatched(as_user)
    page_login(client, "ks_epb")
    before = _attachments(rt)
    url = f"/problems/{pid}/attachments"
    data = {"csrf_token": _token(client), "assignment_id": str(aid)}
    mixed = client.post(
        url,
        data=data,
        files=[
            ("file", ("一.png", PNG, "image/png")),
            ("file", ("二.jpg", b"MZ not a photo", "image/jpeg")),
        ],
    )
    assert mixed.status_code == 422 and "二.jpg：不支持的文件类型" in mixed.text
    assert _attachments(rt) == before
    empty = client.post(url, data=data, files=[("file", ("", b"", "application/octet-stream"))])
    assert empty.status_code == 422 and "请选择要上传的文件" in empty.text
    both = client.post(
        url,
        data=data,
        files=[
            ("file", ("一.png", PNG, "image/png")),
            ("file", ("二.png", PNG + b"2", "image/png")),
        ],
        follow_redirects=False,
    )
    assert both.status_code == 303 and _attachments(rt) == before + 2


def test_the_dispatch_form_groups_units_and_gives_each_co_unit_its_own_deadline(
    client: TestClient, as_user: Any
) -> None:
    with as_user("city") as ctx:
        pid = register(ctx, title="昆山某河道排口", due_date=date(2018, 5, 31)).id
        lead, police, water = (
            org(ctx, "昆山市263办"),
            org(ctx, "昆山市公安局"),
            org(ctx, "昆山市水务局"),
        )
    page_login(client, "city")
    form = client.get(f"/problems/{pid}/dispatch").text
    groups = re.findall(r'<optgroup label="([^"]+)">', form)
    assert groups[0].startswith("昆山市 · ") and len(groups) == len(set(groups)) > 3, groups
    assert f'name="co_due_{police}"' in form
    bad = post_form(
        client,
        f"/problems/{pid}/dispatch",
        {"lead": str(lead), "co": [str(police), str(water)], f"co_due_{police}": "2018-5-x"},
    )
    assert bad.status_code == 422 and "日期格式" in bad.text
    assert f'value="{police}" checked' in bad.text  # the ticks are kept
    ok = post_form(
        client,
        f"/problems/{pid}/dispatch",
        {
            "lead": str(lead),
            "co": [str(police), str(water)],
            f"co_due_{police}": "2018-05-18",
            "co_due": "2018-05-25",
        },
    )
    assert ok.status_code == 303
    page = client.get(f"/problems/{pid}").text
    assert "交办时指定：限 2018-05-18" in page and "交办时指定：限 2018-05-25" in page
