"""The contract's "File formats" clauses, end to end through `load_landing`."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from ingest_builders import (
    GRANT_HEADER,
    GRANT_ROWS,
    ROSTER_HEADER,
    TOWNSHIP_HEADER,
    TOWNSHIP_ROWS,
    Batch,
    Num,
    Sheet,
    accounting_holds,
    load,
    one,
    roster_row,
    rows,
    write_csv,
    write_xlsx,
)

from ingest import UnreadableSourceError


def township_file(landing: Path, sheets: list[Sheet]) -> None:
    """A first batch whose townships come from the given workbook sheets."""
    folder = Batch(townships=None).write(landing)
    write_xlsx(folder / "乡镇.xlsx", sheets)


def township_names(landing: Path) -> list[str]:
    con, _ = load(landing)
    return [r[0] for r in rows(con, "select township_name from raw.townships order by row_number")]


def sheet_of(name: str, township: str, hidden: bool = False) -> Sheet:
    return Sheet(name, [TOWNSHIP_HEADER, ["511321100", township]], hidden=hidden)


def test_sheet_with_keyword_wins(tmp_path: Path) -> None:
    township_file(tmp_path, [sheet_of("说明", "说明镇"), sheet_of("乡镇名单", "关键词镇")])
    assert township_names(tmp_path) == ["关键词镇"]


def test_hidden_sheet_is_never_read(tmp_path: Path) -> None:
    township_file(
        tmp_path,
        [sheet_of("Sheet1", "可见镇"), sheet_of("乡镇", "隐藏镇", hidden=True)],
    )
    assert township_names(tmp_path) == ["可见镇"]


def test_first_visible_sheet_without_keyword(tmp_path: Path) -> None:
    township_file(
        tmp_path,
        [
            sheet_of("旧数据", "隐藏镇", hidden=True),
            sheet_of("Sheet2", "第一可见镇"),
            sheet_of("Sheet3", "第二可见镇"),
        ],
    )
    assert township_names(tmp_path) == ["第一可见镇"]
    con, _ = load(tmp_path)
    assert one(con, "select sheet from audit.load_report where source = 'townships'") == "Sheet2"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_title_rows_header_variants_ignored_and_absent_columns(tmp_path: Path, fmt: str) -> None:
    header = [
        " 序号 ",
        "公民身份号码*",
        "姓　名",
        "ＸＢ",
        "占用编制类型 ＊",
        "所在单位",
        "出生年月",
    ]
    roster = [
        ["XX县机构编制实名制人员花名册"],
        ["填报单位：XX县编办", "", "截至2026年11月20日"],
        [],
        header,
        ["1", roster_row()[0], "张三", "?", "行政编制", "牛佛镇人民政府", "1990-03-07"],
    ]
    Batch(roster=roster).write(tmp_path, fmt=fmt)
    con, result = load(tmp_path)
    got = rows(
        con,
        "select row_number, name, quota_type, slot_name, slot_code, gender, birth_date, "
        "title, leadership from raw.roster",
    )
    assert len(got) == 1
    number, name, quota, slot_name, slot_code, gender, birth, title, leadership = got[0]
    assert (number, name, quota, slot_name) == (5, "张三", "行政编制", "牛佛镇人民政府")
    assert slot_code is None and gender is None and title is None  # absent → NULL
    assert str(birth) == "1990-03-07"
    assert leadership == "无"  # absent leadership counts as blank = 无
    report = result.for_batch(result.batches[0])["roster"]
    assert report.rows_read == 1  # title rows and header not counted
    assert "序号" in report.message and "ＸＢ" in report.message


def test_missing_required_header_names_the_file(tmp_path: Path) -> None:
    header = [h for h in ROSTER_HEADER if h != "编制类型"]
    row = roster_row()
    row.pop(ROSTER_HEADER.index("编制类型"))
    Batch(roster=[header, row]).write(tmp_path)
    with pytest.raises(UnreadableSourceError, match=r"人员花名册\.csv.*编制类型"):
        load(tmp_path)


def test_required_either_header_missing(tmp_path: Path) -> None:
    header = [h for h in GRANT_HEADER if h not in ("机构编码", "机构名称")]
    grants = [header] + [
        [c for h, c in zip(GRANT_HEADER, r, strict=True) if h in header] for r in GRANT_ROWS
    ]
    Batch(grants=grants).write(tmp_path)
    with pytest.raises(UnreadableSourceError, match=r"编制核定\.csv.*机构编码 / 机构名称"):
        load(tmp_path)


def test_failed_batch_publishes_nothing(tmp_path: Path) -> None:
    folder = Batch().write(tmp_path)
    (folder / "人员花名册.csv").write_text("这不是表头\n1,2,3\n", encoding="utf-8")
    con = duckdb.connect()
    with pytest.raises(UnreadableSourceError, match=r"人员花名册\.csv: no header row found"):
        load(tmp_path, con)
    for table in [
        "raw.townships",
        "raw.institutions",
        "raw.quota_grants",
        "raw.roster",
        "audit.batches",
        "audit.load_report",
        "audit.quarantine",
    ]:
        assert one(con, f"select count(*) from {table}") == 0, table


def test_corrupt_workbook(tmp_path: Path) -> None:
    folder = Batch(roster=None).write(tmp_path)
    (folder / "人员花名册.xlsx").write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(UnreadableSourceError, match=r"人员花名册\.xlsx: not a readable xlsx"):
        load(tmp_path)


def test_workbook_without_header_row(tmp_path: Path) -> None:
    folder = Batch(townships=None).write(tmp_path)
    write_xlsx(folder / "乡镇.xlsx", [Sheet("乡镇", [["标题"], ["a", "b"], []])])
    with pytest.raises(UnreadableSourceError, match=r"乡镇\.xlsx \(sheet 乡镇\): no header row"):
        load(tmp_path)


def test_empty_csv(tmp_path: Path) -> None:
    folder = Batch().write(tmp_path)
    (folder / "乡镇.csv").write_bytes(b"")
    with pytest.raises(UnreadableSourceError, match=r"乡镇\.csv"):
        load(tmp_path)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    roster = [
        ["XX县人员花名册"],
        ROSTER_HEADER,
        roster_row(name="欧阳䶮" if encoding != "gbk" else "欧阳娜"),
    ]
    folder = Batch().write(tmp_path)
    write_csv(folder / "人员花名册.csv", roster, encoding=encoding)
    con, result = load(tmp_path)
    expected = "欧阳䶮" if encoding != "gbk" else "欧阳娜"
    assert one(con, "select name from raw.roster") == expected
    assert one(con, "select row_number from raw.roster") == 3
    if encoding in ("gb18030", "gbk"):
        assert "gb18030" in result.files[-1].message


def test_undecodable_csv(tmp_path: Path) -> None:
    folder = Batch().write(tmp_path)
    (folder / "人员花名册.csv").write_bytes("身份证号,姓名\n".encode() + b"\x81\x20\xff\xfe\n")
    with pytest.raises(UnreadableSourceError, match=r"人员花名册\.csv: cannot be decoded"):
        load(tmp_path)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_blank_and_totals_rows_counted_and_row_numbers(tmp_path: Path, fmt: str) -> None:
    blank: list[str] = ["", "　", " "] if fmt == "csv" else []
    township = [
        ["乡镇基本情况表"],
        [],
        TOWNSHIP_HEADER,
        TOWNSHIP_ROWS[0],
        blank,
        ["合 计", "", "", "", "60000", ""],
        ["", "总计", "", "", "60000"],
        TOWNSHIP_ROWS[1],
        ["小计"],
        ["511321102", "坏人口镇", "镇", "一类", "很多"],
        [],
        [],
    ]
    Batch(townships=township).write(tmp_path, fmt=fmt)
    con, result = load(tmp_path)
    assert rows(con, "select row_number from raw.townships order by 1") == [(4,), (8,)]
    q = rows(con, "select row_number, reason, raw from audit.quarantine")
    assert [r[0] for r in q] == [10]
    assert "常住人口" in q[0][1] and "很多" in q[0][1]
    assert json.loads(q[0][2])["常住人口"] == "很多"
    r = result.for_batch(result.batches[0])["townships"]
    # rows 4..10 below the header (trailing blank rows 11-12 are not data)
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined, r.rows_blank, r.rows_totals) == (
        7,
        2,
        1,
        1,
        3,
    )
    assert accounting_holds(con)


def test_csv_blank_lines_keep_row_numbers_and_quoted_cells(tmp_path: Path) -> None:
    text = (
        "人员花名册\r\n\r\n"
        + ",".join(ROSTER_HEADER)
        + "\r\n\r\n"
        + ",".join(roster_row(name="张三"))
        + "\r\n"
        + ",".join(roster_row(name='"李,四"', title=None)[:-3])
        + ',"多行\r\n职务",,在岗\r\n'
        + ",".join(roster_row(name="王五"))
        + "\r\n"
    )
    folder = Batch().write(tmp_path)
    (folder / "人员花名册.csv").write_text(text, encoding="utf-8", newline="")
    con, result = load(tmp_path)
    got = rows(con, "select row_number, name, title from raw.roster order by 1")
    assert got == [(5, "张三", "科员"), (6, "李,四", "多行\r\n职务"), (7, "王五", "科员")]
    assert result.files[-1].rows_blank == 1


def test_excel_numbers_as_text_cells(tmp_path: Path) -> None:
    township = [TOWNSHIP_HEADER, [Num(511321100), "牛佛镇", "镇", "一类", Num(52000.0), Num(120.5)]]
    Batch(townships=township).write(tmp_path, fmt="xlsx")
    con, _ = load(tmp_path)
    assert rows(con, "select township_code, population, area_km2 from raw.townships") == [
        ("511321100", 52000, 120.5)
    ]
