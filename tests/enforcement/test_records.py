"""全过程记录 through the API and the case page (both databases): a 现场检查（勘察）笔录 and a
调查询问笔录 with two officers and their 执法证 numbers, time, place and coordinates, the party
present; a record with fewer than two officers, a missing 执法证 number or a bad coordinate is a
clear Chinese 422 and nothing changes."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.audit.models import AuditEvent
from eco263.enforcement.models import CaseRecord
from eco263.runtime import Runtime
from tests.conftest import login
from tests.enforcement.test_pages import _open
from tests.web.conftest import page_login, post_form

OFFICERS = [{"name": "钱科长", "badge": "32058100123"}, {"name": "李队员", "badge": "32058100456"}]
INSPECTION: dict[str, Any] = {
    "kind": "inspection",
    "started_at": "2018-05-09T22:10:00+08:00",
    "ended_at": "2018-05-09T23:05:00+08:00",
    "place": "依利安达电子 废水总排口自动监测站房",
    "lon": 120.9581,
    "lat": 31.3856,
    "party_present": "张某",
    "party_role": "企业环保专员",
    "officers": OFFICERS,
    "findings": "采样管在进样泵前接入一根自来水软管，阀门处于开启状态",
    "measures": "拍照、录像，封存软管及阀门",
}


def _fingerprint(rt: Runtime) -> tuple[int | None, int | None]:
    with rt.sessions() as s:
        return (
            s.scalar(select(func.count()).select_from(CaseRecord)),
            s.scalar(select(func.count()).select_from(AuditEvent)),
        )


def test_records_are_made_and_bad_ones_refused_through_the_api(
    rt: Runtime, as_user, client: TestClient
) -> None:  # type: ignore[no-untyped-def]
    case_id = _open(as_user)
    url = f"/api/v1/enforcement/cases/{case_id}/records"
    headers = login(client, "ks_epb")
    made = client.post(url, json=INSPECTION, headers=headers)
    assert made.status_code == 201, made.text
    assert made.json()["officers"] == OFFICERS
    inquiry = {
        **INSPECTION,
        "kind": "inquiry",
        "findings": "",
        "qa": [
            {"q": "采样管上的自来水软管是谁接的？", "a": "是运维单位的工程师接的。"},
            {"q": "运维单位是哪家？", "a": "深圳市治标环保。"},
        ],
    }
    assert client.post(url, json=inquiry, headers=headers).status_code == 201
    listed = client.get(url, headers=login(client, "kunshan")).json()
    assert [r["kind"] for r in listed] == ["inspection", "inquiry"]
    assert listed[1]["content"]["qa"][1]["a"] == "深圳市治标环保。"
    before = _fingerprint(rt)
    bad = [
        ({**INSPECTION, "officers": OFFICERS[:1]}, "不得少于2人"),
        ({**INSPECTION, "officers": [OFFICERS[0], {"name": "李队员", "badge": ""}]}, "李队员"),
        ({**INSPECTION, "officers": [OFFICERS[0], {"name": "李队员"}]}, "缺少执法证号"),
        ({**INSPECTION, "officers": [OFFICERS[0], OFFICERS[0]]}, "不能重复"),
        ({**INSPECTION, "officers": []}, "不得少于2人"),
        ({**INSPECTION, "findings": ""}, "检查发现的情况"),
        ({**inquiry, "qa": []}, "一问一答"),
        ({**INSPECTION, "ended_at": "2018-05-09T21:00:00+08:00"}, "不能早于开始时间"),
        ({**INSPECTION, "ended_at": "2018-05-10T12:00:00+08:00"}, "不能晚于现在"),
        ({**INSPECTION, "lon": 200}, ""),
        ({**INSPECTION, "lat": "NaN"}, ""),
        ({k: v for k, v in INSPECTION.items() if k != "place"}, ""),
    ]
    for body, words in bad:
        answer = client.post(url, json=body, headers=headers)
        assert answer.status_code == 422, (body, answer.text)
        assert words in answer.json()["error"]["message"], answer.text
        assert _fingerprint(rt) == before
    # Not the enforcing unit: the case does not exist for them; an office may not record.
    for user, status in (("yld", 404), ("wujiang", 404), ("kunshan", 403), ("ks_police", 404)):
        answer = client.post(url, json=INSPECTION, headers=login(client, user))
        assert answer.status_code == status, (user, answer.text)
    assert _fingerprint(rt) == before


def test_a_record_is_made_in_the_case_page(rt: Runtime, as_user, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    case_id = _open(as_user)
    page_login(client, "ks_epb")
    form = {
        "kind": "inquiry",
        "started_at": "2018-05-10T08:00",
        "ended_at": "2018-05-10T08:40",
        "place": "昆山市环保局 询问室",
        "lon": "120.98",
        "lat": "31.39",
        "party_present": "张某",
        "party_role": "企业环保专员",
        "officer_0": "王科长",
        "badge_0": "32058300001",
        "officer_1": "赵队员",
        "badge_1": "",
        "qa": "问：采样管是谁改的？\n答：运维公司的人。",
    }
    before = _fingerprint(rt)
    refused = post_form(client, f"/enforcement/cases/{case_id}/records", form)
    assert refused.status_code == 422 and "赵队员" in refused.text and "执法证号" in refused.text
    assert _fingerprint(rt) == before
    done = post_form(
        client, f"/enforcement/cases/{case_id}/records", {**form, "badge_1": "32058300002"}
    )
    assert done.status_code == 303
    page = client.get(f"/enforcement/cases/{case_id}").text
    assert "调查询问笔录" in page and "赵队员（执法证 32058300002）" in page
    assert "问：采样管是谁改的？" in page and "东经 120.98000" in page
