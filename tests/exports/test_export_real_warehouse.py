"""The exports against the demo county published by the real pipeline (`bianzhi run`).

Skipped, with the reason, while the demo county cannot be built yet (see conftest.real_pristine).
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest
from exports_helpers import data_rows, export_args, read_book, records, unmasked_ids

from exports.cli import export_command, report_command
from exports.manifest import verify_manifest
from exports.mask import mask_id


def _rows(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _batches(warehouse: Path) -> list[date]:
    return [r[0] for r in _rows(warehouse, "select batch_date from audit.batches order by 1")]


@pytest.fixture(scope="module")
def county_export(real: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("real_out")
    assert export_command(export_args(real, out)) == 0
    (book,) = out.glob("*.xlsx")
    return book


def test_masked_county_export_hides_every_number(real: Path, county_export: Path) -> None:
    assert unmasked_ids(county_export) == []
    newest = _batches(real)[-1]
    raw = dict(
        _rows(
            real,
            "select person_key, min(id_number) from raw.roster where batch_date = ? "
            "group by person_key",
            [newest],
        )
    )
    roster = records(read_book(county_export)["实名制人员名册"])
    assert roster, "empty roster sheet"
    for row in roster:
        assert row["身份证号（已脱敏）"] == mask_id(raw.get(row["人员标识"]))


def test_title_names_the_county_the_institutions_name(real: Path, county_export: Path) -> None:
    title = read_book(county_export)["机构编制情况"][0][0]
    county = title.split(" ")[0]
    newest = _batches(real)[-1]
    names = [
        r[0].removeprefix("中共")
        for r in _rows(
            real,
            "select institution_name from marts.institutions where as_of = ? and level = '县直'",
            [newest],
        )
    ]
    assert sum(n.startswith(county) for n in names) * 2 > len(names), title
    assert f"截至{newest.year}年{newest.month}月{newest.day}日" in title


def test_county_export_counts_equal_the_marts(real: Path, county_export: Path) -> None:
    newest = _batches(real)[-1]
    sheets = read_book(county_export)
    ((staffing,),) = _rows(
        real, "select count(*) from marts.staffing_reconciliation where as_of = ?", [newest]
    )
    assert len(data_rows(sheets["机构编制情况"])) == staffing
    ((leaders,),) = _rows(
        real, "select count(*) from marts.leadership_reconciliation where as_of = ?", [newest]
    )
    assert len(data_rows(sheets["领导职数"])) == leaders
    ((people,),) = _rows(real, "select count(*) from marts.roster where as_of = ?", [newest])
    assert len(data_rows(sheets["实名制人员名册"])) == people
    open_now = _rows(
        real, "select rule_code, detail_zh, first_seen from marts.findings where status = 'open'"
    )
    got = [
        (r["规则编码"], r["问题描述"], r["首次发现"].date()) for r in records(sheets["问题清单"])
    ]
    assert sorted(got) == sorted(open_now)
    manifest = county_export.with_name(county_export.stem + ".manifest.json")
    assert verify_manifest(manifest) == []
    assert json.loads(manifest.read_text("utf-8"))["as_of"] == str(newest)
    log = _rows(real, "select scope, as_of, unmasked from audit.export_log")
    assert ("county", newest, False) in log


def test_unmasked_export_holds_the_raw_numbers(real: Path, tmp_path: Path) -> None:
    assert export_command(export_args(real, tmp_path, unmasked=True)) == 0
    (book,) = tmp_path.glob("*_unmasked.xlsx")
    newest = _batches(real)[-1]
    raw = {r[0] for r in _rows(real, "select id_number from raw.roster where batch_date = ? "
                               "and length(id_number) = 18", [newest])}  # fmt: skip
    assert raw and set(unmasked_ids(book)) >= raw


def test_earlier_batch_export_equals_that_batch(real: Path, tmp_path: Path) -> None:
    batches = _batches(real)
    if len(batches) < 2:
        pytest.skip("the demo county has a single batch")
    first = batches[0]
    assert export_command(export_args(real, tmp_path, as_of=str(first))) == 0
    sheets = read_book(tmp_path / f"bianzhi_county_{first}.xlsx")
    staffing = _rows(
        real,
        "select institution_code, quota_type, authorized, occupied "
        "from marts.staffing_reconciliation where as_of = ?",
        [first],
    )
    got = [(r[0], r[3], r[4], r[5]) for r in data_rows(sheets["机构编制情况"])]
    assert sorted(got) == sorted(staffing)
    held = _rows(
        real,
        "select rule_code, detail_zh from marts.findings_history "
        "where as_of = ? and status = 'open'",
        [first],
    )
    got_findings = [(r["规则编码"], r["问题描述"]) for r in records(sheets["问题清单"])]
    assert sorted(got_findings) == sorted(held)
    assert all(r["首次发现"].date() == first for r in records(sheets["问题清单"]))
    assert data_rows(sheets["已整改"]) == []


def test_township_scope_restricts_rows(real: Path, tmp_path: Path) -> None:
    newest = _batches(real)[-1]
    ((code, name),) = _rows(
        real,
        "select township_code, any_value(township_name) from marts.staffing_reconciliation s "
        "join marts.townships t using (as_of, township_code) where as_of = ? "
        "group by 1 order by count(*) desc, 1 limit 1",
        [newest],
    )
    assert export_command(export_args(real, tmp_path, township=code)) == 0
    sheets = read_book(tmp_path / f"bianzhi_township-{code}_{newest}.xlsx")
    assert name in sheets["机构编制情况"][0][0]
    inside = {
        r[0]
        for r in _rows(
            real,
            "select institution_code from marts.institutions where as_of = ? and township_code = ?",
            [newest, code],
        )
    }
    staffing = data_rows(sheets["机构编制情况"])
    assert staffing and {r[0] for r in staffing} <= inside
    ((total,),) = _rows(real, "select count(*) from marts.roster where as_of = ?", [newest])
    roster = records(sheets["实名制人员名册"])
    assert 0 < len(roster) < total


def test_report_numbers_equal_the_marts(real: Path, tmp_path: Path) -> None:
    assert report_command(argparse.Namespace(warehouse=real, out=tmp_path, as_of=None)) == 0
    (md,) = tmp_path.glob("*.md")
    text = md.read_text("utf-8")
    newest = _batches(real)[-1]
    ((staff, leaders),) = _rows(
        real,
        "select sum(staff), sum(leaders) from marts.township_leadership where as_of = ?",
        [newest],
    )
    match = re.search(r"乡镇工作人员共(\d+)人，担任领导职务(\d+)人", text)
    assert match and (int(match[1]), int(match[2])) == (staff, leaders)
    ((open_count,),) = _rows(real, "select count(*) from marts.findings where status = 'open'")
    assert f"核查发现未整改问题{open_count}个" in text
