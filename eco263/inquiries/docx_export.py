"""The handling report as a Word document (python-docx): the draft text if there is one,
else the sections assembled now from the tasks' outcomes."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from eco263.context import Ctx
from eco263.inquiries import report
from eco263.inquiries.enums import REPORT_STATE_LABELS, ReportState
from eco263.inquiries.models import InquirySitting
from eco263.registry import service as registry

FONT = "宋体"


def _sections(ctx: Ctx, sitting: InquirySitting) -> list[report.Section]:
    if not sitting.report_text.strip():
        return report.assemble(ctx, sitting)
    sections: list[report.Section] = []
    for block in sitting.report_text.split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        if lines:
            sections.append(report.Section(lines[0], lines[1:]))
    return sections


def report_docx(ctx: Ctx, sitting: InquirySitting) -> bytes:
    """The report's DOCX bytes, with its state (草稿 until approved) in the subtitle."""
    document = Document()
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    title = document.add_heading(f"关于{sitting.theme}专题询问审议意见落实情况的报告", level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    state = REPORT_STATE_LABELS.get(ReportState(sitting.report_state), "")
    sub = document.add_paragraph(f"（{state}；报告期限 {sitting.report_due or '未定'}）")
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph("市人大常委会：")
    for section in _sections(ctx, sitting):
        document.add_heading(section.heading, level=2)
        for text in section.paragraphs:
            document.add_paragraph(text)
    government = f"{registry.division_name(ctx.session, sitting.division_code) or ''}人民政府"
    document.add_paragraph(government).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
