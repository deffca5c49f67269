"""The public pages without login: the form, progress by tracking code, rating and review."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.petitions.models import Petition
from eco263.runtime import Runtime
from tests.conftest import login
from tests.petitions.conftest import ANSWER

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _csrf(html: str) -> str:
    match = _CSRF.search(html)
    assert match
    return match.group(1)


FORM = {
    "topic": "噪声",
    "kind": "申诉求决",
    "division_code": "320583",
    "location": "昆山某厂东门",
    "description": "夜间厂界噪声扰民，电话 13812345678",
    "name": "王小明",
    "phone": "13812345678",
}


def _submit(client: TestClient, **change: str) -> tuple[int, str]:
    client.cookies.clear()
    form = client.get("/xinfang")
    assert form.status_code == 200 and "环境信访投诉" in form.text
    answer = client.post(
        "/xinfang", data={**FORM, **change, "csrf_token": _csrf(form.text)}, follow_redirects=False
    )
    return answer.status_code, answer.headers.get("location", answer.text)


def test_from_the_form_to_the_answer_and_the_rating(client: TestClient, rt: Runtime) -> None:
    status, location = _submit(client)
    assert status == 303, location
    page = client.get(location)
    assert "请保存查询码" in page.text and "已登记，待受理" in page.text
    code = location.split("code=")[1].split("&")[0]
    with rt.sessions() as s:
        pid = s.scalar(select(Petition.id).where(Petition.tracking_code == code))
    ks = login(client, "kunshan")
    client.post(f"/api/v1/petitions/{pid}/intake", json={"decision": "accept"}, headers=ks)
    client.post(f"/api/v1/petitions/{pid}/opinions/answer", json=ANSWER, headers=ks)
    client.headers.pop("Authorization", None)
    client.cookies.clear()
    page = client.get(f"/xinfang/track?code={code}")
    assert "信访处理意见书" in page.text and "加装隔声屏障" in page.text
    for secret in ("王小明", "13812345678"):
        assert secret not in page.text
    rated = client.post(
        f"/xinfang/track/{code}/rating",
        data={"satisfaction": "满意", "csrf_token": _csrf(page.text)},
        follow_redirects=True,
    )
    assert rated.status_code == 200 and "您的评价" in rated.text and "满意" in rated.text
    review = client.post(
        f"/xinfang/track/{code}/review",
        data={"reason": "仍有噪声", "csrf_token": _csrf(rated.text)},
        follow_redirects=True,
    )
    assert "复查中" in review.text


def test_bad_form_input_is_a_clear_error_and_stores_nothing(
    client: TestClient, rt: Runtime
) -> None:
    status, body = _submit(client, description="")
    assert status == 422 and "请填写问题描述" in body
    status, body = _submit(client, division_code="")
    assert status == 422 and "区县" in body
    status, body = _submit(client, website="http://spam")
    assert status == 422
    client.cookies.clear()
    forged = client.post("/xinfang", data={**FORM, "csrf_token": "x"})
    assert forged.status_code == 403
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Petition)) == 0


def test_an_unknown_code_says_so(client: TestClient) -> None:
    page = client.get("/xinfang/track?code=XF0000000000")
    assert page.status_code == 200 and "未找到" in page.text
