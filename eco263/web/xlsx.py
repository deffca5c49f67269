"""Write a table to an Excel workbook (.xlsx) in streaming mode: header, frozen, filterable.

Aware datetimes are written as Beijing time (Excel has no time zones).

Every string is what some user typed, so it is written as text, never as a formula: openpyxl
would store ``=HYPERLINK(…)`` as a live formula, so the cell's type is forced to text, and a
value starting with ``= + - @``, tab or CR gets a leading apostrophe, as OWASP's guidance on
CSV (formula) injection says — it stays harmless when the sheet is saved again as CSV.
Characters XML 1.0 cannot hold (most C0 controls, in rows older than the input checks) are
shown as U+FFFD instead of failing the whole export.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from eco263.clock import SHANGHAI

Cell = str | int | float | date | datetime | None

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """User text as a spreadsheet must show it: no formula prefix, no XML-illegal character."""
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


Sheet = tuple[str, Sequence[tuple[str, int]], Iterable[Sequence[Cell]]]


def table_xlsx(
    sheet_title: str,
    columns: Sequence[tuple[str, int]],
    rows: Iterable[Sequence[Cell]],
) -> bytes:
    """``columns`` are (header, width in characters); dates get a date format."""
    return sheets_xlsx([(sheet_title, columns, rows)])


def sheets_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """One workbook, a sheet per (title, columns, rows), each written as by :func:`table_xlsx`."""
    workbook = Workbook(write_only=True)
    for title, columns, rows in sheets:
        _write_sheet(workbook, title, columns, rows)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(
    workbook: Workbook,
    sheet_title: str,
    columns: Sequence[tuple[str, int]],
    rows: Iterable[Sequence[Cell]],
) -> None:
    # Write-only sheets do have these Worksheet attributes; the stubs omit them.
    sheet: Any = workbook.create_sheet(sheet_title)
    for index, (_, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    count = 0
    header = []
    for title, _ in columns:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="0B5D3B")
        cell.alignment = Alignment(vertical="center")
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"


def _cell(sheet: WriteOnlyWorksheet, value: Cell) -> Any:
    if isinstance(value, datetime):
        local = value.astimezone(SHANGHAI) if value.tzinfo else value
        cell = WriteOnlyCell(sheet, value=local.replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=datetime(value.year, value.month, value.day))  # noqa: DTZ001
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=safe_text(value))
        cell.data_type = "s"  # never "f", whatever the text looks like
        return cell
    return value
