"""A case's evidence list (证据清单) through the API and the case page (both databases): items
with kind, source, collector and time, linked to an on-site record or a file kept by its
SHA-256; an item without its source, collector or time, with neither record nor file, or with a
file that is not an accepted kind, is a clear Chinese 422 and nothing changes; out of scope
(and the enterprise) is a 404."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.audit.models import AuditEvent
from eco263.enforcement import actions
from eco263.enforcement.models import CaseEvidence
from eco263.runtime import Runtime
from tests.conftest import login
from tests.enforcement.test_documents import URL, at, docx_text, open_case
from tests.web.conftest import page_login, post_form

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ITEM: dict[str, Any] = {
    "kind": "sampling",
    "title": "总排口废水采样记录",
    "source": "现场采样，当事人签字确认",
    "collected_by": "钱科长、李队员",
    "collected_at": "2018-05-08T22:40:00+08:00",
}


def _fingerprint(rt: Runtime) -> tuple[int | None, int | None]:
    with rt.sessions() as s:
        return (
            s.scalar(select(func.count()).select_from(CaseEvidence)),
            s.scalar(select(func.count()).select_from(AuditEvent)),
        )


def _record_id(client: TestClient, case_id: int) -> int:
    records = client.get(f"{URL}/{case_id}/records", headers=login(client, "ks_epb")).json()
    return int(records[0]["id"])


def test_evidence_is_listed_and_bad_items_refused_through_the_api(
    rt: Runtime, as_user, client: TestClient
) -> None:  # type: ignore[no-untyped-def]
    case_id = open_case(rt, as_user)
    other_id = open_case(rt, as_user)
    url = f"{URL}/{case_id}/evidence"
    headers = login(client, "ks_epb")
    record_id = _record_id(client, case_id)
    linked = client.post(url, data={**ITEM, "record_id": str(record_id)}, headers=headers)
    assert linked.status_code == 201, linked.text
    assert linked.json()["record_id"] == record_id and linked.json()["sha256"] is None
    photo = client.post(
        url,
        data={**ITEM, "kind": "photo", "title": "采样管照片"},
        files={"file": ("采样管.png", PNG, "image/png")},
        headers=headers,
    )
    assert photo.status_code == 201, photo.text
    assert photo.json()["sha256"] == hashlib.sha256(PNG).hexdigest()
    listed = client.get(url, headers=login(client, "kunshan")).json()
    assert [e["title"] for e in listed][-2:] == ["总排口废水采样记录", "采样管照片"]
    got = client.get(f"{url}/{photo.json()['id']}/file", headers=headers)
    assert got.content == PNG and got.headers["x-eco263-sha256"] == photo.json()["sha256"]
    assert client.get(f"{url}/{linked.json()['id']}/file", headers=headers).status_code == 404

    before = _fingerprint(rt)
    other_record = _record_id(client, other_id)
    bad: list[tuple[dict[str, Any], Any, str]] = [
        ({**ITEM, "source": "", "record_id": str(record_id)}, None, "来源"),
        ({**ITEM, "source": "  ", "record_id": str(record_id)}, None, "来源"),
        ({**ITEM, "collected_by": "", "record_id": str(record_id)}, None, "收集"),
        ({k: v for k, v in ITEM.items() if k != "collected_at"}, None, "收集时间"),
        ({**ITEM, "collected_at": "昨天", "record_id": str(record_id)}, None, "收集时间"),
        ({**ITEM, "collected_at": "2018-05-11T08:00:00+08:00"}, PNG, "晚于现在"),
        (ITEM, None, "关联本案的一份执法笔录或上传证据文件"),
        ({**ITEM, "record_id": str(other_record)}, None, "不属于本案"),
        ({**ITEM, "record_id": "abc"}, None, "关联笔录"),
        ({**ITEM, "kind": "rumour", "record_id": str(record_id)}, None, "证据种类"),
        ({**ITEM, "title": ""}, PNG, "证据名称"),
        (ITEM, b"just some text", "不支持的文件类型"),
        (ITEM, b"", "为空"),
    ]
    for data, upload, words in bad:
        files = {"file": ("证据.png", upload, "image/png")} if upload is not None else None
        answer = client.post(url, data=data, files=files, headers=headers)
        assert answer.status_code == 422, (data, answer.text)
        assert words in answer.json()["error"]["message"], answer.text
        assert _fingerprint(rt) == before
    # Not the enforcing unit: a 404 (the case does not exist for them), an office a 403.
    body = {**ITEM, "record_id": str(record_id)}
    for user, status in (("yld", 404), ("wujiang", 404), ("ks_police", 404), ("kunshan", 403)):
        answer = client.post(url, data=body, headers=login(client, user))
        assert answer.status_code == status, (user, answer.text)
        if status == 404:
            assert client.get(url, headers=login(client, user)).status_code == 404
            file_url = f"{url}/{photo.json()['id']}/file"
            assert client.get(file_url, headers=login(client, user)).status_code == 404
    # Another case's item is not found under this case.
    other_url = f"{URL}/{other_id}/evidence/{photo.json()['id']}/file"
    assert client.get(other_url, headers=headers).status_code == 404
    assert _fingerprint(rt) == before
    # A case refused filing takes no more evidence (409), and nothing changes.
    with as_user("ks_epb_head", at(date(2018, 5, 10))) as ctx:
        actions.do_refuse_filing(ctx, other_id, reason="违法事实不成立")
    closed = client.post(
        f"{URL}/{other_id}/evidence", data={**ITEM, "record_id": str(other_record)}, headers=headers
    )
    assert closed.status_code == 409 and "不能再登记证据" in closed.json()["error"]["message"]
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(CaseEvidence)) == before[0]


def test_evidence_and_documents_in_the_case_page(rt: Runtime, as_user, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    case_id = open_case(rt, as_user)
    record_id = _record_id(client, case_id)
    page_login(client, "ks_epb")
    page = client.get(f"/enforcement/cases/{case_id}").text
    assert 'id="evidence-form"' in page and "采样管接入自来水软管照片" in page
    assert "本案尚未批准立案，不能生成立案审批表" in page
    form = {
        "kind": "photo",
        "title": "在线监测站房照片",
        "source": "",
        "collected_by": "钱科长",
        "collected_at": "2018-05-08T22:50",
    }
    before = _fingerprint(rt)
    refused = post_form(
        client,
        f"/enforcement/cases/{case_id}/evidence",
        form,
        files={"file": ("站房.png", PNG, "image/png")},
    )
    assert refused.status_code == 422 and "证据须注明来源" in refused.text
    assert _fingerprint(rt) == before
    done = post_form(
        client,
        f"/enforcement/cases/{case_id}/evidence",
        {**form, "source": "现场拍摄", "record_id": str(record_id)},
        files={"file": ("站房.png", PNG, "image/png")},
    )
    assert done.status_code == 303, done.text
    page = client.get(f"/enforcement/cases/{case_id}").text
    assert "在线监测站房照片" in page and "站房.png" in page
    assert f"执法笔录第 {record_id} 号" in page

    with as_user("ks_epb_head", at(date(2018, 5, 10))) as ctx:
        actions.do_file_case(ctx, case_id, filed_on=date(2018, 5, 10))
    page = client.get(f"/enforcement/cases/{case_id}").text
    assert f'href="/enforcement/cases/{case_id}/documents/filing.docx"' in page
    filing = client.get(f"/enforcement/cases/{case_id}/documents/filing.docx")
    assert filing.status_code == 200 and "立案审批表" in docx_text(filing.content)
    refused_doc = client.get(f"/enforcement/cases/{case_id}/documents/decision.pdf")
    assert refused_doc.status_code == 409 and "尚未作出行政处罚决定" in refused_doc.text

    # The enterprise: no case page, no approval; its 执法文书 page lists what it was served.
    page_login(client, "yld")
    assert client.get(f"/enforcement/cases/{case_id}").status_code == 404
    assert client.get(f"/enforcement/cases/{case_id}/documents/filing.pdf").status_code == 404
    assert "暂无向本单位送达的执法文书" in client.get("/enforcement/served").text
    with as_user("ks_epb", at(date(2018, 5, 10))) as ctx:
        actions.do_finish_investigation(
            ctx, case_id, article="水污染防治法第83条", proposed_fine=150_000, facts="总铜超标"
        )
        actions.do_notify(ctx, case_id, received_on=date(2018, 5, 10))
    served = client.get("/enforcement/served").text
    assert "行政处罚事先（听证）告知书" in served and "立案审批表" not in served
    notice = client.get(f"/enforcement/cases/{case_id}/documents/notice.pdf")
    assert notice.status_code == 200 and notice.content.startswith(b"%PDF-")
    assert 'href="/enforcement/served"' in served  # the enterprise's menu item
