"""工作动态 as DOCX in GB/T 9704-2012 page geometry (python-docx).

A4; top margin 37 mm, binding (left) margin 28 mm, text block 156 × 225 mm (so right 26 mm,
bottom 35 mm); 3号 (16 pt) 仿宋 body on a 22-line × 28-character grid (``w:docGrid``, and an
exact line pitch of 28.95 pt so any engine keeps 22 lines); titles in 2号 小标宋; page numbers
"— 1 —" in 4号 宋体 one character in from the outer side (odd pages right, even pages left);
the red masthead (工作动态, 第N期, the office and the date over a red rule) on page 1 and the
版记 (报/送 and the 印发 line between thick rules) at the foot of the last page.

The DOCX names the official fonts (仿宋_GB2312, 方正小标宋简体, 宋体) so the office's Word uses
them; the PDF engine substitutes (:mod:`.pdf`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from eco263.bulletin.rules import cn_date, number_text

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
SONG = "宋体"
RED = RGBColor(0xFF, 0x00, 0x00)

PAGE_W, PAGE_H = Mm(210), Mm(297)
TOP, LEFT = Mm(37), Mm(28)
BLOCK_W, BLOCK_H = Mm(156), Mm(225)
LINES, CHARS = 22, 28
#: One 行: 225 mm / 22 lines = 28.96 pt; Word's usual fixed value is 28.95 pt (579 twips).
PITCH = Pt(28.95)
PITCH_TWIPS = 579
BODY = Pt(16)  # 3号
TITLE = Pt(22)  # 2号
SMALL = Pt(14)  # 4号
CHAR = Pt(442.2 / CHARS)  # one grid character: 156 mm / 28
#: Word's charSpace: (character pitch − default size) × 4096, here (15.79 − 16) × 4096.
CHAR_SPACE = round((442.2 / CHARS - 16) * 4096)
GRID_TYPE = "lines"
#: LibreOffice floats (to the foot of the block) only a table clearly narrower than the
#: block: 150 mm (154 mm stays inline); Word takes either.
COLOPHON_MM = 150.0


@dataclass(frozen=True, slots=True)
class Article:
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class BulletinDoc:
    """What is printed: everything the renderer needs, no database."""

    number: int
    issue_date: date
    office: str
    printer: str
    masthead_over: str
    masthead: str
    bao: str
    song: str
    articles: tuple[Article, ...]


def _fonts(run_or_style: object, family: str) -> None:
    """Name ``family`` for every script (ascii, hAnsi, eastAsia) of a run or a style."""
    element = run_or_style._element  # type: ignore[attr-defined]
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), family)


def _run(p: Paragraph, text: str, family: str, size: Pt, *, red: bool = False) -> None:
    run = p.add_run(text)
    _fonts(run, family)
    run.font.size = size
    if red:
        run.font.color.rgb = RED


def _no_snap(p: Paragraph) -> None:
    """Keep a large line (a title) to its exact height instead of two grid lines."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    p._p.get_or_add_pPr().append(snap)


def _exact(p: Paragraph, lines: float = 1) -> None:
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28.95 * lines)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def _para(
    doc: object,
    text: str = "",
    *,
    family: str = FANGSONG,
    size: Pt = BODY,
    align: WD_ALIGN_PARAGRAPH | None = None,
    red: bool = False,
    lines: float = 1,
) -> Paragraph:
    p: Paragraph = doc.add_paragraph()  # type: ignore[attr-defined]
    _exact(p, lines)
    if align is not None:
        p.alignment = align
    if text:
        _run(p, text, family, size, red=red)
    if size > BODY:
        _no_snap(p)
    return p


def _border(p: Paragraph, side: str, size_eighths: int, color: str) -> None:
    ppr = p._p.get_or_add_pPr()
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = OxmlElement("w:pBdr")
        ppr.append(bdr)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size_eighths))
    edge.set(qn("w:space"), "4")
    edge.set(qn("w:color"), color)
    bdr.append(edge)


def _page_number(p: Paragraph) -> None:
    """ "— N —" with a PAGE field, 4号 宋体 (half-width numerals)."""
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _run(p, "— ", SONG, SMALL)
    for kind, text in (
        ("begin", None),
        (None, " PAGE "),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        run = p.add_run()
        _fonts(run, SONG)
        run.font.size = SMALL
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text or ""
    _run(p, " —", SONG, SMALL)


def _geometry(doc: object) -> None:
    section = doc.sections[0]  # type: ignore[attr-defined]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.top_margin, section.left_margin = TOP, LEFT
    section.right_margin = Mm(210 - 28 - 156)
    section.bottom_margin = Mm(297 - 37 - 225)
    section.gutter = Mm(0)
    section.header_distance = Mm(15)
    # The page number's rule-line sits 7 mm below the text block (35 − 7 − ≈5 mm of 4号).
    section.footer_distance = Mm(23)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), GRID_TYPE)
    grid.set(qn("w:linePitch"), str(PITCH_TWIPS))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))
    doc.settings.odd_and_even_pages_header_footer = True  # type: ignore[attr-defined]
    odd = section.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = SMALL
    _page_number(odd)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = SMALL
    _page_number(even)


def _defaults(doc: object) -> None:
    normal = doc.styles["Normal"]  # type: ignore[attr-defined]
    _fonts(normal, FANGSONG)
    normal.font.size = BODY
    normal.font.color.rgb = RGBColor(0, 0, 0)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = PITCH
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.widow_control = False


def _masthead(doc: object, b: BulletinDoc) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, b.masthead_over, family=XIAOBIAOSONG, size=BODY, align=center, red=True)
    _para(doc, b.masthead, family=XIAOBIAOSONG, size=Pt(44), align=center, red=True, lines=2)
    _para(doc, number_text(b.number), align=center)
    line = _para(doc)
    line.paragraph_format.tab_stops.add_tab_stop(BLOCK_W, WD_TAB_ALIGNMENT.RIGHT)
    _run(line, f"{b.office}\t{cn_date(b.issue_date)}", FANGSONG, BODY)
    _border(line, "bottom", 24, "FF0000")  # the red rule: 3 pt, as wide as the text block
    _para(doc)


def _contents(doc: object, b: BulletinDoc) -> None:
    for a in b.articles:
        p = _para(doc, f"★ {a.title}")
        p.paragraph_format.left_indent = CHAR * 2
    _para(doc)


def _article(doc: object, a: Article, first: bool) -> None:
    if not first:
        _para(doc)
    title = _para(doc, a.title, family=XIAOBIAOSONG, size=TITLE, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.keep_with_next = True
    for text in (t.strip() for t in a.body.splitlines()):
        if text:
            p = _para(doc, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
            p.paragraph_format.first_line_indent = CHAR * 2


def _table_borders(tblpr: Any) -> None:
    """First and last rules thick (0.35 mm ≈ 1 pt), the ones between thin (0.25 mm)."""
    borders = OxmlElement("w:tblBorders")
    for side, size in (
        ("top", 8),
        ("left", 0),
        ("bottom", 8),
        ("right", 0),
        ("insideH", 6),
        ("insideV", 0),
    ):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single" if size else "nil")
        if size:
            edge.set(qn("w:sz"), str(size))
            edge.set(qn("w:space"), "0")
            edge.set(qn("w:color"), "000000")
        borders.append(edge)
    tblpr.append(borders)


def _twips(mm: float) -> str:
    return str(round(mm / 25.4 * 1440))


def _colophon(doc: object, b: BulletinDoc) -> None:
    """版记 at the foot of the last page: a table floated to the bottom of the text block
    (150 of the block's 156 mm, see :data:`COLOPHON_MM`);
    4号 仿宋, one character in from each side."""
    rows = [("报：", b.bao), ("送：", b.song), (None, None)]
    table = doc.add_table(rows=len(rows), cols=1)  # type: ignore[attr-defined]
    tblpr = table._tbl.tblPr
    float_at = OxmlElement("w:tblpPr")
    for k, v in (
        ("w:leftFromText", "0"),
        ("w:rightFromText", "0"),
        ("w:topFromText", "0"),
        ("w:bottomFromText", "0"),
        ("w:vertAnchor", "margin"),
        ("w:horzAnchor", "margin"),
        ("w:tblpXSpec", "center"),
        ("w:tblpYSpec", "bottom"),
    ):
        float_at.set(qn(k), v)
    tblpr.insert(1, float_at)
    width = tblpr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tblpr.append(width)
    width.set(qn("w:w"), _twips(COLOPHON_MM))
    width.set(qn("w:type"), "dxa")
    _table_borders(tblpr)
    for row, (label, text) in zip(table.rows, rows, strict=True):
        cell = row.cells[0]
        cell.width = Mm(COLOPHON_MM)
        p = cell.paragraphs[0]
        _exact(p)
        p.paragraph_format.right_indent = SMALL
        if label:
            p.paragraph_format.left_indent = SMALL * 3
            p.paragraph_format.first_line_indent = -SMALL * 2
            _run(p, f"{label}{text}", FANGSONG, SMALL)
        else:
            p.paragraph_format.left_indent = SMALL
            stop = Mm(COLOPHON_MM) - SMALL * 2 - Mm(2)
            p.paragraph_format.tab_stops.add_tab_stop(stop, WD_TAB_ALIGNMENT.RIGHT)
            _run(p, f"{b.printer}\t{cn_date(b.issue_date)}印发", FANGSONG, SMALL)


def render_docx(b: BulletinDoc) -> bytes:
    doc = Document()
    _defaults(doc)
    _geometry(doc)
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):  # the template's empty first paragraph
        body.remove(p)
    _masthead(doc, b)
    _contents(doc, b)
    for n, a in enumerate(b.articles):
        _article(doc, a, n == 0)
    _colophon(doc, b)
    _para(doc)  # a table may not end the body
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
