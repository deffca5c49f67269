"""The demo's 常熟 "全过程" case (both databases): replayed through the real actions as
常熟市环保局's demo users — two on-site records, each with two officers and their 执法证
numbers, time, place with coordinates and the party present; five evidence items (one a
monitoring report kept as a file); filed by the head, notified, decided and served — its
documents read back; a second replay changes nothing."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from eco263.audit.models import AuditEvent
from eco263.demo import seed_story
from eco263.enforcement import demo
from eco263.enforcement.models import CaseEvidence, CaseRecord, PenaltyCase
from eco263.evidence.store import BlobStore
from eco263.runtime import Runtime
from tests.conftest import Database, login
from tests.enforcement.test_documents import URL, docx_text, pdf_text

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TITLE = "常熟市某印染有限公司 废水超标排放（“全过程”执法培训现场案件）"


def test_the_changshu_case_is_replayed_through_the_real_actions(
    rt: Runtime, client: TestClient, database: Database
) -> None:
    with rt.unit_of_work() as ctx:
        seed_story(ctx)
    with rt.sessions() as s:
        case = s.scalars(select(PenaltyCase).where(PenaltyCase.title == TITLE)).one()
        assert (case.state, case.outcome, case.fine) == ("served", "penalty", 100_000)
        assert case.hearing_right and case.enterprise_id is not None
        records = s.scalars(
            select(CaseRecord).where(CaseRecord.case_id == case.id).order_by(CaseRecord.id)
        ).all()
        assert [r.kind for r in records] == ["inspection", "inquiry"]
        for r in records:
            assert [o["badge"] for o in r.officers] == ["32058118021", "32058118037"]
            assert 120 < r.lon < 121 and 31 < r.lat < 32 and r.party_present == "陆某"
        evidence = s.scalars(select(CaseEvidence).where(CaseEvidence.case_id == case.id)).all()
        assert len(evidence) == 5 and all(e.source and e.collected_by for e in evidence)
        report = next(e for e in evidence if e.sha256)
        assert BlobStore(rt.settings.attachments_path).get(report.sha256 or "")[:5] == b"%PDF-"
        who = dict(
            s.execute(
                select(AuditEvent.action, AuditEvent.actor_name).where(
                    AuditEvent.subject_type == "penalty_case",
                    AuditEvent.subject_id == str(case.id),
                )
            ).all()
        )
        case_id = case.id
    assert who["case.file"] == who["case.decide"] == "常熟市环保局 郑局长"
    assert who["case.record"] == who["case.evidence"] == "常熟市环保局 执法员 钱科长"

    headers = login(client, "cs_epb")
    decision = pdf_text(
        client.get(f"{URL}/{case_id}/documents/decision.pdf", headers=headers).content
    )
    assert "常熟市某印染有限公司" in decision[0] and "罚款人民币 100000 元" in "".join(decision)
    dossier = docx_text(
        client.get(f"{URL}/{case_id}/documents/dossier.docx", headers=headers).content
    )
    for words in (
        "现场检查（勘察）笔录",
        "调查询问笔录",
        "钱建华（执法证 32058118021）",
        "证据清单",
    ):
        assert words in dossier
    assert client.get(f"{URL}/{case_id}/documents/closing.pdf", headers=headers).status_code == 409
    if database.backend == "sqlite":  # ids start afresh there: the same case number each run
        _screenshots(client.get(f"{URL}/{case_id}/documents/dossier.pdf", headers=headers).content)

    with rt.sessions() as s:
        audits = s.scalar(select(func.count()).select_from(AuditEvent))
    with rt.unit_of_work() as ctx:
        assert demo.replay(ctx) == 0
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == audits


#: The README's picture of each document type: the first page of the 案卷 that starts with it.
SHOTS = {
    "行政处罚案卷": "casedoc-dossier-cover.png",
    "立案审批表": "casedoc-filing.png",
    "现场检查（勘察）笔录": "casedoc-inspection-record.png",
    "调查询问笔录": "casedoc-inquiry-record.png",
    "证据清单": "casedoc-evidence.png",
    "行政处罚事先（听证）告知书": "casedoc-notice.png",
    "行政处罚决定书": "casedoc-decision.png",
    "送达回证": "casedoc-service.png",
}


def _screenshots(dossier: bytes) -> None:
    """Render the first page of each document of the 常熟 案卷 (the README's pictures)."""
    texts = pdf_text(dossier)
    pdf = pypdfium2.PdfDocument(dossier)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for title, name in SHOTS.items():
        index = next(i for i, t in enumerate(texts) if t.lstrip().startswith(title))
        image = pdf[index].render(scale=1.2).to_pil()
        image.save(SCREENSHOTS / name, optimize=True)
    pdf.close()
