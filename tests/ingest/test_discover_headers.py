"""File discovery by keyword (with precedence) and header-row detection / normalisation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ingest import UnreadableSourceError
from ingest.discover import batch_folders, source_files, source_of
from ingest.headers import find_header, normalise_header
from ingest.spec import SPECS


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("乡镇", "townships"),
        ("机构名录", "institutions"),
        ("编制核定", "quota_grants"),
        ("人员花名册", "roster"),
        ("机构编制核定台账", "quota_grants"),  # 编制核定 wins over 机构
        ("乡镇机构名录", "institutions"),  # 机构 wins over 乡镇
        ("XX乡镇人员花名册(11月)", "roster"),  # 花名册 wins over 乡镇
        ("机构编制实名制人员花名册", "roster"),
        ("Townships_2026", "townships"),
        ("QUOTA", "quota_grants"),
        ("staff-roster", "roster"),
        ("institutions", "institutions"),
        ("说明", None),
    ],
)
def test_source_of_file_name(name: str, source: str | None) -> None:
    assert source_of(name) == source


def test_source_files_ignores_other_kinds_and_rejects_two_of_one_source(tmp_path: Path) -> None:
    batch = tmp_path / "2026-11-20"
    batch.mkdir()
    for name in [
        "乡镇.csv",
        "编制核定.xlsx",
        "人员花名册.xls",
        "~$人员花名册.xlsx",
        "花名册说明.txt",
        "readme.md",
        ".机构.csv",
    ]:
        (batch / name).write_text("x")
    (batch / "机构名录.csv").mkdir()  # a folder is no file
    assert source_files(batch) == {
        "townships": batch / "乡镇.csv",
        "quota_grants": batch / "编制核定.xlsx",
    }
    (batch / "人员花名册.csv").write_text("x")
    (batch / "roster-extra.xlsx").write_text("x")
    with pytest.raises(UnreadableSourceError, match="2 files for source roster"):
        source_files(batch)


def test_batch_folders_only_real_dates(tmp_path: Path) -> None:
    for name in ["2026-11-21", "2026-11-20", "2026-13-01", "notes", "20261122"]:
        (tmp_path / name).mkdir()
    (tmp_path / "2026-12-01").write_text("a file, not a folder")
    assert list(batch_folders(tmp_path)) == [date(2026, 11, 20), date(2026, 11, 21)]


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("  姓名 ", "姓名"),
        ("　姓　名　", "姓名"),
        ("身份证号*", "身份证号"),
        ("*身份证号＊", "身份证号"),
        ("乡镇（街道）名称", "乡镇(街道)名称"),
        ("身份证\n号码", "身份证号码"),
        ("ＡＢＣ", "ABC"),
        (None, ""),
    ],
)
def test_normalise_header(raw: str | None, normal: str) -> None:
    assert normalise_header(raw) == normal


def numbered(rows: list[list[str | None]]) -> list[tuple[int, list[str | None]]]:
    return [(i + 1, r) for i, r in enumerate(rows)]


def test_header_after_title_rows_with_synonyms() -> None:
    spec = SPECS["roster"]
    rows = [
        ["XX县机构编制实名制人员花名册", None, None, None, None],
        ["填报单位：XX县编办", None, "截至2026年11月20日", None, None],
        [None, None, None, None, None],
        ["序号", " 公民身份号码 *", "姓　名", "占用编制类型", "所在单位"],
        ["1", "x", "y", "z", "w"],
    ]
    header = find_header(spec, numbered(rows), "b/f.csv")
    assert header.row_number == 4
    assert header.columns == {"id_number": 1, "name": 2, "quota_type": 3, "slot_name": 4}
    assert header.ignored == ("序号",)


def test_canonical_header_wins_over_synonym() -> None:
    spec = SPECS["roster"]
    row = ["身份证号", "姓名", "编制类型", "所在单位", "编制所在单位"]
    header = find_header(spec, numbered([row]), "f.csv")
    assert header.columns["slot_name"] == 4
    assert header.ignored == ("所在单位",)


def test_more_than_five_title_rows_is_no_header() -> None:
    spec = SPECS["townships"]
    rows = [[f"标题{i}", None] for i in range(6)] + [["行政区划代码", "乡镇名称"]]
    with pytest.raises(UnreadableSourceError, match=r"b/乡镇\.csv: no header row found"):
        find_header(spec, numbered(rows), "b/乡镇.csv")
    assert find_header(spec, numbered(rows[1:]), "x").row_number == 6


def test_required_header_missing_is_named() -> None:
    spec = SPECS["quota_grants"]
    row = ["文号", "生效日期", "核定事项", "类别", "变动方式", "数量"]  # no 机构编码 / 机构名称
    with pytest.raises(UnreadableSourceError) as err:
        find_header(spec, numbered([row]), "2026-11-20/编制核定.csv")
    assert "2026-11-20/编制核定.csv" in str(err.value)
    assert "机构编码 / 机构名称" in str(err.value)
