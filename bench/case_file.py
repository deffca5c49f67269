"""The 案卷 of a case with 200 evidence items and 30 on-site records to PDF and DOCX (issue 12's
target: the case-file PDF ≤ 10 s), closed as exported by a 文件清单 of 212 files with their
SHA-256, with the page count and the load average.

.venv/bin/python bench/case_file.py [EVIDENCE] [RECORDS]
"""

from __future__ import annotations

import io
import os
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pdfplumber

from eco263.enforcement import documents
from eco263.enforcement.doc_forms import FileEntry
from eco263.enforcement.models import CaseEvidence, CaseRecord, PenaltyCase
from eco263.web.docx import forms_docx
from eco263.web.pdf import forms_pdf

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2018, 4, 20, 9, 0, tzinfo=TZ)
OFFICERS = [{"name": "钱建华", "badge": "32058118021"}, {"name": "周立新", "badge": "32058118037"}]


def case_sheet(evidence: int, records: int) -> documents.CaseSheet:
    """A decided and closed case held in memory (no database: the rendering is measured)."""
    case = PenaltyCase(
        id=1,
        title="常熟市某印染有限公司 废水超标排放",
        source="inspection",
        party_name="常熟市某印染有限公司",
        facts="废水未经有效处理即由总排口外排，化学需氧量超标。" * 4,
        found_on=date(2018, 4, 20),
        filing_due=date(2018, 4, 27),
        filing_due_reason="自发现之日起7个工作日",
        filed_on=date(2018, 4, 20),
        filed_by=2,
        investigator_id=1,
        article="水污染防治法第83条",
        proposed_fine=100_000,
        hearing_right=True,
        notified_on=date(2018, 4, 25),
        statement_until=date(2018, 5, 3),
        outcome="penalty",
        fine=100_000,
        decided_on=date(2018, 5, 10),
        decided_by=2,
        served_on=date(2018, 5, 11),
        payment_due=date(2018, 5, 26),
        paid_on=date(2018, 5, 20),
        paid_amount=100_000,
        surcharge=0,
        closed_on=date(2018, 5, 25),
        closed_by=2,
        collective=False,
    )
    recs = [
        CaseRecord(
            id=n,
            case_id=1,
            kind="inspection" if n % 2 else "inquiry",
            started_at=START + timedelta(hours=n),
            ended_at=START + timedelta(hours=n, minutes=50),
            place="常熟市某印染有限公司 废水总排口",
            lon=120.81235,
            lat=31.69018,
            party_present="陆某",
            party_role="法定代表人",
            officers=OFFICERS,
            content={"findings": "外排废水呈深蓝色，加药装置停运。" * 6, "measures": "拍照、采样"}
            if n % 2
            else {
                "qa": [{"q": f"第{i}问：加药装置为何停运？", "a": "加药泵坏了。"} for i in range(8)]
            },
        )
        for n in range(1, records + 1)
    ]
    items = [
        CaseEvidence(
            id=n,
            case_id=1,
            kind="photo",
            title=f"现场照片第{n}张",
            source="执法记录仪现场拍摄",
            collected_by="钱建华、周立新",
            collected_at=START + timedelta(minutes=n),
            record_id=1,
            sha256="ab" * 32,
            filename=f"photo-{n}.jpg",
        )
        for n in range(1, evidence + 1)
    ]
    return documents.CaseSheet(
        case=case,
        number="常熟市环保局〔2018〕第1号",
        unit="常熟市环保局",
        division="常熟市",
        party_address="常熟市碧溪街道某路8号",
        party_uscc="91320581MA1R8C2T7E",
        article="《中华人民共和国水污染防治法》第八十三条",
        names={1: "钱科长", 2: "郑局长"},
        records=recs,
        evidence=items,
    )


def main() -> None:
    evidence = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    records = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    sheet = case_sheet(evidence, records)
    # As exported (eco263 enforcement export): a 文件清单 of every evidence file and document.
    files = [FileEntry(f"证据/{n:03d}-photo-{n}.jpg", 250_000, "ab" * 32) for n in range(evidence)]
    files += [FileEntry(f"文书/文书{n}.pdf", 4_000, "cd" * 32) for n in range(12)]
    t0 = time.perf_counter()
    forms = documents.dossier_forms(sheet, files, date(2018, 5, 25))
    pdf = forms_pdf(forms, sheet.number, title="案卷")
    t1 = time.perf_counter()
    docx = forms_docx(forms, sheet.number, title="案卷")
    t2 = time.perf_counter()
    with pdfplumber.open(io.BytesIO(pdf)) as opened:
        pages = len(opened.pages)
    print(f"evidence={evidence} records={records} documents={len(forms)} pages={pages}")
    print(f"pdf  {t1 - t0:6.2f} s  {len(pdf) / 1024:8.0f} KiB   (target ≤ 10 s)")
    print(f"docx {t2 - t1:6.2f} s  {len(docx) / 1024:8.0f} KiB")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
