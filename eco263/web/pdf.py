"""Printable A4 forms (交办单, 销号单 …) as PDF, with ReportLab.

The text is set in ReportLab's built-in CID font ``STSong-Light`` (Adobe-GB1): no font file
is embedded, the reader's own Song typeface shows it, and the text stays searchable and
extractable.  A form is a title, an optional document number, and blocks: field tables
(label, value), tables with a header row, paragraphs and a signature line.  Every value is
user text, so it is escaped before ReportLab's paragraph markup reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

_BODY = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=17, wordWrap="CJK")
_CELL = ParagraphStyle("cell", parent=_BODY, fontSize=10, leading=14)
_HEAD = ParagraphStyle("head", parent=_CELL, textColor=colors.white)
_TITLE = ParagraphStyle("title", parent=_BODY, fontSize=20, leading=30, alignment=TA_CENTER)
_NUMBER = ParagraphStyle("number", parent=_BODY, alignment=TA_RIGHT)
_SECTION = ParagraphStyle("section", parent=_BODY, fontSize=13, leading=22, spaceBefore=8)
_GRID = colors.HexColor("#555555")
_HEADER_FILL = colors.HexColor("#0B5D3B")
WIDTH = A4[0] - 40 * mm


@dataclass(frozen=True, slots=True)
class Fields:
    """Label–value pairs, two columns."""

    rows: Sequence[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Grid:
    """A table with a header row; ``widths`` in millimetres."""

    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    widths: Sequence[float]


@dataclass(frozen=True, slots=True)
class Section:
    title: str


@dataclass(frozen=True, slots=True)
class Text:
    text: str


Block = Fields | Grid | Section | Text


@dataclass(frozen=True, slots=True)
class Form:
    """One printed form: its title, its number (right-aligned under it) and its blocks."""

    title: str
    number: str
    blocks: Sequence[Block]


def _p(text: str, style: ParagraphStyle = _CELL) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _flowable(block: Block) -> Flowable:
    if isinstance(block, Section):
        return _p(block.title, _SECTION)
    if isinstance(block, Text):
        return _p(block.text, _BODY)
    if isinstance(block, Fields):
        table = Table(
            [[_p(label), _p(value)] for label, value in block.rows],
            colWidths=[30 * mm, WIDTH - 30 * mm],
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, _GRID),
                    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#EEF3F0")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return table
    rows = [[_p(h, _HEAD) for h in block.header]]
    rows += [[_p(cell) for cell in row] for row in block.rows]
    grid = Table(rows, colWidths=[w * mm for w in block.widths], repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, _GRID),
                ("BACKGROUND", (0, 0), (-1, 0), _HEADER_FILL),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return grid


def form_pdf(title: str, number: str, blocks: Sequence[Block], footer: str) -> bytes:
    """One A4 form: the title, its number on the right, the blocks, a footer on every page."""
    return forms_pdf([Form(title, number, blocks)], footer, title=title)


def forms_pdf(forms: Sequence[Form], footer: str, *, title: str) -> bytes:
    """Several forms in one PDF, each from a new page (a 案卷), numbered through."""
    buffer = BytesIO()

    def _page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 9)
        text = f"{footer}　第 {doc.page} 页"
        canvas.drawCentredString(A4[0] / 2, 12 * mm, text)
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=title,
        author="苏州市263专项行动办公室",
        invariant=True,  # no creation time or random id: the same form gives the same bytes
    )
    story: list[Flowable] = []
    for index, form in enumerate(forms):
        if index:
            story.append(PageBreak())
        story += [_p(form.title, _TITLE), _p(form.number, _NUMBER), Spacer(1, 4 * mm)]
        for block in form.blocks:
            story += [_flowable(block), Spacer(1, 3 * mm)]
    doc.build(story, onFirstPage=_page, onLaterPages=_page)
    return buffer.getvalue()
