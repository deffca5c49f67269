"""The demo's 工作动态 第70期 (both databases): made from the demo's record through the
real actions as the demo users — the 专题询问, 张家港海事局's case, 昆山's tampering case
filed by the police and 相城区's 联合执法 drafted from the record, the rest free items, in the
bulletin's order, all approved, published by 陈主任, read by four recipient units; a second
replay changes nothing.  Rendered to PDF, its first and last page become
docs/screenshots/bulletin-70-first.png and -last.png (SQLite run; pdftoppm)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from eco263.actor import SYSTEM
from eco263.audit.models import AuditEvent
from eco263.bulletin import demo, service
from eco263.bulletin.pdf import soffice
from eco263.demo import seed_story
from eco263.runtime import Runtime
from tests.conftest import Database, service_missing

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
READERS = ["昆山市263办", "吴江区263办", "苏州市环保局", "苏州市纪委监委"]
ORDER = [
    "全省“263”专项行动年度考核苏州总分第一",
    "周乃翔赴基层走访调研推进重点民生工作",
    "马士光调研环保及“263”工作",
    "苏州市人大常委会就大气污染防治工作开展专题询问",
    "我市出台专项工作方案为污染防治攻坚战提供纪律保障",
    "《昆山市生物多样性本底调查工作技术方案》研讨会召开",
    "张家港海事局查处船舶偷倒垃圾",
    "常熟开展“全过程”执法专项培训提升执法能力",
    "昆山市查获一起干扰自动监测设备污染环境案",
    "相城区建立联合执法协调机制专治“散乱污”",
    "园区举办企业环境风险隐患排查整治专题培训",
    "高新区环保局扎实开展带案下访工作",
]


def test_the_demo_publishes_issue_70(rt: Runtime, database: Database) -> None:
    with rt.unit_of_work() as ctx:
        seed_story(ctx)
    with rt.sessions() as s:
        issue = service.by_number(s, SYSTEM, 70)
        assert issue.state == "published" and issue.office == "苏州市“263”专项行动领导小组办公室"
        assert issue.editor_name == "市263办 张科长"
        assert issue.published_by_name and "陈主任" in issue.published_by_name
        items = service.items_of(s, issue.id)
        assert [i.title for i in items] == ORDER
        assert {i.state for i in items} == {"approved"}
        generated = {i.source: i for i in items if i.source != "free"}
        assert set(generated) == {"inquiry", "case", "transfer", "joint"}
        # Drafted from the demo's record, then rewritten by the editor.
        assert generated["inquiry"].source_ref and generated["case"].source_ref
        assert "4月27日，苏州市十六届人大常委会第11次会议召开" in generated["inquiry"].body
        assert "机动车污染防治" in generated["inquiry"].body
        assert "罚款 18000 元" in generated["case"].body
        assert "相城区环保局" in generated["joint"].body
        assert "昆山市公安局于4月28日立案侦查，3 名犯罪嫌疑人已被依法刑事拘留" in (
            generated["transfer"].body
        )
        assert "92.46" in items[0].body
        read = [r["unit"] for r in service.receipt_table(s, issue.id) if r["read_at"]]
        assert sorted(read) == sorted(READERS)
        actions = set(
            s.scalars(select(AuditEvent.action).where(AuditEvent.action.like("bulletin.%")))
        )
        assert {"bulletin.create", "bulletin.draft", "bulletin.publish", "bulletin.read"} <= actions
        before = s.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
    with rt.unit_of_work() as ctx:
        assert demo.replay(ctx) == 0
    with rt.sessions() as s:
        assert s.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc())) == before
        docx = service.render(s, SYSTEM, 70, "docx")
    assert docx[:2] == b"PK"
    if database.backend != "sqlite":
        return
    if soffice() is None or shutil.which("pdftoppm") is None:
        service_missing("LibreOffice and pdftoppm (make office; apt-get install poppler-utils)")
    with rt.sessions() as s:
        pdf = service.render(s, SYSTEM, 70, "pdf")
    _pages_as_png(pdf)


def _pages_as_png(pdf: bytes) -> None:
    """The first and the last page of ``pdf`` as PNG (60 dpi) in docs/screenshots/."""
    pdfplumber = pytest.importorskip("pdfplumber")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        pages = len(doc.pages)
        last = re.sub(r"\s", "", doc.pages[-1].extract_text())
    assert pages >= 8
    assert "报：" in last and "乃翔、亚平、振一" in last and "2018年4月30日印发" in last
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tool = shutil.which("pdftoppm")
    assert tool
    for name, page in (("first", 1), ("last", pages)):
        out = SCREENSHOTS / f"bulletin-70-{name}"
        subprocess.run(  # noqa: S603 - a fixed tool on our own file
            [
                tool, "-png", "-r", "60", "-singlefile",
                "-f", str(page), "-l", str(page), "-", str(out),
            ],
            input=pdf,
            check=True,
        )  # fmt: skip
        assert out.with_suffix(".png").stat().st_size > 10_000
