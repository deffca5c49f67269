"""The same printable forms as :mod:`eco263.web.pdf`, as DOCX (python-docx) an office can edit.

A form is a title, its number and blocks (field tables, tables with a header row, section
titles, paragraphs); several forms go in one document, each from a new page (a 案卷), with the
footer and the page number (a PAGE field) at the foot of every page.  Text is set in 宋体 (the
East Asian font named on every run), A4 with 20 mm margins like the PDF.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from eco263.web.pdf import Block, Fields, Form, Section, Text

SONG = "宋体"


def _font(run: object, size: float, *, bold: bool = False) -> None:
    run.font.size = Pt(size)  # type: ignore[attr-defined]
    run.font.bold = bold  # type: ignore[attr-defined]
    run.font.name = SONG  # type: ignore[attr-defined]
    rpr = run._element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), SONG)


def _para(
    owner: object, text: str, size: float = 11, *, bold: bool = False, align: int | None = None
) -> Paragraph:
    paragraph: Paragraph = owner.add_paragraph()  # type: ignore[attr-defined]
    if align is not None:
        paragraph.alignment = align  # type: ignore[assignment]
    lines = text.split("\n")
    for i, line in enumerate(lines):
        run = paragraph.add_run(line)
        _font(run, size, bold=bold)
        if i < len(lines) - 1:
            run.add_break()
    return paragraph


def _fill(cell: _Cell, text: str, *, bold: bool = False) -> None:
    first = cell.paragraphs[0]
    lines = text.split("\n")
    for i, line in enumerate(lines):
        run = first.add_run(line)
        _font(run, 10, bold=bold)
        if i < len(lines) - 1:
            run.add_break()


def _table(
    document: object, rows: Sequence[Sequence[str]], widths: Sequence[float], *, header: bool
) -> None:
    """A grid table; cells reached through each row's own ``w:tc`` elements, since python-docx's
    ``table.cell``/``row.cells`` walk the whole table on every call (quadratic on 200 rows)."""
    table = document.add_table(rows=0, cols=len(widths))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)  # the grid LibreOffice lays out by (w:gridCol)
    for i, values in enumerate(rows):
        row = table.add_row()
        for j, (tc, value) in enumerate(zip(row._tr.tc_lst, values, strict=True)):
            cell = _Cell(tc, table)
            cell.width = Mm(widths[j])
            _fill(cell, value, bold=(header and i == 0) or (not header and j == 0))


def _block(document: object, block: Block) -> None:
    if isinstance(block, Section):
        _para(document, block.title, 13, bold=True)
    elif isinstance(block, Text):
        _para(document, block.text)
    elif isinstance(block, Fields):
        _table(document, [list(r) for r in block.rows], [30, 140], header=False)
    else:
        _table(document, [list(block.header), *block.rows], block.widths, header=True)


def _page_field(paragraph: Paragraph) -> None:
    """Append a PAGE field (Word and LibreOffice fill in the page number)."""
    run = paragraph.add_run()
    _font(run, 9)
    begin, code, end = (
        OxmlElement("w:fldChar"),
        OxmlElement("w:instrText"),
        OxmlElement("w:fldChar"),
    )
    begin.set(qn("w:fldCharType"), "begin")
    code.set(qn("xml:space"), "preserve")
    code.text = " PAGE "
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, code, end):
        run._element.append(element)


def forms_docx(forms: Sequence[Form], footer: str, *, title: str) -> bytes:
    """Several forms in one DOCX, each from a new page; the footer and page number below."""
    document = Document()
    document.core_properties.title = title
    document.core_properties.author = "苏州市263专项行动办公室"
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(foot.add_run(f"{footer}　第 "), 9)
    _page_field(foot)
    _font(foot.add_run(" 页"), 9)
    for index, form in enumerate(forms):
        heading = _para(document, form.title, 20, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        if index:
            heading.paragraph_format.page_break_before = True
        if form.number:
            _para(document, form.number, align=WD_ALIGN_PARAGRAPH.RIGHT)
        for block in form.blocks:
            _block(document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def form_docx(form: Form, footer: str) -> bytes:
    """One form as a DOCX."""
    return forms_docx([form], footer, title=form.title)
