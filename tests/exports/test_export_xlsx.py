"""The streaming xlsx writer (exports/xlsx.py) through `write_workbook`, read back by openpyxl
(a full load) and python-calamine, and checked as a package: parts, element order, escapes."""

from __future__ import annotations

import random
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from exports.mask import scrub_text
from exports.tables import Block, Column, Sheet
from exports.workbook import WIDTH_SAMPLE_ROWS, column_widths, write_workbook
from exports.xlsx import (
    CHUNK_ROWS,
    MAX_CELL_CHARS,
    ColumnFormat,
    DocumentProperties,
    SheetLayout,
    Style,
    XlsxWriter,
    column_letter,
    excel_serial,
)

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
AS_OF = date(2026, 11, 20)
TITLE = "XX县 机构编制核查 截至2026年11月20日"

TRICKY = [
    "a\x0bb",  # vertical tab: illegal in XML 1.0
    "lit _x0041_ x",  # looks like an escape: must stay literal
    "cr\r\nlf",  # carriage return: XML would turn it into a line feed
    "  两边有空格  ",
    "\t制表符开头",
    '=HYPERLINK("http://x")',
    "=1+2",
    "a & b < c > d \"q\" 'a'",
    "nul\x00end",
]


def _mixed_sheet() -> Sheet:
    columns = [
        Column("名称"),
        Column("人数", "int"),
        Column("比例", "num"),
        Column("占比", "pct"),
        Column("日期", "date"),
        Column("是否", "bool"),
    ]
    rows: list[tuple[Any, ...]] = [
        ("牛佛镇农业综合服务中心", 3, 0.4814814814, 0.25, date(2026, 11, 20), True),
        (None, None, None, None, None, False),
        ("x", 0, 3.0, Decimal("0.5"), datetime(2026, 1, 2, 12, 0), None),
        ("早", -7, 1e-05, 1, date(1900, 1, 1), True),
    ]
    return Sheet("混合", [Block(columns, rows)], note="说明")


def _tricky_sheet() -> Sheet:
    first = Block([Column("文本"), Column("序号", "int")], [(t, i) for i, t in enumerate(TRICKY)])
    second = Block(
        [Column("超长"), Column("空白")], [("长" * (MAX_CELL_CHARS + 10), None)], subtitle="第二块"
    )
    third = Block([Column("只有表头")], [], subtitle=None)
    return Sheet("特殊字符", [first, second, third])


def _write(path: Path, sheets: list[Sheet], **kw: Any) -> Path:
    write_workbook(path, TITLE, sheets, AS_OF, **kw)
    return path


def _calamine(path: Path, name: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def _xml(path: Path, part: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(part).decode("utf-8")


def _widths(ws: Any) -> dict[int, float]:
    """Column widths by 0-based column; a <col> element may cover several equal columns."""
    return {
        i - 1: dim.width
        for dim in ws.column_dimensions.values()
        for i in range(dim.min, dim.max + 1)
    }


def test_values_types_and_formats_round_trip(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.xlsx", [_mixed_sheet()])
    ws = openpyxl.load_workbook(path)["混合"]
    assert ws["A1"].value == f"{TITLE}（混合，说明）"
    assert ws["A1"].font.b and ws["A1"].font.sz == 14 and ws["A1"].alignment.vertical == "center"
    assert ws.row_dimensions[1].height == 24
    header = ws["B2"]
    assert header.value == "人数" and header.font.b and header.fill.fgColor.rgb == "FFDDEBF7"
    assert header.border.left.style == "thin" and header.border.bottom.style == "thin"
    assert header.alignment.horizontal == "center" and header.alignment.wrap_text
    # row 3: text, int, a ratio rounded to 4 decimals, percent, date, boolean as 是
    assert [c.value for c in ws[3]] == [
        "牛佛镇农业综合服务中心", 3, 0.4815, 0.25, datetime(2026, 11, 20), "是",
    ]  # fmt: skip
    assert ws["A3"].data_type == "s" and ws["A3"].number_format == "@"
    assert ws["D3"].number_format == "0.0%"
    assert ws["E3"].is_date and ws["E3"].number_format == "yyyy-mm-dd"
    # row 4: every kind blank (formatted blanks read as None), False as 否
    assert [c.value for c in ws[4]] == [None, None, None, None, None, "否"]
    assert ws["A4"].number_format == "@" and ws["E4"].number_format == "yyyy-mm-dd"
    # row 5: 3.0 in a num column is written as the integer 3, Decimal as a number, a datetime
    assert ws["C5"].value == 3 and isinstance(ws["C5"].value, int)
    assert ws["D5"].value == 0.5 and ws["E5"].value == datetime(2026, 1, 2, 12, 0)
    # row 6: a negative integer, a tiny float, a date before Excel's phantom 1900-02-29
    assert ws["B6"].value == -7 and ws["C6"].value == 0.0  # 1e-05 rounds away (4 decimals)
    assert ws["E6"].value == datetime(1900, 1, 1)

    rows = _calamine(path, "混合")
    assert rows[2] == ["牛佛镇农业综合服务中心", 3.0, 0.4815, 0.25, date(2026, 11, 20), "是"]
    assert rows[3] == ["", "", "", "", "", "否"]
    assert rows[4][4] == datetime(2026, 1, 2, 12, 0)
    assert rows[5][4] == date(1900, 1, 1)


def test_layout_frozen_pane_filter_merge_and_widths(tmp_path: Path) -> None:
    sheet = _mixed_sheet()
    path = _write(tmp_path / "t.xlsx", [sheet])
    ws = openpyxl.load_workbook(path)["混合"]
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == "A2:F6"
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:F1"]
    # widths as Excel stores them: whole pixels of Calibri 11 (7 a digit, 5 of padding)
    expected = [int(w * 7 + 0.5) + 5 for w in column_widths(sheet.blocks)]
    got = _widths(ws)
    assert [round(got[i] * 7) for i in range(6)] == expected
    assert got[0] == pytest.approx(24.7109375)  # 牛佛镇农业综合服务中心: 22 + 2
    with CalamineWorkbook.from_path(str(path)) as book:
        merged = book.get_sheet_by_name("混合").merged_cell_ranges
    assert merged == [((0, 0), (0, 5))]


def test_autofilter_defined_name_and_package_parts(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.xlsx", [_mixed_sheet(), _tricky_sheet()], comment="身份证号已脱敏")
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert names[0] == "[Content_Types].xml"
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in zf.infolist())
        for name in names:  # every part is well-formed XML
            ET.fromstring(zf.read(name))
        types = ET.fromstring(zf.read("[Content_Types].xml"))
        declared = {o.get("PartName") for o in types if o.get("PartName")}
        assert declared == {f"/{n}" for n in names if not n.endswith(".rels")} - {
            "/[Content_Types].xml"
        }
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        assert {f"xl/{r.get('Target')}" for r in rels} <= set(names)
    book = ET.fromstring(_xml(path, "xl/workbook.xml"))
    defined = [
        (d.get("name"), d.get("localSheetId"), d.get("hidden"), d.text)
        for d in book.iter(f"{MAIN}definedName")
    ]
    assert defined == [
        ("_xlnm._FilterDatabase", "0", "1", "'混合'!$A$2:$F$6"),
        ("_xlnm._FilterDatabase", "1", "1", "'特殊字符'!$A$2:$B$11"),
    ]
    core = _xml(path, "docProps/core.xml")
    assert f"<dc:title>{TITLE}</dc:title>" in core and "<dc:creator>bianzhi</dc:creator>" in core
    assert "<dc:description>身份证号已脱敏</dc:description>" in core
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2026-11-20T00:00:00Z' in core
    props = openpyxl.load_workbook(path).properties
    assert props.created == datetime(2026, 11, 20) and props.creator == "bianzhi"


#: CT_Worksheet's element sequence (ECMA-376 Part 1, 18.3.1.99), the ones we can write.
WORKSHEET_ORDER = [
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "autoFilter",
    "mergeCells", "pageMargins",
]  # fmt: skip


def test_worksheet_elements_in_schema_order(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.xlsx", [_mixed_sheet(), _tricky_sheet(), Sheet("空")])
    for i in (1, 2, 3):
        sheet = ET.fromstring(_xml(path, f"xl/worksheets/sheet{i}.xml"))
        tags = [child.tag.removeprefix(MAIN) for child in sheet]
        assert tags == sorted(tags, key=WORKSHEET_ORDER.index), tags
        rows = [int(r.get("r")) for r in sheet.iter(f"{MAIN}row")]
        assert rows == sorted(set(rows))
        for row in sheet.iter(f"{MAIN}row"):
            refs = [c.get("r") for c in row]
            assert all(ref.endswith(row.get("r")) for ref in refs)
            assert [re.sub(r"\d", "", r) for r in refs] == sorted(
                {re.sub(r"\d", "", r) for r in refs}, key=lambda c: (len(c), c)
            )
    views = [
        ET.fromstring(_xml(path, f"xl/worksheets/sheet{i}.xml")).find(f".//{MAIN}sheetView")
        for i in (1, 2, 3)
    ]
    assert [v.get("tabSelected") for v in views] == ["1", None, None]


def test_escapes_controls_and_escape_lookalikes_like_excel(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.xlsx", [_tricky_sheet()])
    sheet_xml = _xml(path, "xl/worksheets/sheet1.xml")
    assert "a_x000B_b" in sheet_xml and "lit _x005F_x0041_ x" in sheet_xml
    assert "cr_x000D_\nlf" in sheet_xml and "nul_x0000_end" in sheet_xml
    assert "a &amp; b &lt; c &gt; d" in sheet_xml
    assert "<f>" not in sheet_xml  # no formula anywhere
    # calamine decodes `_xHHHH_` as Excel does: every text comes back exactly
    rows = _calamine(path, "特殊字符")
    assert [r[0] for r in rows[2 : 2 + len(TRICKY)]] == TRICKY
    # openpyxl does not decode inline escapes, but sees text, never a formula
    ws = openpyxl.load_workbook(path)["特殊字符"]
    assert ws["A3"].value == "a_x000B_b" and ws["A4"].value == "lit _x005F_x0041_ x"
    for row in range(3, 3 + len(TRICKY)):
        assert ws.cell(row, 1).data_type == "s"
    assert ws["A8"].value == '=HYPERLINK("http://x")' and ws["A9"].value == "=1+2"


def test_leading_and_trailing_whitespace_is_kept(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.xlsx", [_tricky_sheet()])
    ws = openpyxl.load_workbook(path)["特殊字符"]
    assert ws["A6"].value == "  两边有空格  " and ws["A7"].value == "\t制表符开头"
    assert '<t xml:space="preserve">  两边有空格  </t>' in _xml(path, "xl/worksheets/sheet1.xml")
    # a space in the middle of a column is found too, leading or trailing
    rows = [
        ("a", "x", " 第一行", "d"),
        ("尾部空格 ", "\u3000全角空格开头", "b", "e"),
        ("b", "y", "c", "末行 "),
    ]
    columns = [Column("尾"), Column("首"), Column("头"), Column("末")]
    middle = Sheet("中", [Block(columns, rows)])
    path = _write(tmp_path / "m.xlsx", [middle])
    sheet_xml = _xml(path, "xl/worksheets/sheet1.xml")
    assert '<t xml:space="preserve">尾部空格 </t>' in sheet_xml
    assert '<t xml:space="preserve">\u3000全角空格开头</t>' in sheet_xml
    assert '<t xml:space="preserve"> 第一行</t>' in sheet_xml
    assert '<t xml:space="preserve">末行 </t>' in sheet_xml
    assert [tuple(r) for r in _calamine(path, "中")[2:]] == rows
    # also a lone cell written as a title or header
    spaced = Sheet(" 表", [Block([Column(" 表头 ")], [(" 值",)])])
    path = _write(tmp_path / "s.xlsx", [spaced])
    assert _calamine(path, " 表")[1:] == [[" 表头 "], [" 值"]]


def test_text_longer_than_a_cell_holds_is_cut(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.xlsx", [_tricky_sheet()])
    rows = _calamine(path, "特殊字符")
    subtitle_row = 2 + len(TRICKY) + 1
    assert rows[subtitle_row][0] == "第二块"
    assert rows[subtitle_row + 1][:2] == ["超长", "空白"]
    assert rows[subtitle_row + 2][0] == "长" * MAX_CELL_CHARS
    assert rows[subtitle_row + 2][1] == ""


def test_several_blocks_an_empty_block_and_an_empty_sheet(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.xlsx", [_tricky_sheet(), Sheet("空"), Sheet("无行", [Block(
        [Column("a"), Column("b", "date")], [])])])  # fmt: skip
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["特殊字符", "空", "无行"]
    ws = book["特殊字符"]
    blank, subtitle = 2 + len(TRICKY) + 1, 2 + len(TRICKY) + 2  # 1-based rows
    assert all(c.value is None for c in ws[blank])
    assert ws.cell(subtitle, 1).value == "第二块" and ws.cell(subtitle, 1).font.sz == 12
    assert ws.cell(subtitle + 1, 1).value == "超长" and ws.cell(subtitle + 1, 1).font.b
    # the third block has no subtitle (a formatted blank) and a header without rows
    assert ws.cell(subtitle + 4, 1).value is None and ws.cell(subtitle + 4, 1).font.sz == 12
    assert ws.cell(subtitle + 5, 1).value == "只有表头"
    assert ws.max_row == subtitle + 5
    assert ws.auto_filter.ref == f"A2:B{2 + len(TRICKY)}"  # the first block only
    empty = book["空"]
    assert empty["A1"].value == f"{TITLE}（空）" and empty.max_row == 1
    assert empty.freeze_panes is None and not empty.auto_filter.ref
    assert not empty.merged_cells.ranges
    no_rows = book["无行"]
    assert no_rows.freeze_panes == "A3" and no_rows.auto_filter.ref == "A2:B2"
    assert [c.value for c in no_rows[2]] == ["a", "b"] and no_rows.max_row == 2
    assert _calamine(path, "空") == [[f"{TITLE}（空）"]]


def test_same_data_same_bytes_other_data_other_bytes(tmp_path: Path) -> None:
    sheets = [_mixed_sheet(), _tricky_sheet()]
    first = _write(tmp_path / "a.xlsx", sheets, scrub=scrub_text, comment="c")
    second = _write(tmp_path / "b.xlsx", sheets, scrub=scrub_text, comment="c")
    assert first.read_bytes() == second.read_bytes()
    changed = _mixed_sheet()
    changed.blocks[0].rows[0] = ("牛佛镇", *changed.blocks[0].rows[0][1:])
    third = _write(tmp_path / "c.xlsx", [changed, _tricky_sheet()], scrub=scrub_text, comment="c")
    assert third.read_bytes() != first.read_bytes()


def test_many_rows_across_chunks_with_changing_types(tmp_path: Path) -> None:
    """Rows are turned into XML a chunk at a time, each chunk's columns typed on their own: a
    column that is plain text in one chunk and has blanks, numbers or dates in another."""
    count = CHUNK_ROWS * 2 + 17
    rows = []
    for i in range(count):
        late = i >= CHUNK_ROWS
        rows.append(
            (
                f"人员{i}" if not (late and i % 7 == 0) else None,
                i if not (late and i % 5 == 0) else float(i) + 0.5,
                date(2000, 1, 1 + i % 28) if not (late and i % 3 == 0) else None,
                "320102198503071234" if i % 2 else f"编号 32010219900101{i % 10000:04d}",
                (" 前导" if i == count - 1 else "x") if late else i,
            )
        )
    columns = [Column("姓名"), Column("数"), Column("日期", "date"), Column("证件"), Column("杂")]
    path = _write(tmp_path / "t.xlsx", [Sheet("多行", [Block(columns, rows)])], scrub=scrub_text)
    got = _calamine(path, "多行")[2:]
    assert len(got) == count
    for i, (row, source) in enumerate(zip(got, rows, strict=True)):
        name, number, day, ident, mixed = source
        assert row[0] == (name or ""), i
        assert row[1] == float(number), i
        assert row[2] == (day or ""), i
        assert row[3] == scrub_text(ident) and "********" in row[3], i
        assert row[4] == (float(mixed) if isinstance(mixed, int) else mixed), i


def test_scrub_passes_over_repeated_and_unique_texts(tmp_path: Path) -> None:
    calls: list[str] = []

    def scrub(text: str) -> str:
        calls.append(text)
        return scrub_text(text)

    repeated = [("320102198503071234", f"N{i}") for i in range(50)]
    sheet = Sheet("脱敏", [Block([Column("身份证号"), Column("编号")], repeated)])
    path = _write(tmp_path / "t.xlsx", [sheet], scrub=scrub)
    rows = _calamine(path, "脱敏")[2:]
    assert {r[0] for r in rows} == {"320102********1234"} and len(rows) == 50
    assert calls.count("320102198503071234") == 1  # once per distinct text of a chunk
    assert "身份证号" not in calls  # headers and titles are not data


def _naive_widths(blocks: list[Block]) -> list[float]:
    """column_widths as first written: every sampled cell measured."""

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    def text(value: Any, column: Column) -> str:
        if column.kind == "num" and isinstance(value, float):
            value = round(value, 4)
            value = int(value) if value.is_integer() else value
        if value is None:
            return ""
        return {"date": "2026-11-20", "pct": "100.0%"}.get(column.kind, str(value))

    count = max((len(b.columns) for b in blocks), default=0)
    widths = [6.0] * count
    for block in blocks:
        for i, column in enumerate(block.columns):
            widest = width(column.header)
            for row in block.rows[:WIDTH_SAMPLE_ROWS]:
                widest = max(widest, width(text(row[i], column)))
            widths[i] = max(widths[i], min(60.0, widest + 2.0))
    return widths


def test_column_widths_measure_what_every_cell_would() -> None:
    rng = random.Random(7)
    pool: list[Any] = [
        None, True, False, 1, 1.0, 0, 0.0, 12345.678901, "牛佛镇", "N001", "混合 text", "１２３",
        date(2026, 1, 1), Decimal("1.50"), "长" * 40,
    ]  # fmt: skip
    for _ in range(30):
        kinds = [rng.choice(["text", "int", "num", "pct", "date", "bool"]) for _ in range(4)]
        blocks = [
            Block(
                [Column(rng.choice(["a", "表头", "很长的表头名称"]), k) for k in kinds],
                [tuple(rng.choice(pool) for _ in kinds) for _ in range(rng.randint(0, 40))],
            )
            for _ in range(rng.randint(1, 3))
        ]
        assert column_widths(blocks) == _naive_widths(blocks)
    unhashable = [Block([Column("列表")], [(["a", "b"],), ("xyz",)])]
    assert column_widths(unhashable) == _naive_widths(unhashable)


def test_bad_input_is_refused(tmp_path: Path) -> None:
    nan = Sheet("错", [Block([Column("a", "num")], [(float("nan"),)])])
    with pytest.raises(ValueError, match="cannot hold"):
        _write(tmp_path / "b.xlsx", [nan])
    with pytest.raises(ValueError, match="sheet name"):
        _write(tmp_path / "c.xlsx", [Sheet("a/b")])
    layout = SheetLayout("s", rows=3, columns=1)
    with XlsxWriter(tmp_path / "d.xlsx", [layout], DocumentProperties()) as book:
        with book.sheet(layout) as ws:
            ws.write_cells(1, [(0, "x", Style.TEXT)])
            with pytest.raises(ValueError, match="out of order"):
                ws.write_cells(0, [(0, "y", Style.TEXT)])
            with pytest.raises(ValueError, match="beyond"):
                ws.write_table(2, [(1,), (2,)], [ColumnFormat()])
            with pytest.raises(ValueError, match="exactly 1 values"):
                ws.write_table(2, [(1, 2)], [ColumnFormat()])


def test_excel_serials() -> None:
    assert excel_serial(date(1900, 1, 1)) == 1
    assert excel_serial(date(1900, 2, 28)) == 59
    assert excel_serial(date(1900, 3, 1)) == 61  # Excel's 1900-02-29 is 60
    assert excel_serial(date(2026, 11, 20)) == 46346
    assert excel_serial(datetime(2026, 11, 20, 18)) == 46346.75
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
