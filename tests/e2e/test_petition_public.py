"""The public 信访 pages in a real browser at a phone's width: the form, the tracking code,
the officer's answer (through the API), the answer on the progress page and the rating.

Screenshots at 390×844: docs/screenshots/petition_form_phone.png and
petition_track_phone.png (from the SQLite run).
"""

from __future__ import annotations

from typing import Any

import httpx

from eco263.runtime import Runtime
from tests.conftest import PASSWORD, Database
from tests.e2e.conftest import SCREENSHOTS
from tests.petitions.conftest import ANSWER

PHONE = {"width": 390, "height": 844}


def _officer(server: str) -> httpx.Client:
    client = httpx.Client(base_url=server, timeout=30)
    token = client.post(
        "/api/v1/auth/login", json={"username": "kunshan", "password": PASSWORD}
    ).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def test_from_the_public_form_to_the_answer_and_the_rating(
    rt: Runtime, browser: Any, server: str, database: Database
) -> None:
    shots = database.backend == "sqlite"
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server}/xinfang")
    page.select_option("#topic", "噪声")
    page.select_option("#division_code", "320583")
    page.fill("#location", "昆山某热电厂东门")
    page.fill("#description", "夜间厂界噪声扰民，开机时冒黄烟。")
    page.fill("#name", "王小明")
    page.fill("#phone", "13812345678")
    if shots:
        page.screenshot(path=str(SCREENSHOTS / "petition_form_phone.png"), full_page=True)
    page.click("button[type=submit]")
    page.wait_for_url("**/xinfang/track?code=*")
    code = page.inner_text(".tracking-code").strip()
    assert code.startswith("XF")
    # The page fits the phone: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    officer = _officer(server)
    try:
        listed = officer.get("/api/v1/petitions", params={"state": "registered"}).json()
        (pid,) = [p["id"] for p in listed["items"] if p["tracking_code"] == code]
        assert officer.post(
            f"/api/v1/petitions/{pid}/intake", json={"decision": "accept"}
        ).is_success
        assert officer.post(f"/api/v1/petitions/{pid}/opinions/answer", json=ANSWER).is_success
    finally:
        officer.close()
    page.goto(f"{server}/xinfang/track?code={code}")
    assert "加装隔声屏障" in page.inner_text("main")
    page.select_option("#satisfaction", "满意")
    page.click("form[action$='/rating'] button")
    page.wait_for_selector("text=您的评价")
    text = page.inner_text("main")
    assert "已答复" in text and "满意" in text
    assert "王小明" not in page.content() and "13812345678" not in page.content()
    if shots:
        page.screenshot(path=str(SCREENSHOTS / "petition_track_phone.png"), full_page=True)
    context.close()
