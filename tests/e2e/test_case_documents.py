"""A case's evidence list and documents in a real browser: the investigator lists an evidence
item with its photo from the case page, downloads the 立案审批表 as PDF and the 案卷 as Word;
the enterprise concerned finds the 告知书 served on it under 执法文书 and nothing else.
Screenshots (SQLite run) for the README."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from eco263.enforcement import actions
from eco263.runtime import Runtime
from tests.conftest import Database
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_workflow import Browser
from tests.enforcement.test_documents import at, docx_text, open_case, pdf_text
from tests.enforcement.test_evidence import PNG


@pytest.fixture
def web(browser: Any, server: str, database: Database) -> Any:
    b = Browser(browser, server, shots=database.backend == "sqlite")
    yield b
    assert not b.outside, f"the page reached outside the server: {b.outside}"
    b.close()


def _section(web: Any, selector: str, name: str) -> None:
    if web.shots:
        web.page.locator(selector).screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _download(web: Any, selector: str) -> bytes:
    with web.page.expect_download() as caught:
        web.page.click(selector)
    return Path(caught.value.path()).read_bytes()


def test_evidence_and_documents_in_the_browser(rt: Runtime, as_user, web: Any) -> None:  # type: ignore[no-untyped-def]
    case_id = open_case(rt, as_user)
    with as_user("ks_epb_head", at(date(2018, 5, 10))) as ctx:
        actions.do_file_case(ctx, case_id, filed_on=date(2018, 5, 10))
    web.login("ks_epb")
    web.goto(f"/enforcement/cases/{case_id}")
    web.page.select_option("#f-ekind", "photo")
    web.page.fill("#f-etitle", "自动监测站房照片")
    web.page.fill("#f-esource", "现场拍摄")
    web.page.fill("#f-ecollected_by", "钱科长、李队员")
    web.page.fill("#f-ecollected_at", "2018-05-08T22:50")
    web.page.select_option("#f-erecord", index=1)
    web.page.set_input_files(
        "#f-efile", files=[{"name": "站房.png", "mimeType": "image/png", "buffer": PNG}]
    )
    with web.page.expect_navigation():
        web.page.click("#evidence-form button[type=submit]")
    web.page.wait_for_load_state("networkidle")
    listed = web.page.inner_text("#evidence-list")
    assert "自动监测站房照片" in listed and "站房.png" in listed and "执法笔录第" in listed
    _section(web, "#evidence", "enforcement-case-evidence")
    documents = web.page.inner_text("#document-list")
    assert "本案尚未事先告知" in documents
    _section(web, "#documents", "enforcement-case-documents")
    filing = _download(web, f'a[href="/enforcement/cases/{case_id}/documents/filing.pdf"]')
    assert "立案审批表" in pdf_text(filing)[0]
    dossier = _download(web, f'a[href="/enforcement/cases/{case_id}/documents/dossier.docx"]')
    assert "自动监测站房照片" in docx_text(dossier)

    with as_user("ks_epb", at(date(2018, 5, 10))) as ctx:
        actions.do_finish_investigation(
            ctx, case_id, article="水污染防治法第83条", proposed_fine=150_000, facts="总铜超标"
        )
        actions.do_notify(ctx, case_id, received_on=date(2018, 5, 10))
    web.login("yld")
    web.goto("/enforcement/served")
    served = web.page.inner_text("#served-list")
    assert "行政处罚事先（听证）告知书" in served and "立案审批表" not in served
    web.shot("enforcement-served")
    notice = _download(web, f'a[href="/enforcement/cases/{case_id}/documents/notice.docx"]')
    assert "陈述、申辩和要求举行听证的权利" in docx_text(notice)
    for path in (
        f"/enforcement/cases/{case_id}",
        f"/enforcement/cases/{case_id}/documents/filing.pdf",
    ):
        assert web.goto(path).status == 404, path
