"""A small streaming xlsx writer: sheet XML generated a column chunk at a time, zipped as it goes.

Why hand-written: profiling the nightly job (2026-12, a county of 20,000 people: 6 sheets,
≈22k rows × 21 columns ≈ 440k cells) put 2.3 s of a 15 s night into `write_workbook`, nearly all
of it xlsxwriter's per-cell Python (≈5 µs a cell: bounds checks, a cell object, regexes and a
`write` per cell even in constant_memory mode). The alternatives, timed on the roster sheet alone
(20k × 21, unstyled): xlsxwriter `write_row` 1.7 s, typed per-column xlsxwriter calls 1.9 s,
pyexcelerate 1.3 s, rustpy-xlsxwriter 0.24 s (a Rust wheel, records in, no multi-table layout);
this module 0.21 s. Here a block of rows is turned into XML column by column: each column chunk's
types are looked at once (`set(map(type, values))`), its texts are checked for anything to escape
in one regex pass over the joined chunk, and one format string per row shape fills in every cell
of a row in C. The whole workbook takes ≈0.25 s (a 200k-row sheet ≈2.3 s, +18 MiB), and rows
stream into the zip (deflate level 1: the roster's 25 MB of XML in 0.06 s instead of 0.16 s at
xlsxwriter's level 6, for a file ~20 % larger), so memory stays flat however many rows there are.

The XML is modelled on what xlsxwriter writes for the same workbook (the reference for what
Excel and WPS open without a repair prompt): element order inside <worksheet> follows ECMA-376
(dimension, sheetViews, sheetFormatPr, cols, sheetData, autoFilter, mergeCells, pageMargins);
strings are inline (`t="inlineStr"`, no shared-string table to hold in memory); control
characters are written as Excel writes them (`_x000B_`, a literal `_x0041_` as `_x005F_x0041_`);
text longer than Excel's 32,767-character cell limit is cut there. Every part is declared before
the first row is written (dimension, defined names, content types), so the package's parts are in
the conventional order with `[Content_Types].xml` first, and zip entries carry a fixed 1980
timestamp: the same data make the same bytes.

Deliberately not supported: formulas (text starting with `=` is text), shared strings, rich
text, hyperlinks, comments, images, charts, a theme part (fonts are named: Calibri, as before),
more than the seven fixed cell styles in `Style`, time-zone-aware datetimes, the 1904 date
system, parts over 2 GiB (no zip64), and writing rows out of order. The cell limit is counted in
Python characters (Excel counts a character outside the BMP twice). A text filter (the masking
scrubber) is called once per distinct text of a column chunk, so it must be a pure function.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import IntEnum
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from xml.sax.saxutils import escape as _escape_markup

#: Excel's limits (characters in a cell, rows and columns of a sheet, characters in a sheet name).
MAX_CELL_CHARS = 32767
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_SHEET_NAME = 31
#: Rows turned into XML at a time: big enough for the per-chunk work to vanish, small enough
#: that a chunk's transposed columns and XML stay a few MB.
CHUNK_ROWS = 2048
#: Deflate level: level 1 compressed the 20k-people roster (25 MB of XML) in 0.06 s,
#: level 6 (xlsxwriter's) in 0.16 s, for a 3.0 instead of 2.5 MB file.
COMPRESS_LEVEL = 1
#: Characters of XML buffered before they are encoded and handed to the compressor.
FLUSH_CHARS = 1 << 20


class Style(IntEnum):
    """The cell formats of the fixed styles.xml (`cellXfs` indices)."""

    DEFAULT = 0
    TITLE = 1  # bold 14, vertically centred
    SUBTITLE = 2  # bold 12
    HEADER = 3  # bold, fill #DDEBF7, thin border, centred, wrapped
    TEXT = 4  # number format "@"
    DATE = 5  # yyyy-mm-dd
    PERCENT = 6  # 0.0%


@dataclass(frozen=True)
class ColumnFormat:
    """How a table column's values are written (their Python type decides the cell type).

    `number_style` applies to numbers, `blank_style` to empty cells (a text column's blanks keep
    the text format, so what a user types there later stays text), `round_floats` rounds floats
    to that many decimals (an integral result is written as an integer).
    """

    number_style: Style = Style.DEFAULT
    blank_style: Style = Style.DEFAULT
    round_floats: int | None = None


@dataclass(frozen=True)
class SheetLayout:
    """Everything about a sheet that its XML states before the first row: declared up front.

    Cell positions are 0-based (row 0 is Excel's row 1). `rows` and `columns` are the sheet's
    extent (its `<dimension>`), `freeze_rows` the rows above a frozen pane, `autofilter` and each
    of `merged` a range `(first_row, first_col, last_row, last_col)`. `row_heights` apply to
    rows written with `write_cells` (titles), not to table rows.
    """

    name: str
    rows: int
    columns: int
    widths: Sequence[float] = ()
    row_heights: dict[int, float] = field(default_factory=dict)
    freeze_rows: int = 0
    autofilter: tuple[int, int, int, int] | None = None
    merged: Sequence[tuple[int, int, int, int]] = ()


@dataclass(frozen=True)
class DocumentProperties:
    title: str = ""
    author: str = ""
    comments: str = ""
    created: datetime = datetime(1980, 1, 1)


# ---------------------------------------------------------------- cell references and values


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_range(first_row: int, first_col: int, last_row: int, last_col: int) -> str:
    first = f"{column_letter(first_col)}{first_row + 1}"
    if (first_row, first_col) == (last_row, last_col):
        return first
    return f"{first}:{column_letter(last_col)}{last_row + 1}"


def _absolute_range(first_row: int, first_col: int, last_row: int, last_col: int) -> str:
    return f"${column_letter(first_col)}${first_row + 1}:${column_letter(last_col)}${last_row + 1}"


#: Serial number of 1899-12-30 as a proleptic ordinal: Excel's day 0 for dates from 1900-03-01
#: on (Excel counts the non-existent 1900-02-29, so earlier dates are one less).
_EXCEL_EPOCH_ORDINAL = date(1899, 12, 30).toordinal()
_FIRST_PLAIN_DATE = date(1900, 3, 1)
_FIRST_PLAIN_SERIAL = _FIRST_PLAIN_DATE.toordinal() - _EXCEL_EPOCH_ORDINAL  # 61


def excel_serial(value: date) -> int | float:
    """Excel's serial day number of a date or naive datetime (1900 date system)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise TypeError(f"xlsx has no time zones: {value!r} must be naive")
        day = value.toordinal() - _EXCEL_EPOCH_ORDINAL
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        serial: int | float = day + (seconds + value.microsecond / 1e6) / 86400
    else:
        day = value.toordinal() - _EXCEL_EPOCH_ORDINAL
        serial = day
    if day < _FIRST_PLAIN_SERIAL:
        serial -= 1
    return serial


def number_text(value: float | int | Decimal) -> str:
    """The `<v>` text of a number: integers without a decimal point, floats exactly (repr)."""
    if type(value) is int:
        return str(value)
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"xlsx cannot hold {value!r} as a number")
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


# ---------------------------------------------------------------- text escaping

#: Joins a column chunk's texts for the whole-chunk checks below. A non-character: legal in XML,
#: not whitespace, never special; a cell holding it only makes a check say "look closer".
_SEP = "\ufdd0"
#: What makes a text need escaping: markup characters, characters XML 1.0 forbids, and `_x`
#: (a literal `_xHHHH_` must be escaped so Excel does not decode it).
_SPECIAL = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x")
_LEADING_SPACE = re.compile(_SEP + r"\s")
_ESCAPE_LIKE = re.compile("(_x[0-9a-fA-F]{4}_)")
_ILLEGAL = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")


def _control_escape(match: re.Match[str]) -> str:
    return f"_x{ord(match.group()):04X}_"


def escape_text(text: str) -> str:
    """Cell text as XML character data, the way Excel escapes it.

    `&`, `<`, `>` become entities; a literal `_xHHHH_` becomes `_x005F_xHHHH_` (the escaped
    underscore); characters XML 1.0 forbids (controls other than tab and line feed, also
    carriage return, which XML would turn into a line feed, and U+FFFE/U+FFFF) become `_xHHHH_`.
    """
    if "_x" in text:
        text = _ESCAPE_LIKE.sub(r"_x005F\1", text)
    text = _ILLEGAL.sub(_control_escape, text)
    return _escape_markup(text)


def _needs_preserve(text: str) -> bool:
    return text[:1].isspace() or text[-1:].isspace()


def _filtered(texts: Sequence[str], text_filter: Callable[[str], str]) -> list[str]:
    """`text_filter` over every text, called once per distinct text when texts repeat (most
    roster columns hold a few dozen values): the filter must be a pure function of the text."""
    distinct = set(texts)
    if len(distinct) * 2 > len(texts):
        return list(map(text_filter, texts))
    result = {text: text_filter(text) for text in distinct}
    return list(map(result.__getitem__, texts))


def _prepare_texts(
    texts: Sequence[str], text_filter: Callable[[str], str] | None
) -> tuple[Sequence[str], bool]:
    """Filter, cut at the cell limit and escape a column chunk's texts; whether any text
    starts or ends with whitespace (then the chunk's `<t>` elements say xml:space="preserve").

    The checks run over the chunk joined into one string (a C-speed scan); texts are escaped
    one by one only in a chunk that has something to escape.
    """
    if not texts:
        return texts, False
    if text_filter is not None:
        texts = _filtered(texts, text_filter)
    if max(map(len, texts)) > MAX_CELL_CHARS:
        texts = [t[:MAX_CELL_CHARS] for t in texts]
    joined = _SEP.join(texts)
    preserve = (
        _needs_preserve(texts[0])
        or _needs_preserve(texts[-1])
        or _LEADING_SPACE.search(joined) is not None
        or _LEADING_SPACE.search(joined[::-1]) is not None  # reversed: trailing whitespace
    )
    if _SPECIAL.search(joined) is not None:
        texts = list(map(escape_text, texts))
    return texts, preserve


def _text_tail(text: str, style: int = Style.TEXT) -> str:
    """What follows `<c r="A1"` for a text cell (`text` not yet escaped)."""
    if len(text) > MAX_CELL_CHARS:
        text = text[:MAX_CELL_CHARS]
    space = ' xml:space="preserve"' if _needs_preserve(text) else ""
    return f' s="{style}" t="inlineStr"><is><t{space}>{escape_text(text)}</t></is></c>'


def _blank_tail(style: int) -> str:
    return f' s="{style}"/>'


def _value_tail(value: Any, column: ColumnFormat, text_filter: Callable[[str], str] | None) -> str:
    """What follows `<c r="A1"` for any one value: its Python type decides the cell type."""
    if value is None:
        return _blank_tail(column.blank_style)
    if isinstance(value, date):  # datetime too
        return f' s="{Style.DATE}"><v>{number_text(excel_serial(value))}</v></c>'
    if isinstance(value, bool):
        return _text_tail("是" if value else "否")
    if isinstance(value, int | float | Decimal):
        if column.round_floats is not None and isinstance(value, float):
            value = round(value, column.round_floats)
        style = f' s="{column.number_style}"' if column.number_style else ""
        return f"{style}><v>{number_text(value)}</v></c>"
    text = str(value)
    return _text_tail(text_filter(text) if text_filter else text)


# ---------------------------------------------------------------- column chunks → row template

_NONE = type(None)


def _column_slot(
    letter: str,
    slot: int,
    values: tuple[Any, ...],
    column: ColumnFormat,
    text_filter: Callable[[str], str] | None,
) -> tuple[str, Sequence[Any]]:
    """The row template's piece for one column chunk (`{0}` is the row number, `{slot}` the
    value) and the values to fill in, chosen once for the chunk by the types it holds."""
    cell = f'<c r="{letter}{{0}}"'
    types = set(map(type, values))
    if types == {_NONE}:
        return f"{cell}{_blank_tail(column.blank_style)}", values  # (values unused)
    if types <= {str, _NONE}:
        if _NONE in types:
            texts, preserve = _prepare_texts([v for v in values if v is not None], text_filter)
            space = ' xml:space="preserve"' if preserve else ""
            present = iter(texts)
            blank = _blank_tail(column.blank_style)
            filled = [
                f' s="{Style.TEXT}" t="inlineStr"><is><t{space}>{next(present)}</t></is></c>'
                if v is not None
                else blank
                for v in values
            ]
            return f"{cell}{{{slot}}}", filled
        texts, preserve = _prepare_texts(values, text_filter)
        space = ' xml:space="preserve"' if preserve else ""
        return f'{cell} s="{Style.TEXT}" t="inlineStr"><is><t{space}>{{{slot}}}</t></is></c>', texts
    if types == {int}:  # bool is a type of its own here
        style = f' s="{column.number_style}"' if column.number_style else ""
        return f"{cell}{style}><v>{{{slot}}}</v></c>", values
    if types <= {date, _NONE} and min(v for v in values if v is not None) >= _FIRST_PLAIN_DATE:
        epoch = _EXCEL_EPOCH_ORDINAL
        if _NONE not in types:
            serials = [d.toordinal() - epoch for d in values]
            return f'{cell} s="{Style.DATE}"><v>{{{slot}}}</v></c>', serials
        blank = _blank_tail(column.blank_style)
        tails = [
            f' s="{Style.DATE}"><v>{d.toordinal() - epoch}</v></c>' if d is not None else blank
            for d in values
        ]
        return f"{cell}{{{slot}}}", tails
    return f"{cell}{{{slot}}}", [_value_tail(v, column, text_filter) for v in values]


# ---------------------------------------------------------------- package parts

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006"
_CT_OFFICE = "application/vnd.openxmlformats-officedocument"
_CT_SHEETML = f"{_CT_OFFICE}.spreadsheetml"

_STYLES_XML = (
    _XML_DECLARATION + f'<styleSheet xmlns="{_MAIN_NS}">'
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="@"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="166" formatCode="0.0%"/></numFmts>'
    '<fonts count="4">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="12"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/>'
    '</right><top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/>'
    "</bottom><diagonal/></border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="7">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
    'applyAlignment="1"><alignment vertical="center"/></xf>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="3" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" '
    'applyBorder="1" applyAlignment="1">'
    '<alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
    'defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
)


def _plain(text: str) -> str:
    """Text for the package's own XML (names, properties): no `_xHHHH_` decoding happens
    there, so characters XML forbids are dropped rather than escaped."""
    return _escape_markup(_ILLEGAL.sub("", text), {'"': "&quot;"})


def _quoted_sheet(name: str) -> str:
    """A sheet name in a reference, always quoted (valid for any name, Excel reads it so)."""
    return "'" + name.replace("'", "''") + "'"


def _check_layout(layout: SheetLayout) -> None:
    name = layout.name
    if not name or len(name) > MAX_SHEET_NAME or any(c in name for c in "[]:*?/\\"):
        raise ValueError(f"not a valid sheet name: {name!r}")
    if name.startswith("'") or name.endswith("'"):
        raise ValueError(f"a sheet name cannot start or end with an apostrophe: {name!r}")
    if not 0 < layout.rows <= MAX_ROWS or not 0 < layout.columns <= MAX_COLUMNS:
        raise ValueError(f"{name}: {layout.rows} rows × {layout.columns} columns")
    if len(layout.widths) > layout.columns:
        raise ValueError(f"{name}: more widths than columns")
    for first_row, first_col, last_row, last_col in (
        *layout.merged,
        *([layout.autofilter] if layout.autofilter else []),
    ):
        if not (
            0 <= first_row <= last_row < layout.rows and 0 <= first_col <= last_col < layout.columns
        ):
            raise ValueError(f"{name}: range outside the sheet")


def _column_width(width: float) -> str:
    """A width in characters as Excel stores it (xlsxwriter's conversion: whole pixels of
    Calibri 11, 7 pixels a digit plus 5 of padding), so widths read back as before."""
    pixels = int(width * 12 + 0.5) if width < 1 else int(width * 7 + 0.5) + 5
    return f"{pixels * 256 // 7 / 256:.16g}"


def _cols_xml(widths: Sequence[float]) -> str:
    if not widths:
        return ""
    runs: list[str] = []
    start = 0
    for i in range(1, len(widths) + 1):
        if i == len(widths) or widths[i] != widths[start]:
            runs.append(
                f'<col min="{start + 1}" max="{i}" width="{_column_width(widths[start])}" '
                'customWidth="1"/>'
            )
            start = i
    return "<cols>" + "".join(runs) + "</cols>"


def _sheet_head(layout: SheetLayout, selected: bool) -> str:
    tab = ' tabSelected="1"' if selected else ""
    if layout.freeze_rows:
        top_left = f"A{layout.freeze_rows + 1}"
        view = (
            f'<sheetView{tab} workbookViewId="0"><pane ySplit="{layout.freeze_rows}" '
            f'topLeftCell="{top_left}" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft"/></sheetView>'
        )
    else:
        view = f'<sheetView{tab} workbookViewId="0"/>'
    dimension = cell_range(0, 0, layout.rows - 1, layout.columns - 1)
    return (
        f'{_XML_DECLARATION}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        f'<dimension ref="{dimension}"/><sheetViews>{view}</sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/>{_cols_xml(layout.widths)}<sheetData>'
    )


def _sheet_tail(layout: SheetLayout) -> str:
    parts = ["</sheetData>"]
    if layout.autofilter:
        parts.append(f'<autoFilter ref="{cell_range(*layout.autofilter)}"/>')
    if layout.merged:
        cells = "".join(f'<mergeCell ref="{cell_range(*m)}"/>' for m in layout.merged)
        parts.append(f'<mergeCells count="{len(layout.merged)}">{cells}</mergeCells>')
    parts.append(
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        "</worksheet>"
    )
    return "".join(parts)


def _content_types(sheet_count: int) -> str:
    overrides = [
        ("/docProps/app.xml", f"{_CT_OFFICE}.extended-properties+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/xl/styles.xml", f"{_CT_SHEETML}.styles+xml"),
        ("/xl/workbook.xml", f"{_CT_SHEETML}.sheet.main+xml"),
    ] + [
        (f"/xl/worksheets/sheet{i}.xml", f"{_CT_SHEETML}.worksheet+xml")
        for i in range(1, sheet_count + 1)
    ]
    return (
        _XML_DECLARATION
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
        + "</Types>"
    )


def _root_rels() -> str:
    return (
        f'{_XML_DECLARATION}<Relationships xmlns="{_PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{_OFFICE_DOC}/relationships/officeDocument" '
        'Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{_OFFICE_DOC}/relationships/extended-properties" '
        'Target="docProps/app.xml"/></Relationships>'
    )


def _workbook_rels(sheet_count: int) -> str:
    rels = [
        f'<Relationship Id="rId{i}" Type="{_OFFICE_DOC}/relationships/worksheet" '
        f'Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, sheet_count + 1)
    ]
    rels.append(
        f'<Relationship Id="rId{sheet_count + 1}" Type="{_OFFICE_DOC}/relationships/styles" '
        'Target="styles.xml"/>'
    )
    return f'{_XML_DECLARATION}<Relationships xmlns="{_PKG_REL_NS}">{"".join(rels)}</Relationships>'


def _workbook_xml(layouts: Sequence[SheetLayout]) -> str:
    sheets = "".join(
        f'<sheet name="{_plain(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, s in enumerate(layouts, start=1)
    )
    # Excel keeps an autofilter's range in a hidden defined name as well; without it Excel
    # still filters, but some versions rebuild the name on open and then ask to save
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{_plain(_quoted_sheet(s.name))}!{_absolute_range(*s.autofilter)}</definedName>"
        for i, s in enumerate(layouts)
        if s.autofilter
    )
    defined = f"<definedNames>{names}</definedNames>" if names else ""
    return (
        f'{_XML_DECLARATION}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        '<fileVersion appName="xl" lastEdited="4" lowestEdited="4" rupBuild="4505"/>'
        "<workbookPr/><bookViews>"
        '<workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/>'
        f"</bookViews><sheets>{sheets}</sheets>{defined}"
        '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )


def _core_xml(props: DocumentProperties) -> str:
    stamp = props.created.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        _XML_DECLARATION
        + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_plain(props.title)}</dc:title>"
        f"<dc:creator>{_plain(props.author)}</dc:creator>"
        f"<dc:description>{_plain(props.comments)}</dc:description>"
        f"<cp:lastModifiedBy>{_plain(props.author)}</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _app_xml(layouts: Sequence[SheetLayout]) -> str:
    # the application fields are xlsxwriter's (what Excel and WPS already see from us)
    titles = "".join(f"<vt:lpstr>{_plain(s.name)}</vt:lpstr>" for s in layouts)
    return (
        f'{_XML_DECLARATION}<Properties xmlns="{_OFFICE_DOC}/extended-properties" '
        f'xmlns:vt="{_OFFICE_DOC}/docPropsVTypes"><Application>Microsoft Excel</Application>'
        "<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs>"
        '<vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr>'
        f"</vt:variant><vt:variant><vt:i4>{len(layouts)}</vt:i4></vt:variant></vt:vector>"
        f'</HeadingPairs><TitlesOfParts><vt:vector size="{len(layouts)}" baseType="lpstr">'
        f"{titles}</vt:vector></TitlesOfParts><Company></Company>"
        "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
        "<HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion>"
        "</Properties>"
    )


# ---------------------------------------------------------------- writers


class SheetWriter:
    """Rows of one sheet, in increasing row order; used as a context manager."""

    def __init__(self, stream: IO[bytes], layout: SheetLayout, selected: bool) -> None:
        self._stream = stream
        self._layout = layout
        self._letters = [column_letter(i) for i in range(layout.columns)]
        self._next_row = 0
        self._buffer: list[str] = [_sheet_head(layout, selected)]
        self._buffered = 0
        self._templates: dict[tuple[str, ...], Callable[..., str]] = {}

    def _emit(self, xml: str) -> None:
        self._buffer.append(xml)
        self._buffered += len(xml)
        if self._buffered >= FLUSH_CHARS:
            self._flush()

    def _flush(self) -> None:
        self._stream.write("".join(self._buffer).encode("utf-8"))
        self._buffer.clear()
        self._buffered = 0

    def _claim_rows(self, first: int, count: int) -> None:
        if first < self._next_row:
            raise ValueError(f"{self._layout.name}: row {first + 1} written out of order")
        if first + count > self._layout.rows:
            raise ValueError(f"{self._layout.name}: rows beyond the declared {self._layout.rows}")
        self._next_row = first + count

    def _row_open(self, row: int) -> str:
        height = self._layout.row_heights.get(row)
        if height is None:
            return f'<row r="{row + 1}">'
        return f'<row r="{row + 1}" ht="{height:g}" customHeight="1">'

    def write_cells(self, row: int, cells: Sequence[tuple[int, Any, Style]]) -> None:
        """One row of single cells `(column, value, style)`, columns increasing: titles and
        header rows. A text value is written as is (no filter), `None` as a styled blank."""
        self._claim_rows(row, 1)
        parts = [self._row_open(row)]
        previous = -1
        for col, value, style in cells:
            if not previous < col < self._layout.columns:
                raise ValueError(f"{self._layout.name}: column {col} out of order or range")
            previous = col
            ref = f"{self._letters[col]}{row + 1}"
            if value is None or value == "":
                tail = _blank_tail(style)
            elif isinstance(value, str):
                tail = _text_tail(value, style)
            else:
                tail = _value_tail(value, ColumnFormat(number_style=style), None)
            parts.append(f'<c r="{ref}"{tail}')
        parts.append("</row>")
        self._emit("".join(parts))

    def write_table(
        self,
        first_row: int,
        rows: Sequence[Sequence[Any]],
        columns: Sequence[ColumnFormat],
        text_filter: Callable[[str], str] | None = None,
    ) -> None:
        """Data rows from `first_row` on, column i of each row written by `columns[i]`;
        `text_filter` (if given) passes over every text cell's text before it is escaped."""
        width = len(columns)
        self._claim_rows(first_row, len(rows))
        if not rows:
            return
        if width > self._layout.columns:
            raise ValueError(f"{self._layout.name}: {width} columns, more than declared")
        for start in range(0, len(rows), CHUNK_ROWS):
            chunk = rows[start : start + CHUNK_ROWS]
            if set(map(len, chunk)) != {width}:
                raise ValueError(f"{self._layout.name}: a row without exactly {width} values")
            slots: list[str] = []
            filled: list[Sequence[Any]] = []
            for i, values in enumerate(zip(*chunk)):  # noqa: B905 (lengths checked above)
                slot, cells = _column_slot(self._letters[i], i + 1, values, columns[i], text_filter)
                slots.append(slot)
                filled.append(cells)
            template = self._template(tuple(slots))
            row_numbers = map(str, range(first_row + start + 1, first_row + start + len(chunk) + 1))
            self._emit("".join(map(template, row_numbers, *filled)))

    def _template(self, slots: tuple[str, ...]) -> Callable[..., str]:
        template = self._templates.get(slots)
        if template is None:
            template = ('<row r="{0}">' + "".join(slots) + "</row>").format
            self._templates[slots] = template
        return template

    def close(self) -> None:
        self._emit(_sheet_tail(self._layout))
        self._flush()
        self._stream.close()

    def __enter__(self) -> SheetWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self._stream.close()


class XlsxWriter:
    """An xlsx package whose sheets are all declared up front and then written in order.

    ```
    with XlsxWriter(path, layouts, properties) as book:
        for layout in layouts:
            with book.sheet(layout) as ws:
                ws.write_cells(0, [(0, "title", Style.TITLE)])
                ws.write_table(1, rows, formats)
    ```
    """

    def __init__(
        self,
        path: Path,
        layouts: Sequence[SheetLayout],
        properties: DocumentProperties,
        compress_level: int = COMPRESS_LEVEL,
    ) -> None:
        if not layouts:
            raise ValueError("a workbook needs at least one sheet")
        names = [s.name.casefold() for s in layouts]
        if len(set(names)) != len(names):
            raise ValueError("sheet names must be unique (case-insensitively)")
        for layout in layouts:
            _check_layout(layout)
        self._layouts = list(layouts)
        self._written = 0
        self._zip = zipfile.ZipFile(
            path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compress_level
        )
        try:
            self._part("[Content_Types].xml", _content_types(len(layouts)))
            self._part("_rels/.rels", _root_rels())
            self._part("docProps/app.xml", _app_xml(layouts))
            self._part("docProps/core.xml", _core_xml(properties))
            self._part("xl/workbook.xml", _workbook_xml(layouts))
            self._part("xl/_rels/workbook.xml.rels", _workbook_rels(len(layouts)))
            self._part("xl/styles.xml", _STYLES_XML)
        except BaseException:
            self._zip.close()
            raise

    def _part(self, name: str, xml: str) -> None:
        # a ZipInfo made by name carries the fixed 1980-01-01 timestamp: same data, same bytes
        with self._zip.open(name, "w") as stream:
            stream.write(xml.encode("utf-8"))

    def sheet(self, layout: SheetLayout) -> SheetWriter:
        """The writer of the next declared sheet (`layout` must be it)."""
        index = self._written
        if index >= len(self._layouts) or self._layouts[index] is not layout:
            raise ValueError(f"sheet {layout.name!r} is not the next declared sheet")
        self._written += 1
        stream = self._zip.open(f"xl/worksheets/sheet{index + 1}.xml", "w")
        return SheetWriter(stream, layout, selected=index == 0)

    def close(self) -> None:
        try:
            if self._written != len(self._layouts):
                raise ValueError(
                    f"{len(self._layouts) - self._written} declared sheet(s) never written"
                )
        finally:
            self._zip.close()

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self._zip.close()
