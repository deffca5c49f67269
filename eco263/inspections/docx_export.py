"""The 监督意见书 as a Word document (python-docx): number, addressee, the findings, the
measures required and the deadlines of the reply and the report, signed by the 纪委监委 of
the campaign's area.  Whoever may read the opinion (the 纪委, the office, the addressee) may
download it; it names no disposition."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from eco263.context import Ctx
from eco263.inspections import service
from eco263.inspections.models import InspectionOpinion
from eco263.registry import service as registry

FONT = "仿宋"
NUMERALS = "一二三四五六七八九十"


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def opinion_docx(ctx: Ctx, o: InspectionOpinion) -> bytes:
    """The opinion's DOCX bytes (the caller has read ``o`` through the scoped service)."""
    campaign, target = service.campaign_and_target_of(ctx.session, o)
    unit = registry.organization_names(ctx.session, {o.organization_id}).get(o.organization_id, "")
    issuer = f"{registry.division_name(ctx.session, campaign.division_code) or ''}纪委监委"
    document = Document()
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    document.add_heading("监督意见书", level=1).alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(o.number).alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(f"{unit}：")
    document.add_paragraph(
        f"根据{campaign.year}年{campaign.theme}工作安排，{issuer}对{target.name}开展了"
        f"{campaign.kind}。现将发现的问题和整改要求告知如下："
    )
    sections = [
        ("发现的主要问题", _lines(o.findings)),
        ("整改要求", _lines(o.measures)),
        (
            "回复要求",
            [
                f"请于{chinese_date(o.reply_due)}前报送整改方案，明确整改措施、责任人和时限，"
                "并建立长效机制。",
                *(
                    [f"请于{chinese_date(o.report_due)}前报送整改情况报告。"]
                    if o.report_due
                    else []
                ),
            ],
        ),
    ]
    for n, (heading, paragraphs) in enumerate(sections):
        document.add_heading(f"{NUMERALS[n]}、{heading}", level=2)
        for text in paragraphs:
            document.add_paragraph(text)
    document.add_paragraph(issuer).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph(chinese_date(o.issued_on)).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
