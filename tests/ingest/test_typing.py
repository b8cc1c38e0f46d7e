"""Typing of cells: every date form, every integer form, enumerations, required values, text
normalisation — and that a cell that cannot be typed sends its row, whole, to quarantine."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from ingest_builders import (
    GRANT_HEADER,
    INSTITUTION_HEADER,
    INSTITUTION_ROWS,
    ROSTER_HEADER,
    TOWNSHIP_HEADER,
    Batch,
    ExcelDate,
    Num,
    accounting_holds,
    load,
    one,
    roster_only,
    roster_row,
    rows,
)

from ingest.read import number_text

D = dt.date


def grant(**cells: Any) -> list[Any]:
    base = dict(
        zip(
            GRANT_HEADER,
            ["县编发〔2024〕1号", "", "2024-01-01", "A01", "", "编制", "事业编制", "核增", "3", ""],
            strict=True,
        )
    )
    base.update(cells)
    return [base[h] for h in GRANT_HEADER]


def load_grants(landing: Path, grant_rows: list[list[Any]], fmt: str = "csv"):
    Batch(grants=[GRANT_HEADER, *grant_rows]).write(landing, fmt=fmt)
    return load(landing)


DATE_FORMS: list[tuple[Any, dt.date]] = [
    ("2026-11-20", D(2026, 11, 20)),
    ("2026/11/20", D(2026, 11, 20)),
    ("2026.11.20", D(2026, 11, 20)),
    ("2026-1-5", D(2026, 1, 5)),
    ("20261120", D(2026, 11, 20)),
    ("2026年11月20日", D(2026, 11, 20)),
    ("２０２６年１１月２０日", D(2026, 11, 20)),
    (" 2026-11-20　", D(2026, 11, 20)),
    ("1985.03", D(1985, 3, 1)),
    ("1985-03", D(1985, 3, 1)),
    ("1985年3月", D(1985, 3, 1)),
    ("1985.1", D(1985, 1, 1)),  # as text, unambiguous: January
    ("46346", D(2026, 11, 20)),  # Excel serial number arriving as text
]
EXCEL_DATE_FORMS: list[tuple[Any, dt.date]] = [
    (ExcelDate(D(2026, 11, 20)), D(2026, 11, 20)),
    (ExcelDate(dt.datetime(2026, 11, 20, 9, 30)), D(2026, 11, 20)),
    (Num(46346), D(2026, 11, 20)),  # serial number cell
    (Num(46346.75), D(2026, 11, 20)),
    (Num(20261120), D(2026, 11, 20)),
    (Num(1985.03), D(1985, 3, 1)),
]
INVALID_DATES: list[Any] = [
    "2026-02-30",
    "2026-13-01",
    "2026",
    "26-11-20",
    "2026-11-20x",
    "十一月",
    "2026年11月20",
    "1234",
    "2026.11.20.1",
    "2026-11-20 08:00",
]
INVALID_EXCEL_DATES: list[Any] = [Num(1985.1), Num(1234)]


def cases_by_doc(con, column: str) -> dict[str, Any]:
    return dict(
        rows(con, f"select doc_no, {column} from raw.quota_grants where doc_no like 'case%'")
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_date_forms(tmp_path: Path, fmt: str) -> None:
    forms = DATE_FORMS + (EXCEL_DATE_FORMS if fmt == "xlsx" else [])
    con, _ = load_grants(
        tmp_path, [grant(文号=f"case{i}", 生效日期=cell) for i, (cell, _) in enumerate(forms)], fmt
    )
    assert rows(con, "select reason from audit.quarantine") == []
    got = cases_by_doc(con, "effective_on")
    assert got == {f"case{i}": expected for i, (_, expected) in enumerate(forms)}, forms


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_invalid_dates_are_row_errors(tmp_path: Path, fmt: str) -> None:
    cells = INVALID_DATES + (INVALID_EXCEL_DATES if fmt == "xlsx" else [])
    con, _ = load_grants(
        tmp_path, [grant(文号=f"case{i}", 生效日期=cell) for i, cell in enumerate(cells)], fmt
    )
    assert cases_by_doc(con, "effective_on") == {}
    quarantined = rows(con, "select row_number, reason, raw from audit.quarantine order by 1")
    assert [q[0] for q in quarantined] == list(range(2, 2 + len(cells)))
    for cell, (_, reason, raw) in zip(cells, quarantined, strict=True):
        shown = number_text(cell.value) if isinstance(cell, Num) else cell
        assert reason.startswith("生效日期: ") and f'"{shown}"' in reason, (cell, reason)
        assert json.loads(raw)["生效日期"] == shown  # the row as it arrived
        assert json.loads(raw)["变动方式"] == "核增"
        if isinstance(cell, Num) and cell.value == 1985.1:
            assert "ambiguous" in reason
    assert accounting_holds(con)


INTEGER_FORMS: list[tuple[Any, int]] = [
    ("12", 12),
    ("12.0", 12),
    ("１２", 12),
    (" 12 ", 12),
    ("+12", 12),
    ("0", 0),
]
EXCEL_INTEGER_FORMS: list[tuple[Any, int]] = [(Num(12.0), 12), (Num(12), 12)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_integer_forms(tmp_path: Path, fmt: str) -> None:
    forms = INTEGER_FORMS + (EXCEL_INTEGER_FORMS if fmt == "xlsx" else [])
    con, _ = load_grants(
        tmp_path, [grant(文号=f"case{i}", 数量=cell) for i, (cell, _) in enumerate(forms)], fmt
    )
    assert cases_by_doc(con, "amount") == {f"case{i}": n for i, (_, n) in enumerate(forms)}


def test_quoted_integer_in_csv(tmp_path: Path) -> None:
    folder = Batch().write(tmp_path)
    header = ",".join(GRANT_HEADER)
    (folder / "编制核定.csv").write_text(
        f'{header}\n县编发〔2024〕1号,,2024-01-01,A01,,编制,事业编制,核增,"12",\n',
        encoding="utf-8",
    )
    con, _ = load(tmp_path)
    assert one(con, "select amount from raw.quota_grants") == 12


INVALID_INTEGERS: list[tuple[Any, str]] = [
    ("12.5", "is not an integer"),
    ("十二", "is not an integer"),
    ("1,200", "is not an integer"),
    ("1e3", "is not an integer"),
    ("-3", "is negative"),
    (Num(12.5), "is not an integer"),
]


def test_invalid_integers_are_row_errors(tmp_path: Path) -> None:
    con, _ = load_grants(
        tmp_path,
        [grant(文号=f"case{i}", 数量=cell) for i, (cell, _) in enumerate(INVALID_INTEGERS)],
        fmt="xlsx",
    )
    assert cases_by_doc(con, "amount") == {}
    reasons = [r[0] for r in rows(con, "select reason from audit.quarantine order by row_number")]
    assert len(reasons) == len(INVALID_INTEGERS)
    for (cell, why), reason in zip(INVALID_INTEGERS, reasons, strict=True):
        shown = number_text(cell.value) if isinstance(cell, Num) else cell
        assert reason == f'数量: "{shown}" {why}', reason


def test_unknown_enumeration_and_missing_required(tmp_path: Path) -> None:
    con, _ = load_grants(
        tmp_path,
        [
            grant(变动方式="增加"),
            grant(核定事项=""),
            grant(文号="　"),
            grant(机构编码="", 机构名称=""),
            grant(核定事项="领导职数", 类别="行政编制"),
            grant(机构编码="", 机构名称="牛佛镇人民政府"),  # fine: the name identifies it
        ],
    )
    reasons = [r[0] for r in rows(con, "select reason from audit.quarantine order by row_number")]
    assert len(reasons) == 5
    assert '变动方式: unknown value "增加"' in reasons[0]
    assert "核定事项: required value missing" in reasons[1]
    assert "文号: required value missing" in reasons[2]
    assert "机构编码 / 机构名称: both blank" in reasons[3]
    assert '"行政编制" is not a kind of 领导职数' in reasons[4]
    assert one(con, "select institution_name from raw.quota_grants where doc_no like '%2024%'") == (
        "牛佛镇人民政府"
    )


def test_several_problems_in_one_row_all_named(tmp_path: Path) -> None:
    con, _ = load_grants(tmp_path, [grant(生效日期="昨天", 数量="几个", 类别="编外")])
    reason = one(con, "select reason from audit.quarantine")
    for part in ("生效日期", "昨天", "数量", "几个", "类别", "编外"):
        assert part in reason


def test_two_heding_rows_one_day_both_quarantined(tmp_path: Path) -> None:
    con, _ = load_grants(
        tmp_path,
        [
            grant(变动方式="核定", 数量="20"),  # row 2
            grant(变动方式="核定", 数量="22"),  # row 3: same institution/item/kind/date
            grant(变动方式="核定", 数量="22", 生效日期="2024-02-01"),  # other date: fine
            grant(变动方式="核增", 数量="1"),  # an add on that date: fine
            grant(变动方式="核定", 机构编码="", 机构名称="某单位", 数量="1"),
            grant(变动方式="核定", 机构编码="", 机构名称="某单位", 数量="2", 类别="行政编制"),
        ],
    )
    q = rows(con, "select row_number, reason from audit.quarantine order by 1")
    assert [r[0] for r in q] == [2, 3]
    assert all("two or more 核定" in r[1] and "rows 2, 3" in r[1] for r in q)
    assert one(con, "select count(*) from raw.quota_grants") == 4
    assert accounting_holds(con)


def test_text_normalisation_and_blank_to_null(tmp_path: Path) -> None:
    header = ROSTER_HEADER
    row = roster_row(name="　张三 ", 编制所在单位编码="Ａ０１", 职务="（副）镇长", 编制所在单位=" ")
    roster_only(tmp_path, [row], header=header)
    con, _ = load(tmp_path)
    got = one(con, "select name, slot_code, title, slot_name from raw.roster")
    assert got == ("张三", "A01", "(副)镇长", None)


def test_roster_enumerations_and_leadership_blank(tmp_path: Path) -> None:
    roster_only(
        tmp_path,
        [
            roster_row(领导职务类别=""),
            roster_row(领导职务类别="正职"),
            roster_row(领导职务类别="一把手"),
            roster_row(gender="M"),
            roster_row(编制类型=""),
            roster_row(在岗状态="退休"),
        ],
    )
    con, _ = load(tmp_path)
    assert rows(con, "select leadership from raw.roster order by row_number") == [
        ("无",),
        ("正职",),
    ]
    reasons = [r[0] for r in rows(con, "select reason from audit.quarantine order by row_number")]
    assert [r.split(":")[0] for r in reasons] == ["领导职务类别", "性别", "编制类型", "在岗状态"]


def test_institution_conditional_rules_and_duplicates(tmp_path: Path) -> None:
    good = INSTITUTION_ROWS
    base = dict(zip(INSTITUTION_HEADER, good[0], strict=True))

    def inst(**cells: Any) -> list[Any]:
        row = {**base, **cells}
        return [row[h] for h in INSTITUTION_HEADER]

    institutions = [
        INSTITUTION_HEADER,
        *good,
        inst(机构编码="B01", 统一社会信用代码=""),  # 行政机关 without uscc
        inst(机构编码="B02", 机构层级="乡镇", 所属乡镇代码=""),
        inst(
            机构编码="B03", 机构类别="内设机构", 统一社会信用代码="", 上级机构编码="", 经费形式=""
        ),
        inst(机构编码="B04", 事业单位分类="公益一类"),  # 行政机关 with a public class
        inst(机构编码="B05", 机构类别="内设机构", 上级机构编码="A01"),  # 内设机构 with funding
        inst(机构编码="B06", 统一社会信用代码="12511321MB0000000X"),  # bad check: flagged only
        inst(机构编码="B07", 机构类别="事业单位", 事业单位分类="公益二类", 设立日期="2001年5月"),
        inst(机构编码="B08"),
        inst(机构编码="B08", 机构名称="另一个"),
    ]
    Batch(institutions=institutions).write(tmp_path)
    con, _ = load(tmp_path)
    loaded = dict(rows(con, "select institution_code, uscc_valid from raw.institutions"))
    assert loaded == {"A01": True, "A02": None, "B06": False, "B07": True}
    assert one(
        con, "select established_on from raw.institutions where institution_code = 'B07'"
    ) == D(2001, 5, 1)
    reasons = dict(
        rows(con, "select json_extract_string(raw, '$.机构编码'), reason from audit.quarantine")
    )
    assert set(reasons) == {"B01", "B02", "B03", "B04", "B05", "B08"}
    assert reasons["B01"].startswith("统一社会信用代码")
    assert reasons["B02"].startswith("所属乡镇代码")
    assert reasons["B03"].startswith("上级机构编码")
    assert reasons["B04"].startswith("事业单位分类")
    assert reasons["B05"].startswith("经费形式")
    assert "appears on several rows" in reasons["B08"]


def test_township_code_shape_and_numbers(tmp_path: Path) -> None:
    townships = [
        TOWNSHIP_HEADER,
        ["511321100", "甲镇", "镇", "一类", "1000", "12.5"],
        ["511321100001", "乙镇", "", "", "", ""],
        ["5113211", "丙镇", "", "", "", ""],
        ["511321102", "丁镇", "村", "", "", ""],
        ["511321103", "戊镇", "", "四类", "", "-1"],
        ["511321104", "己镇", "", "", "", "约100"],
    ]
    Batch(townships=townships).write(tmp_path)
    con, _ = load(tmp_path)
    assert rows(con, "select township_code, area_km2 from raw.townships order by row_number") == [
        ("511321100", 12.5),
        ("511321100001", None),
    ]
    reasons = [r[0] for r in rows(con, "select reason from audit.quarantine order by row_number")]
    assert "is not a 9- or 12-digit code" in reasons[0]
    assert reasons[1].startswith("乡镇类型")
    assert "乡镇类别" in reasons[2] and "面积" in reasons[2] and "negative" in reasons[2]
    assert "is not a number" in reasons[3]
