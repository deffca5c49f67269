"""Print and export (issue 16 §5): the 交办单 and 销号单 as A4 PDF from the problem page, the
unit's 整改情况 and 核查意见 on its assignment, and the export's sheet of every unit."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pdfplumber
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from eco263.problems.enums import Move
from tests.factories.problems import dispatch, register, work
from tests.web.conftest import page_login

RECTIFIED = "已截污纳管，排口封堵，附照片三张"
REVIEWED = "现场核查：排口已封堵，水质达标"
A4 = (595.3, 841.9)


def _pdf_text(content: bytes) -> tuple[str, tuple[float, float]]:
    """The PDF's text, each table cell joined into one line (cells wrap), and its page size."""
    with pdfplumber.open(BytesIO(content)) as pdf:
        parts = [page.extract_text() or "" for page in pdf.pages]
        for page in pdf.pages:
            for table in page.extract_tables():
                parts += ["".join(str(c or "").split()) for row in table for c in row]
        size = (round(float(pdf.pages[0].width), 1), round(float(pdf.pages[0].height), 1))
    return "\n".join(parts), size


def _closed_problem(as_user: Any) -> int:
    with as_user("city") as ctx:
        problem = register(ctx, title="昆山某河道排口污水直排")
        lead, co = dispatch(ctx, problem.id, "昆山市环保局", ("昆山市水务局",))
    work(as_user, lead.id, Move.ACCEPT, Move.SUBMIT, note=RECTIFIED)
    work(as_user, co.id, Move.ACCEPT, Move.SUBMIT, office="kunshan", note="已疏浚河道")
    with as_user("kunshan") as ctx:
        from eco263.problems import actions

        actions.do_move(ctx, lead.id, Move.VERIFY, note=REVIEWED)
    work(as_user, co.id, Move.VERIFY, note="核查属实")
    return problem.id


def test_closure_sheet_carries_each_units_notes_and_the_page_shows_them(
    client: TestClient, as_user: Any
) -> None:
    pid = _closed_problem(as_user)
    page_login(client, "city")
    page = client.get(f"/problems/{pid}").text
    assert RECTIFIED in page and REVIEWED in page and "核查意见" in page
    assert f"/problems/{pid}/print/closure.pdf" in page

    closure = client.get(f"/problems/{pid}/print/closure.pdf")
    assert closure.status_code == 200 and closure.headers["content-type"] == "application/pdf"
    assert closure.headers["content-disposition"].startswith("inline; filename*=UTF-8''")
    text, size = _pdf_text(closure.content)
    assert size == A4
    for expected in ("问题销号单", f"第 {pid} 号", "昆山市环保局", "昆山市水务局", "已疏浚河道"):
        assert expected in text
    assert RECTIFIED in text and REVIEWED in text and "263办代办" in text

    sheet = client.get(f"/problems/{pid}/print/dispatch.pdf")
    text, size = _pdf_text(sheet.content)
    assert sheet.status_code == 200 and size == A4
    assert "问题交办单" in text and "牵头" in text and "协办" in text and "期限依据" in text


def test_an_open_problem_has_no_closure_sheet_and_others_get_nothing(
    client: TestClient, as_user: Any
) -> None:
    with as_user("city") as ctx:
        open_one = register(ctx, title="昆山某厂异味").id
        undispatched = register(ctx, title="昆山另一处异味").id
        dispatch(ctx, open_one)
    page_login(client, "city")
    refused = client.get(f"/problems/{open_one}/print/closure.pdf")
    assert refused.status_code == 409 and "尚未销号" in refused.text
    assert not refused.content.startswith(b"%PDF")
    assert client.get(f"/problems/{undispatched}/print/dispatch.pdf").status_code == 409
    assert client.get(f"/problems/{open_one}/print/dispatch.pdf").status_code == 200
    page_login(client, "wujiang")  # 吴江 reads no 昆山 problem, printed or not
    for kind in ("dispatch", "closure"):
        response = client.get(f"/problems/{open_one}/print/{kind}.pdf")
        assert response.status_code == 404 and not response.content.startswith(b"%PDF")


def test_the_export_lists_every_unit_with_its_deadline_and_notes(
    client: TestClient, as_user: Any
) -> None:
    pid = _closed_problem(as_user)
    page_login(client, "city")
    response = client.get("/problems/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["问题台账", "承办单位"]
    rows = list(book["承办单位"].iter_rows(values_only=True))
    assert rows[0][:3] == ("问题编号", "问题", "承办单位")
    units = {row[2]: row for row in rows[1:] if row[0] == pid}
    lead, co = units["昆山市环保局"], units["昆山市水务局"]
    assert lead[3] == "牵头" and lead[4] == "核查通过" and lead[5] is not None
    assert lead[8] == RECTIFIED and lead[10] == REVIEWED
    assert co[3] == "协办" and co[8] == "已疏浚河道" and co[14] == "是"
