"""A case's documents through the API (both databases), read back with python-docx and
pdfplumber: each document exists only once the case has reached its step (a Chinese 409 before),
the 案卷 holds every document and record in order with page numbers, out of scope is a 404, and
the enterprise concerned reads only the 告知书 and the 决定书 served on it — never an approval."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pdfplumber
from docx import Document
from fastapi.testclient import TestClient
from sqlalchemy import select

from eco263.enforcement import actions
from eco263.enforcement.enums import CaseSource, Outcome
from eco263.enforcement.schemas import EvidenceIn, RecordIn
from eco263.registry.models import Enterprise
from eco263.runtime import Runtime
from tests.conftest import login
from tests.enforcement.test_records import INSPECTION

TZ = ZoneInfo("Asia/Shanghai")
ARTICLE = "水污染防治法第83条"
URL = "/api/v1/enforcement/cases"
YLD = "91320583MA1MXXYL0H"


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


def pdf_text(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF-")
    with pdfplumber.open(BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def docx_text(data: bytes) -> str:
    document = Document(BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def open_case(rt: Runtime, as_user) -> int:  # type: ignore[no-untyped-def]
    """A case on 依利安达 with a 现场检查笔录 and an evidence item linked to it."""
    with rt.sessions() as s:
        enterprise_id = s.scalar(select(Enterprise.id).where(Enterprise.uscc == YLD))
    with as_user("ks_epb", at(date(2018, 5, 8))) as ctx:
        case = actions.do_open_case(
            ctx,
            source=CaseSource.INSPECTION,
            title="依利安达电子 超标排放水污染物",
            party_name="依利安达电子（昆山）有限公司",
            found_on=date(2018, 5, 7),
            facts="总排口废水总铜超标 2.3 倍",
            enterprise_id=enterprise_id,
        )
    with as_user("ks_epb", at(date(2018, 5, 10), 9)) as ctx:
        record = actions.do_add_record(
            ctx,
            case.id,
            RecordIn.model_validate(
                {
                    **INSPECTION,
                    "started_at": "2018-05-08T22:10:00+08:00",
                    "ended_at": "2018-05-08T23:05:00+08:00",
                }
            ),
        )
        actions.do_add_evidence(
            ctx,
            case.id,
            EvidenceIn(
                kind="photo",
                title="采样管接入自来水软管照片",
                source="现场拍摄",
                collected_by="钱科长、李队员",
                collected_at=at(date(2018, 5, 8), 22),
                record_id=record.id,
            ),
        )
    return case.id


def _get(client: TestClient, user: str, path: str) -> object:
    return client.get(f"{URL}/{path}", headers=login(client, user))


def test_documents_follow_the_case_and_read_back(rt: Runtime, as_user, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    case_id = open_case(rt, as_user)
    docs = f"{case_id}/documents"
    listed = _get(client, "ks_epb", docs).json()  # type: ignore[attr-defined]
    assert [d["kind"] for d in listed] == [
        "filing",
        "notice",
        "decision",
        "service",
        "transfer",
        "closing",
        "dossier",
    ]
    assert not any(d["available"] for d in listed)
    assert listed[0]["reason"] == "本案尚未批准立案，不能生成立案审批表"
    for name, words in (
        ("filing.pdf", "尚未批准立案"),
        ("notice.docx", "尚未事先告知"),
        ("decision.pdf", "尚未作出行政处罚决定"),
        ("closing.docx", "尚未结案"),
        ("dossier.pdf", "尚未立案"),
    ):
        answer = _get(client, "ks_epb", f"{docs}/{name}")
        assert answer.status_code == 409, (name, answer.text)  # type: ignore[attr-defined]
        assert words in answer.json()["error"]["message"]  # type: ignore[attr-defined]

    with as_user("ks_epb_head", at(date(2018, 5, 10))) as ctx:
        actions.do_file_case(ctx, case_id, filed_on=date(2018, 5, 10))
    filing = _get(client, "kunshan", f"{docs}/filing.docx")
    assert filing.status_code == 200  # type: ignore[attr-defined]
    assert "attachment" in filing.headers["content-disposition"]  # type: ignore[attr-defined]
    text = docx_text(filing.content)  # type: ignore[attr-defined]
    assert "立案审批表" in text and "依利安达电子 超标排放水污染物" in text
    assert "同意立案" in text and "刘局长" in text and "2018年5月10日" in text
    pages = pdf_text(_get(client, "ks_epb", f"{docs}/filing.pdf").content)  # type: ignore[attr-defined]
    assert "立案审批表" in pages[0] and "91320583MA1MXXYL0H" in pages[0]

    # The enterprise concerned reads nothing before the notice is served; never the approvals.
    for name in ("filing.pdf", "notice.pdf", "dossier.pdf", "decision.docx"):
        assert _get(client, "yld", f"{docs}/{name}").status_code == 404  # type: ignore[attr-defined]
    assert _get(client, "yld", docs).status_code == 404  # type: ignore[attr-defined]

    with as_user("ks_epb", at(date(2018, 5, 10))) as ctx:
        actions.do_finish_investigation(
            ctx, case_id, article=ARTICLE, proposed_fine=150_000, facts="总排口废水总铜超标 2.3 倍"
        )
        actions.do_notify(ctx, case_id, received_on=date(2018, 5, 10))
    notice = docx_text(_get(client, "yld", f"{docs}/notice.docx").content)  # type: ignore[attr-defined]
    assert "行政处罚事先（听证）告知书" in notice and "罚款人民币 150000 元" in notice
    assert "要求举行听证" in notice and "2018年5月17日" in notice
    assert "刘局长" not in notice  # no internal approver on what the party is served
    assert [d["kind"] for d in _get(client, "yld", docs).json()] == ["notice"]  # type: ignore[attr-defined]
    assert _get(client, "yld", f"{docs}/filing.docx").status_code == 404  # type: ignore[attr-defined]

    with as_user("ks_epb_head", at(date(2018, 5, 18))) as ctx:
        actions.do_decide(
            ctx, case_id, outcome=Outcome.PENALTY, decided_on=date(2018, 5, 18), fine=150_000
        )
    decision = pdf_text(_get(client, "ks_epb", f"{docs}/decision.pdf").content)  # type: ignore[attr-defined]
    assert "行政处罚决定书" in decision[0] and "罚款人民币 150000 元" in "".join(decision)
    assert _get(client, "yld", f"{docs}/decision.pdf").status_code == 404  # type: ignore[attr-defined]
    with as_user("ks_epb", at(date(2018, 5, 21))) as ctx:
        actions.do_serve(ctx, case_id, served_on=date(2018, 5, 21))
    served = _get(client, "yld", f"{docs}/decision.pdf")
    assert served.status_code == 200  # type: ignore[attr-defined]
    assert "六十日内申请行政复议" in "".join(pdf_text(served.content))  # type: ignore[attr-defined]
    assert _get(client, "ks_epb", f"{docs}/closing.pdf").status_code == 409  # type: ignore[attr-defined]

    with as_user("ks_epb", at(date(2018, 5, 25))) as ctx:
        actions.do_record_payment(ctx, case_id, paid_on=date(2018, 5, 25), amount=150_000)
    with as_user("ks_epb_head", at(date(2018, 5, 28))) as ctx:
        actions.do_close_case(ctx, case_id, closed_on=date(2018, 5, 28))
    closing = docx_text(_get(client, "ks_epb", f"{docs}/closing.docx").content)  # type: ignore[attr-defined]
    assert "结案审批表" in closing and "同意结案" in closing and "缴纳 150000 元" in closing
    unavailable = [d["kind"] for d in _get(client, "ks_epb", docs).json() if not d["available"]]  # type: ignore[attr-defined]
    assert unavailable == ["transfer"]  # never transferred
    assert [d["kind"] for d in _get(client, "yld", docs).json()] == [  # type: ignore[attr-defined]
        "notice",
        "decision",
        "service",
    ]

    # The 案卷: cover and 卷内目录, then every document and record in the order of the case.
    dossier = pdf_text(_get(client, "ks_epb", f"{docs}/dossier.pdf").content)  # type: ignore[attr-defined]
    assert "行政处罚案卷" in dossier[0] and "卷内目录" in dossier[0]
    order = [  # the on-site record (8 May) came before the 立案 (10 May)
        "现场检查（勘察）笔录",
        "立案审批表",
        "证据清单",
        "行政处罚事先（听证）告知书",
        "行政处罚决定书",
        "送达回证",
        "结案审批表",
    ]
    firsts = [next(i for i, p in enumerate(dossier) if p.lstrip().startswith(t)) for t in order]
    assert firsts == sorted(firsts) and firsts[0] == 1
    assert all(f"第 {n} 页" in p for n, p in enumerate(dossier, start=1))
    assert "钱科长（执法证 32058100123）" in "".join(dossier)
    assert "采样管接入自来水软管照片" in "".join(dossier)
    word = docx_text(_get(client, "ks_epb", f"{docs}/dossier.docx").content)  # type: ignore[attr-defined]
    positions = [word.index(t) for t in ["行政处罚案卷", *order]]
    assert positions == sorted(positions)


def test_documents_out_of_scope_or_unknown_are_404(
    rt: Runtime, as_user, client: TestClient
) -> None:  # type: ignore[no-untyped-def]
    case_id = open_case(rt, as_user)
    with as_user("ks_epb_head", at(date(2018, 5, 10))) as ctx:
        actions.do_file_case(ctx, case_id, filed_on=date(2018, 5, 10))
    docs = f"{case_id}/documents"
    for user in ("wujiang", "ks_police", "gusu_water", "yld"):
        assert _get(client, user, f"{docs}/filing.pdf").status_code == 404, user  # type: ignore[attr-defined]
        assert _get(client, user, f"{case_id}/evidence").status_code == 404, user  # type: ignore[attr-defined]
    for name in ("filing.txt", "unknown.pdf", "filing", "dossier.docx.pdf"):
        assert _get(client, "ks_epb", f"{docs}/{name}").status_code == 404, name  # type: ignore[attr-defined]
    assert _get(client, "ks_epb", "99999/documents/filing.pdf").status_code == 404  # type: ignore[attr-defined]
    # A supervisor and the city office read the file of a case in their scope.
    for user in ("city", "kunshan", "jiwei"):
        assert _get(client, user, f"{docs}/dossier.pdf").status_code == 200, user  # type: ignore[attr-defined]
