"""The incremental night's batch: the last roster copied with 1 % of its rows changed.

Why: the incremental benchmark is only an incremental night if the new batch has the same
format, title rows and row count as the last one (else the volume guard or ingest would measure
something else) and really differs in about one row in a hundred.
"""

from __future__ import annotations

import csv
from pathlib import Path

import xlsxwriter
from python_calamine import CalamineWorkbook

from bench.landing import CHANGE_EVERY, incremental_landing

HEADER = ["序号", "身份证号", "姓名 *", "编制类型", "编制所在单位", "在岗状态", "学历"]


def _rows(n: int) -> list[list[str]]:
    return [
        [str(i), f"ID{i}", f"人{i}", "行政编制", "甲镇人民政府", "在岗", "大学本科"]
        for i in range(n)
    ]


def test_csv_roster_keeps_titles_encoding_and_count(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    for day in ("2026-11-19", "2026-11-20"):
        (landing / day).mkdir(parents=True)
        (landing / day / "乡镇.csv").write_text("x\n", "utf-8")
    src = landing / "2026-11-20" / "人员花名册.csv"
    with src.open("w", encoding="gb18030", newline="") as f:
        w = csv.writer(f)
        w.writerow(["XX县机构编制实名制人员花名册"])
        w.writerow(HEADER)
        w.writerows(_rows(1000))
    info = incremental_landing(landing, tmp_path / "inc")
    assert info["batch"] == "2026-11-21"
    assert info["changed"] == 1000 // CHANGE_EVERY and info["rows"] == 1002
    new = tmp_path / "inc" / "2026-11-21" / "人员花名册.csv"
    assert sorted(p.name for p in (tmp_path / "inc").iterdir()) == [
        "2026-11-19",
        "2026-11-20",
        "2026-11-21",
    ]
    assert [p.name for p in new.parent.iterdir()] == ["人员花名册.csv"]  # others carry forward
    with new.open(encoding="gb18030", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["XX县机构编制实名制人员花名册"] and rows[1] == HEADER
    assert len(rows) == 1002
    assert sum(r[5] == "借调" for r in rows[2:]) == 10
    assert [r[:5] for r in rows[2:]] == [r[:5] for r in _rows(1000)]


def test_xlsx_roster_is_rewritten_as_xlsx(tmp_path: Path) -> None:
    batch = tmp_path / "landing" / "2026-11-20"
    batch.mkdir(parents=True)
    book = xlsxwriter.Workbook(str(batch / "人员花名册.xlsx"))
    ws = book.add_worksheet("花名册")
    ws.write_row(0, 0, ["填报单位：甲县"])
    ws.write_row(1, 0, [h for h in HEADER if h != "在岗状态"])
    for i, row in enumerate(_rows(300)):
        ws.write_row(i + 2, 0, [c for j, c in enumerate(row) if j != 5])
    ws.write_number(302, 1, 3.20102198503e17)  # an Excel-damaged number stays a number
    book.close()
    info = incremental_landing(tmp_path / "landing", tmp_path / "inc")
    assert info["changed"] == 3
    new = tmp_path / "inc" / "2026-11-21" / "人员花名册.xlsx"
    wb = CalamineWorkbook.from_path(str(new))
    assert wb.sheet_names == ["花名册"]
    rows = wb.get_sheet_by_name("花名册").to_python()
    assert rows[0][0] == "填报单位：甲县"
    education = [r[5] for r in rows[2:302]]
    assert sum(e != "大学本科" for e in education) == 3
    assert rows[302][1] == 3.20102198503e17
