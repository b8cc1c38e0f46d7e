"""Unit tests of the dashboard's query, settings and presentation modules.

Why separately from the page tests: these pin the pieces the pages rely on — where the warehouse
and the threshold come from, that reading is read-only and survives a publish, that identity
numbers cannot leak through the audit tables, and what the xlsx download holds — each in
isolation, so a failure names the piece that broke.
"""

from __future__ import annotations

import io
import os
import shutil
import threading
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
import yaml
from dashboard_helpers import ID_PATTERN, ROOT, scalar
from dashboard_mini import NEW, OLD, SECRET_ID, STAFFING, T_NIUFO

from dashboard import queries, settings
from dashboard.pages import file_version
from dashboard.present import percent, to_xlsx, zh_table

# ── settings ──────────────────────────────────────────────────────────────────────────────────


def test_warehouse_argument_wins_over_environment():
    env = {"BIANZHI_WAREHOUSE": "/env/w.duckdb"}
    assert settings.warehouse_path(["--warehouse", "/arg/w.duckdb"], env) == Path("/arg/w.duckdb")
    assert settings.warehouse_path(["--warehouse=/arg/w.duckdb"], env) == Path("/arg/w.duckdb")
    assert settings.warehouse_path(["-x", "--other"], env) == Path("/env/w.duckdb")
    assert settings.warehouse_path([], {}) == ROOT / "data" / "warehouse.duckdb"


def test_threshold_is_read_from_the_rules_config(tmp_path: Path):
    shipped = yaml.safe_load((ROOT / "config" / "rules.yml").read_text(encoding="utf-8"))
    default = settings.leader_ratio_threshold(settings.config_path({}))
    assert default == shipped["leader_ratio"]["max_ratio"]
    shipped["leader_ratio"]["max_ratio"] = 0.42
    edited = tmp_path / "rules.yml"
    edited.write_text(yaml.safe_dump(shipped), encoding="utf-8")
    path = settings.config_path({"BIANZHI_CONFIG": str(edited)})
    assert path == edited
    assert settings.leader_ratio_threshold(path) == 0.42


# ── reading the published file ───────────────────────────────────────────────────────────────


def test_reads_are_read_only(mini_warehouse: Path):
    with queries.readonly(mini_warehouse)() as con, pytest.raises(duckdb.Error):
        con.execute("create table marts.x as select 1")


def test_read_retries_across_the_instant_of_a_publish(mini_warehouse: Path, tmp_path: Path):
    """The file is absent for a moment (as between unlink and replace): the read waits for it."""
    published = tmp_path / "warehouse.duckdb"
    staged = tmp_path / "staged.duckdb"
    shutil.copyfile(mini_warehouse, staged)
    timer = threading.Timer(0.4, os.replace, args=(staged, published))
    timer.start()
    try:
        assert queries.batches(queries.readonly(published)) == [OLD, NEW]
    finally:
        timer.join()


def test_file_version_changes_with_a_publish(mini_warehouse: Path, tmp_path: Path):
    published = tmp_path / "warehouse.duckdb"
    shutil.copyfile(mini_warehouse, published)
    before = file_version(published)
    assert file_version(published) == before
    build = tmp_path / "build.duckdb"
    shutil.copyfile(mini_warehouse, build)
    os.replace(build, published)
    assert file_version(published) != before


# ── figures ───────────────────────────────────────────────────────────────────────────────────


def test_county_totals_sum_each_institutions_gap(mini_warehouse: Path):
    """空编 and 超编 add up per institution: a vacancy somewhere does not cancel overstaffing."""
    df = queries.county_totals(queries.readonly(mini_warehouse), NEW)
    assert list(df["quota_type"]) == ["行政编制", "事业编制", "工勤编制"]  # the contract's order
    expected = {}
    for _, kind, auth, occ in STAFFING[NEW]:
        a, o, v, s = expected.get(kind, (0, 0, 0, 0))
        expected[kind] = (a + auth, o + occ, v + max(auth - occ, 0), s + max(occ - auth, 0))
    got = {
        r.quota_type: (r.authorized, r.occupied, r.vacancy, r.overstaffed_by)
        for r in df.itertuples()
    }
    assert got == expected
    # 事业编制: 12 - 9 vacant in one unit, 2 over in another → 3 vacant and 2 over, not net 1.
    assert got["事业编制"] == (12, 11, 3, 2)


def test_township_leader_ratio_and_workforce(mini_warehouse: Path):
    connect = queries.readonly(mini_warehouse)
    assert queries.township_leader_ratio(connect, NEW, T_NIUFO) == {
        "leaders": 15,
        "staff": 37,
        "leader_ratio": pytest.approx(15 / 37),
    }
    assert queries.township_leader_ratio(connect, NEW, "000000000") == {}
    row = queries.workforce(connect, NEW, "township", T_NIUFO)
    assert (row["age_under_30"], row["age_30_44"], row["age_45_plus"]) == (6, 15, 19)


def test_findings_filters_combine(mini_warehouse: Path):
    connect = queries.readonly(mini_warehouse)
    assert len(queries.findings(connect)) == scalar(
        mini_warehouse, "select count(*) from marts.findings"
    )
    over = queries.findings(connect, rules=["OVERSTAFFED"])
    assert set(over["rule_code"]) == {"OVERSTAFFED"} and len(over) == 4
    narrowed = queries.findings(
        connect, rules=["OVERSTAFFED", "VACANT"], township_codes=[T_NIUFO], statuses=["open"]
    )
    assert sorted(zip(narrowed["institution_name"], narrowed["category"], strict=True)) == [
        ("牛佛镇人民政府", "行政编制"),
        ("牛佛镇农业综合服务中心", "事业编制"),
    ]
    assert queries.findings(connect, severities=["warn"], statuses=["resolved"])[
        "person_name"
    ].tolist() == ["李四"]


def test_quota_events_follow_the_batch(mini_warehouse: Path):
    connect = queries.readonly(mini_warehouse)
    old = queries.quota_events(connect, OLD, "N01")
    new = queries.quota_events(connect, NEW, "N01")
    assert len(new) == len(old) + 1  # the 2026-11-01 工勤编制 核定 came after the old batch
    admin = new[new["kind"] == "行政编制"]
    assert list(admin["change"]) == ["核定", "核增", "核减"]
    assert list(admin["value_after"]) == [22, 25, 24]


# ── no identity numbers ──────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"编号 {SECRET_ID} 校验位错误", "编号 ［身份证号已隐藏］ 校验位错误"),
        ("320102198503140011", "［身份证号已隐藏］"),
        ("old 320102850314001 15 digits", "old ［身份证号已隐藏］ 15 digits"),
        ("excel 3.20102198503E+17", "excel ［身份证号已隐藏］"),
        ("a1b2c3d4e5f60718", "a1b2c3d4e5f60718"),  # person_key stays
        ("1234567890123456", "1234567890123456"),  # a 16-digit person_key stays
        ("511621101000", "511621101000"),  # a township code stays
    ],
)
def test_mask_identity_numbers(text: str, masked: str):
    df = pd.DataFrame({"message": [text], "raw": [text], "count": [1]})
    out = queries.mask_identity_numbers(df)
    assert list(out.columns) == ["message", "count"]
    assert out["message"].iloc[0] == masked


def test_no_query_returns_an_identity_number(mini_warehouse: Path):
    """Every query function, run on the mini warehouse where SECRET_ID is planted in audit."""
    connect = queries.readonly(mini_warehouse)
    results = [
        queries.load_report(connect),
        queries.quarantine_by_file(connect),
        queries.quarantine_by_reason(connect),
        queries.dq_results(connect),
        queries.run_log(connect),
        queries.findings(connect),
        queries.institution_findings(connect, "N02"),
        queries.county_totals(connect, NEW),
    ]
    for df in results:
        text = df.to_csv()
        assert SECRET_ID not in text
        assert not ID_PATTERN.findall(text)
        assert "raw" not in df.columns


def test_dq_results_latest_runs(mini_warehouse: Path):
    connect = queries.readonly(mini_warehouse)
    latest = queries.dq_results(connect, latest_runs=1)
    assert set(latest["run_id"]) == {"run-new"}
    assert list(latest["success"]) == [False, True]  # failures first
    assert len(queries.dq_results(connect, latest_runs=3)) == 3
    assert list(latest.columns)[:3] == ["checked_at", "batch_date", "suite"]


def test_optional_tables(mini_warehouse: Path, mini_without_dq: Path):
    assert queries.table_exists(queries.readonly(mini_warehouse), "audit", "dq_results")
    assert not queries.table_exists(queries.readonly(mini_without_dq), "audit", "dq_results")


# ── presentation ─────────────────────────────────────────────────────────────────────────────


def test_zh_table_and_xlsx_round_trip():
    df = pd.DataFrame(
        {
            "rule_code": ["OVERSTAFFED"],
            "severity": ["error"],
            "status": ["open"],
            "first_seen": [pd.Timestamp("2026-10-20")],
            "measured": [27.0],
        }
    )
    shown = zh_table(df)
    assert list(shown.columns) == ["规则代码", "严重程度", "状态", "首次发现", "实际值"]
    assert shown.iloc[0].tolist() == ["OVERSTAFFED", "错误", "未整改", date(2026, 10, 20), 27.0]
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(shown)))
    sheet = book["问题清单"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == ["规则代码", "严重程度", "状态", "首次发现", "实际值"]
    assert values[1][:3] == ["OVERSTAFFED", "错误", "未整改"]
    assert values[1][3] in (datetime(2026, 10, 20), "2026-10-20")
    assert values[1][4] == 27


def test_percent_formatting():
    assert percent(15 / 37) == "40.5%"
    assert percent(None) == "—"
    assert percent(float("nan")) == "—"
