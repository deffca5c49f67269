"""送达回证 and 案件移送书 through the API (both databases), read back with python-docx and
pdfplumber: a 409 naming the step before it, a 404 out of scope, the 送达回证 served on the
enterprise concerned once the 决定书 is, the 移送书 never shown to it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pypdfium2
from fastapi.testclient import TestClient

from eco263.enforcement import actions
from eco263.enforcement.enums import Outcome
from eco263.runtime import Runtime
from tests.conftest import Database
from tests.enforcement.test_documents import (
    ARTICLE,
    _get,
    at,
    docx_text,
    open_case,
    pdf_text,
)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _file(as_user, case_id: int) -> None:  # type: ignore[no-untyped-def]
    with as_user("ks_epb_head", at(date(2018, 5, 10))) as ctx:
        actions.do_file_case(ctx, case_id, filed_on=date(2018, 5, 10))


def test_service_receipt_after_service_only(rt: Runtime, as_user, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    case_id = open_case(rt, as_user)
    _file(as_user, case_id)
    docs = f"{case_id}/documents"
    with as_user("ks_epb", at(date(2018, 5, 10))) as ctx:
        actions.do_finish_investigation(
            ctx, case_id, article=ARTICLE, proposed_fine=150_000, facts="总排口废水总铜超标 2.3 倍"
        )
        actions.do_notify(ctx, case_id, received_on=date(2018, 5, 10))
    with as_user("ks_epb_head", at(date(2018, 5, 18))) as ctx:
        actions.do_decide(
            ctx, case_id, outcome=Outcome.PENALTY, decided_on=date(2018, 5, 18), fine=150_000
        )
    before = _get(client, "ks_epb", f"{docs}/service.pdf")
    assert before.status_code == 409  # type: ignore[attr-defined]
    assert "尚未送达，不能生成送达回证" in before.json()["error"]["message"]  # type: ignore[attr-defined]
    assert _get(client, "yld", f"{docs}/service.pdf").status_code == 404  # type: ignore[attr-defined]

    with as_user("ks_epb", at(date(2018, 5, 21))) as ctx:
        actions.do_serve(ctx, case_id, served_on=date(2018, 5, 21))
    text = docx_text(_get(client, "ks_epb", f"{docs}/service.docx").content)  # type: ignore[attr-defined]
    assert "送达回证" in text and "依利安达电子（昆山）有限公司" in text
    assert "行政处罚决定书（" in text and "2018年5月21日" in text
    pages = pdf_text(_get(client, "yld", f"{docs}/service.pdf").content)  # type: ignore[attr-defined]
    assert "送达回证" in pages[0] and "受送达人签收" in pages[0]
    for user in ("wujiang", "ks_police", "gusu_water"):
        assert _get(client, user, f"{docs}/service.pdf").status_code == 404, user  # type: ignore[attr-defined]
    # Never transferred: the 移送书 is a 409 inside, a 404 for the party.
    answer = _get(client, "ks_epb", f"{docs}/transfer.pdf")
    assert answer.status_code == 409  # type: ignore[attr-defined]
    assert "尚未移送" in answer.json()["error"]["message"]  # type: ignore[attr-defined]
    assert _get(client, "yld", f"{docs}/transfer.pdf").status_code == 404  # type: ignore[attr-defined]


def test_transfer_letter_when_the_case_ends_in_a_transfer(
    rt: Runtime, as_user, client: TestClient, database: Database
) -> None:  # type: ignore[no-untyped-def]
    case_id = open_case(rt, as_user)
    _file(as_user, case_id)
    docs = f"{case_id}/documents"
    assert _get(client, "ks_epb", f"{docs}/transfer.docx").status_code == 409  # type: ignore[attr-defined]
    with as_user("ks_epb_head", at(date(2018, 5, 12))) as ctx:
        actions.do_decide(
            ctx,
            case_id,
            outcome=Outcome.TRANSFER,
            decided_on=date(2018, 5, 12),
            reason="篡改自动监测数据，涉嫌污染环境罪",
        )
    text = docx_text(_get(client, "ks_epb", f"{docs}/transfer.docx").content)  # type: ignore[attr-defined]
    assert "案件移送书" in text and "公安机关" in text and "2018年5月12日" in text
    assert "总排口废水总铜超标 2.3 倍" in text and "证据清单所列证据 1 项" in text
    letter = _get(client, "kunshan", f"{docs}/transfer.pdf").content  # type: ignore[attr-defined]
    pages = pdf_text(letter)
    assert "案件移送书" in pages[0] and "人民检察院" in "".join(pages)
    if database.backend == "sqlite":  # the same case number each run: the README's picture
        pdf = pypdfium2.PdfDocument(letter)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        pdf[0].render(scale=1.2).to_pil().save(SCREENSHOTS / "casedoc-transfer.png", optimize=True)
        pdf.close()
    for user in ("yld", "wujiang", "gusu_water"):
        assert _get(client, user, f"{docs}/transfer.pdf").status_code == 404, user  # type: ignore[attr-defined]
    # No penalty decided: no 送达回证.
    assert _get(client, "ks_epb", f"{docs}/service.pdf").status_code == 409  # type: ignore[attr-defined]
    dossier = "".join(pdf_text(_get(client, "ks_epb", f"{docs}/dossier.pdf").content))  # type: ignore[attr-defined]
    assert "案件移送书" in dossier


def test_transfer_letter_when_a_transfer_was_handed_over(
    rt: Runtime, as_user, client: TestClient
) -> None:  # type: ignore[no-untyped-def]
    case_id = open_case(rt, as_user)
    _file(as_user, case_id)
    with as_user("ks_epb", at(date(2018, 5, 11))) as ctx:
        actions.do_note_transfer(
            ctx, case_id, transferred_on=date(2018, 5, 11), reference="移送第7号"
        )
    listed = _get(client, "ks_epb", f"{case_id}/documents").json()  # type: ignore[attr-defined]
    assert next(d for d in listed if d["kind"] == "transfer")["available"] is True
    text = docx_text(_get(client, "ks_epb", f"{case_id}/documents/transfer.docx").content)  # type: ignore[attr-defined]
    assert "移送第7号" in text and "2018年5月11日" in text
