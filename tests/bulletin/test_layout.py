"""The PDF's page geometry read back with pdfplumber: A4, the text inside the 156 × 225 mm
block at 37 mm from the top and 28 mm from the left (±2 mm), ≤ 22 lines per page, the page
numbers outside the block.  Needs LibreOffice (``make office``)."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest

from eco263.bulletin.pdf import docx_to_pdf, soffice
from eco263.bulletin.render import Article, BulletinDoc, render_docx
from eco263.bulletin.service import distribution

pdfplumber = pytest.importorskip("pdfplumber")
MM = 72 / 25.4
TOL = 2.0


def twelve_pages() -> BulletinDoc:
    d = distribution()
    para = (
        "苏州市“263”专项行动在市委、市政府的领导下，"
        "以中央环保督察整改为契机，推动了一批突出环境问题的解决。"
    )
    articles = tuple(
        Article(f"第{n}篇：张家港海事局查处船舶偷倒垃圾", "\n".join([para * 3] * 4))
        for n in range(1, 10)
    )
    return BulletinDoc(
        70,
        date(2018, 4, 30),
        d.office,
        d.printer,
        d.masthead_over,
        d.masthead,
        d.bao,
        d.song,
        articles,
    )


@pytest.mark.skipif(soffice() is None, reason="LibreOffice missing: make office")
def test_pdf_geometry() -> None:
    pdf_bytes = docx_to_pdf(render_docx(twelve_pages()))
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        assert len(pdf.pages) >= 10
        for n, page in enumerate(pdf.pages, start=1):
            assert abs(page.width / MM - 210) < 1 and abs(page.height / MM - 297) < 1  # A4
            number = [c for c in page.chars if c["top"] / MM > 37 + 225]
            body = [c for c in page.chars if c["top"] / MM <= 37 + 225]
            assert re.sub(r"\s", "", "".join(c["text"] for c in number)) == f"—{n}—"
            assert min(c["top"] for c in body) / MM >= 37 - TOL
            assert max(c["bottom"] for c in body) / MM <= 37 + 225 + TOL
            assert min(c["x0"] for c in body) / MM >= 28 - TOL
            assert max(c["x1"] for c in body) / MM <= 28 + 156 + TOL
            lines = sorted({round(c["bottom"]) for c in body})
            merged = [y for i, y in enumerate(lines) if i == 0 or y - lines[i - 1] > 6]
            assert len(merged) <= 22, (n, len(merged))
            # Odd numbers on the right, even on the left.
            x = min(c["x0"] for c in number) / MM
            assert (x > 105) if n % 2 else (x < 105)
        last = pdf.pages[-1].extract_text()
        assert "报：" in last and "印发" in last
