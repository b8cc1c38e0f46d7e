"""Write the inspection workbook (xlsx) with xlsxwriter.

Why these choices: inspectors print and filter these sheets, so every sheet has a title row
naming county, scope and date, a frozen header row with a filter, real Excel dates, and column
widths that fit Chinese text (a CJK character is two columns wide). Identity numbers and codes
are always written as text — Excel would turn an 18-digit number into `3.20102E+17` and lose the
last digits, the very damage the warehouse flags in the sources. Formula and URL conversion is
off: a cell that starts with `=` is data, not a formula. The file's metadata dates are pinned to
the batch date, so the same data exports to the same bytes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from exports.tables import Block, Column, Sheet

MIN_WIDTH = 6.0
MAX_WIDTH = 60.0
#: Rows per block that decide a column's width: the widest of the first thousands is wide
#: enough, and measuring every cell of a county's roster cost a fifth of the export.
WIDTH_SAMPLE_ROWS = 2000
TITLE_ROW = 0
HEADER_ROW = 1


def display_width(text: str) -> int:
    """Columns a text takes in Excel: wide (CJK, full-width) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _tidy(value: Any, column: Column) -> Any:
    """Measured values such as a leader ratio arrive as doubles: 4 decimals are plenty."""
    if column.kind == "num" and isinstance(value, float):
        rounded = round(value, 4)
        return int(rounded) if rounded.is_integer() else rounded
    return value


def _cell_text(value: Any, column: Column) -> str:
    value = _tidy(value, column)
    if value is None:
        return ""
    if column.kind == "date":
        return "2026-11-20"
    if column.kind == "pct":
        return "100.0%"
    return str(value)


def column_widths(blocks: Sequence[Block]) -> list[float]:
    """Per column, the widest header or value over every block, within sensible bounds."""
    count = max((len(b.columns) for b in blocks), default=0)
    widths = [MIN_WIDTH] * count
    for block in blocks:
        for i, column in enumerate(block.columns):
            widest = display_width(column.header)
            for row in block.rows[:WIDTH_SAMPLE_ROWS]:
                widest = max(widest, display_width(_cell_text(row[i], column)))
            widths[i] = max(widths[i], min(MAX_WIDTH, widest + 2.0))
    return widths


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.title = book.add_format({"bold": True, "font_size": 14, "valign": "vcenter"})
        self.subtitle = book.add_format({"bold": True, "font_size": 12})
        self.header = book.add_format(
            {
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
            }
        )
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.pct = book.add_format({"num_format": "0.0%"})
        self.text = book.add_format({"num_format": "@"})


def write_workbook(
    path: Path,
    title: str,
    sheets: Sequence[Sheet],
    as_of: date,
    scrub: Callable[[str], str] | None = None,
    comment: str = "",
) -> None:
    """Write `sheets` to `path`; `scrub` (if given) passes over every text cell."""
    book = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            # rows go straight to disk as they are written (always in order here): a county
            # roster does not sit in memory twice, and no shared-string table is built
            "constant_memory": True,
        },
    )
    pinned = datetime.combine(as_of, time())
    book.set_properties(
        {"title": title, "author": "bianzhi", "comments": comment, "created": pinned}
    )
    formats = _Formats(book)
    for sheet in sheets:
        _write_sheet(book.add_worksheet(sheet.name), sheet, title, formats, scrub)
    book.close()


def _write_sheet(
    ws: Worksheet,
    sheet: Sheet,
    title: str,
    formats: _Formats,
    scrub: Callable[[str], str] | None,
) -> None:
    suffix = f"{sheet.name}，{sheet.note}" if sheet.note else sheet.name
    widths = column_widths(sheet.blocks)
    last_col = max(len(widths) - 1, 0)
    ws.set_row(TITLE_ROW, 24)
    full_title = f"{title}（{suffix}）"
    if last_col > 0:
        ws.merge_range(TITLE_ROW, 0, TITLE_ROW, last_col, full_title, formats.title)
    else:
        ws.write_string(TITLE_ROW, 0, full_title, formats.title)
    for i, width in enumerate(widths):
        ws.set_column(i, i, width)
    row = HEADER_ROW
    for index, block in enumerate(sheet.blocks):
        if index > 0:
            row += 1  # one blank row between blocks
            ws.write_string(row, 0, block.subtitle or "", formats.subtitle)
            row += 1
        header_row = row
        for col, column in enumerate(block.columns):
            ws.write_string(row, col, column.header, formats.header)
        for values in block.rows:
            row += 1
            for col, (value, column) in enumerate(zip(values, block.columns, strict=True)):
                _write_cell(ws, row, col, value, column, formats, scrub)
        if index == 0:
            ws.freeze_panes(HEADER_ROW + 1, 0)
            ws.autofilter(header_row, 0, max(row, header_row), len(block.columns) - 1)
        row += 1


def _write_cell(
    ws: Worksheet,
    row: int,
    col: int,
    value: Any,
    column: Column,
    formats: _Formats,
    scrub: Callable[[str], str] | None,
) -> None:
    value = _tidy(value, column)
    if value is None:
        return
    if isinstance(value, datetime | date):
        ws.write_datetime(row, col, value, formats.date)
    elif isinstance(value, bool):
        ws.write_string(row, col, "是" if value else "否")
    elif isinstance(value, int | float | Decimal):
        ws.write_number(row, col, float(value), formats.pct if column.kind == "pct" else None)
    else:
        text = str(value)
        ws.write_string(row, col, scrub(text) if scrub else text, formats.text)
