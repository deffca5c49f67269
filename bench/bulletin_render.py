"""A 12-page 工作动态 to DOCX and PDF (issue 15; target ≤ 10 s), with the load average.

.venv/bin/python bench/bulletin_render.py
"""

from __future__ import annotations

import io
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eco263.bulletin.pdf import docx_to_pdf
from eco263.bulletin.render import Article, BulletinDoc, render_docx
from eco263.bulletin.service import distribution

PARA = (
    "苏州市“263”专项行动在市委、市政府的领导下，"
    "以中央环保督察整改为契机，推动了一批突出环境问题的解决。"
)


def bulletin(articles: int) -> BulletinDoc:
    d = distribution()
    items = tuple(
        Article(f"第{n}篇：张家港海事局查处船舶偷倒垃圾", "\n".join([PARA * 3] * 4))
        for n in range(1, articles + 1)
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
        items,
    )


def pages(pdf: bytes) -> int:
    try:
        import pdfplumber
    except ImportError:
        return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return len(doc.pages)


def main() -> None:
    load = os.getloadavg()
    doc = bulletin(9)
    t0 = time.perf_counter()
    docx = render_docx(doc)
    t1 = time.perf_counter()
    pdf = docx_to_pdf(docx)
    t2 = time.perf_counter()
    n = pages(pdf)
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores)")
    print(
        f"pages: {n}; DOCX {len(docx)} bytes in {t1 - t0:.2f} s; PDF {len(pdf)} bytes in "
        f"{t2 - t1:.2f} s; total {t2 - t0:.2f} s (target ≤ 10 s)"
    )


if __name__ == "__main__":
    main()
