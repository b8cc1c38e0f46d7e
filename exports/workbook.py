"""Write the inspection workbook (xlsx) with our streaming writer (`exports/xlsx.py`).

Why these choices: inspectors print and filter these sheets, so every sheet has a title row
naming county, scope and date, a frozen header row with a filter, real Excel dates, and column
widths that fit Chinese text (a CJK character is two columns wide). Identity numbers and codes
are always written as text — Excel would turn an 18-digit number into `3.20102E+17` and lose the
last digits, the very damage the warehouse flags in the sources. Formula and URL conversion is
off: a cell that starts with `=` is data, not a formula. The file's metadata dates are pinned to
the batch date, so the same data exports to the same bytes. The writer is our own because
xlsxwriter's per-cell Python took 2.3 s of a 15 s night for a county of 20,000 people (see the
docstring of `exports/xlsx.py`); this module only decides the layout.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from exports.tables import Block, Column, Sheet
from exports.xlsx import (
    ColumnFormat,
    DocumentProperties,
    SheetLayout,
    SheetWriter,
    Style,
    XlsxWriter,
)

MIN_WIDTH = 6.0
MAX_WIDTH = 60.0
#: Rows per block that decide a column's width: the widest of the first thousands is wide
#: enough, and measuring every cell of a county's roster cost a fifth of the export.
WIDTH_SAMPLE_ROWS = 2000
TITLE_ROW = 0
HEADER_ROW = 1


def display_width(text: str) -> int:
    """Columns a text takes in Excel: wide (CJK, full-width) characters count two."""
    if text.isascii():
        return len(text)
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


def _widest_value(values: list[Any], column: Column) -> int:
    """The widest cell text among `values`, each distinct value measured once (a roster
    column repeats a few dozen values thousands of times)."""
    try:  # keyed by type too: 1, 1.0 and True are equal but print differently
        distinct: Iterable[Any] = [v for _, v in set(zip(map(type, values), values, strict=True))]
    except TypeError:  # an unhashable value
        distinct = values
    return max((display_width(_cell_text(v, column)) for v in distinct), default=0)


def column_widths(blocks: Sequence[Block]) -> list[float]:
    """Per column, the widest header or value over every block, within sensible bounds."""
    count = max((len(b.columns) for b in blocks), default=0)
    widths = [MIN_WIDTH] * count
    for block in blocks:
        sample = block.rows[:WIDTH_SAMPLE_ROWS]
        for i, column in enumerate(block.columns):
            values = [r[i] for r in sample]
            widest = max(display_width(column.header), _widest_value(values, column))
            widths[i] = max(widths[i], min(MAX_WIDTH, widest + 2.0))
    return widths


_KIND_FORMATS: dict[str, ColumnFormat] = {
    "text": ColumnFormat(blank_style=Style.TEXT),
    "int": ColumnFormat(),
    "num": ColumnFormat(round_floats=4),  # measured ratios arrive as doubles: 4 decimals
    "pct": ColumnFormat(number_style=Style.PERCENT, blank_style=Style.PERCENT),
    "date": ColumnFormat(blank_style=Style.DATE),
    "bool": ColumnFormat(),
}


@dataclass(frozen=True)
class _Placed:
    """Where a block goes on its sheet (0-based rows)."""

    block: Block
    subtitle_row: int | None
    header_row: int

    @property
    def last_row(self) -> int:
        return self.header_row + len(self.block.rows)


def _place(sheet: Sheet, title: str) -> tuple[SheetLayout, list[_Placed], str]:
    """The sheet's layout, where each block goes and the title: a title row, then per block
    (after the first: a blank row and a subtitle row) a header row and the data rows."""
    suffix = f"{sheet.name}，{sheet.note}" if sheet.note else sheet.name
    widths = column_widths(sheet.blocks)
    last_col = max(len(widths) - 1, 0)
    placed: list[_Placed] = []
    row = HEADER_ROW
    for index, block in enumerate(sheet.blocks):
        subtitle_row = None
        if index > 0:
            subtitle_row = row + 1  # one blank row between blocks
            row += 2
        placed.append(_Placed(block, subtitle_row, row))
        row = placed[-1].last_row + 1
    first = placed[0] if placed else None
    layout = SheetLayout(
        name=sheet.name,
        rows=max(p.last_row for p in placed) + 1 if placed else TITLE_ROW + 1,
        columns=last_col + 1,
        widths=widths,
        row_heights={TITLE_ROW: 24},
        freeze_rows=HEADER_ROW + 1 if first else 0,
        autofilter=(first.header_row, 0, first.last_row, len(first.block.columns) - 1)
        if first and first.block.columns
        else None,
        merged=[(TITLE_ROW, 0, TITLE_ROW, last_col)] if last_col > 0 else [],
    )
    return layout, placed, f"{title}（{suffix}）"


def write_workbook(
    path: Path,
    title: str,
    sheets: Sequence[Sheet],
    as_of: date,
    scrub: Callable[[str], str] | None = None,
    comment: str = "",
) -> None:
    """Write `sheets` to `path`; `scrub` (if given) passes over every text cell (a pure function
    of the text: it is called once per distinct text of a column chunk)."""
    placements = [_place(sheet, title) for sheet in sheets]
    properties = DocumentProperties(
        title=title, author="bianzhi", comments=comment, created=datetime.combine(as_of, time())
    )
    with XlsxWriter(path, [layout for layout, _, _ in placements], properties) as book:
        for layout, placed, full_title in placements:
            with book.sheet(layout) as ws:
                _write_sheet(ws, layout, placed, full_title, scrub)


def _write_sheet(
    ws: SheetWriter,
    layout: SheetLayout,
    placed: Sequence[_Placed],
    full_title: str,
    scrub: Callable[[str], str] | None,
) -> None:
    # the merged title: its first cell holds the text, the others the same format (as Excel)
    ws.write_cells(
        TITLE_ROW,
        [(0, full_title, Style.TITLE)] + [(c, None, Style.TITLE) for c in range(1, layout.columns)]
        if layout.merged
        else [(0, full_title, Style.TITLE)],
    )
    for item in placed:
        block = item.block
        if item.subtitle_row is not None:
            ws.write_cells(item.subtitle_row, [(0, block.subtitle or None, Style.SUBTITLE)])
        ws.write_cells(
            item.header_row, [(i, c.header, Style.HEADER) for i, c in enumerate(block.columns)]
        )
        formats = [_KIND_FORMATS[c.kind] for c in block.columns]
        ws.write_table(item.header_row + 1, block.rows, formats, scrub)
