"""The xlsx writer on its own: cell types, widths, formulas kept as text, multi-block sheets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl

from exports.mask import scrub_text
from exports.tables import Block, Column, Sheet
from exports.workbook import column_widths, display_width, write_workbook


def _sheet() -> Sheet:
    first = Block(
        [Column("名称"), Column("身份证号"), Column("实际", "num"), Column("日期", "date")],
        [
            ('=HYPERLINK("http://x")', "320102198503071234", 0.4814814814, date(2026, 11, 20)),
            ("牛佛镇农业综合服务中心", "320102198503000000", 3.0, None),
        ],
    )
    second = Block([Column("原因"), Column("行数", "int")], [("重复行", 2)], subtitle="隔离行数")
    return Sheet("数据", [first, second], note="说明")


def test_cells_keep_their_types(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_workbook(path, "XX县 机构编制核查 截至2026年11月20日", [_sheet()], date(2026, 11, 20))
    ws = openpyxl.load_workbook(path)["数据"]
    assert ws["A1"].value == "XX县 机构编制核查 截至2026年11月20日（数据，说明）"
    assert ws["A3"].value == '=HYPERLINK("http://x")' and ws["A3"].data_type == "s"
    assert ws["B3"].value == "320102198503071234" and ws["B3"].data_type == "s"
    assert ws["C3"].value == 0.4815 and ws["C4"].value == 3
    assert ws["D3"].is_date and ws["D4"].value is None
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:D4"
    assert ws["A6"].value == "隔离行数" and ws["A7"].value == "原因" and ws["B8"].value == 2


def test_scrub_passes_over_every_text_cell(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_workbook(path, "t", [_sheet()], date(2026, 11, 20), scrub=scrub_text)
    ws = openpyxl.load_workbook(path)["数据"]
    assert ws["B3"].value == "320102********1234"
    assert ws["B4"].value == "320102********0000"


def test_widths_count_cjk_characters_double() -> None:
    assert display_width("牛佛镇") == 6 and display_width("N001") == 4
    widths = column_widths(_sheet().blocks)
    assert widths[0] == display_width("牛佛镇农业综合服务中心") + 2
    assert widths[1] == 18 + 2
    assert widths[3] >= 10  # a date
    long = Block([Column("说明")], [("很长" * 100,)])
    assert column_widths([long]) == [60.0]
