"""Batches: date order, idempotency, carry-forward, all-or-nothing, row accounting."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from ingest_builders import (
    LOADED_TABLES,
    ROSTER_HEADER,
    TOWNSHIP_HEADER,
    Batch,
    accounting_holds,
    load,
    one,
    roster_row,
    rows,
)

from ingest import BatchOrderError, UnreadableSourceError, load_landing

TABLES = LOADED_TABLES


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {t: sorted(map(repr, rows(con, f"select * from {t}"))) for t in TABLES}


def three_batches(landing: Path) -> None:
    Batch(roster=[ROSTER_HEADER, roster_row(), roster_row(name="错", 编制类型="超编")]).write(
        landing, "2026-10-20"
    )
    Batch(townships=None, institutions=None, grants=None).write(landing, "2026-11-20")
    Batch(
        townships=[TOWNSHIP_HEADER, ["511321100", "新牛佛镇"]], institutions=None, grants=None
    ).write(landing, "2026-12-20", fmt="xlsx")


def test_carry_forward_copies_rows_and_reports_it(tmp_path: Path) -> None:
    three_batches(tmp_path)
    con, result = load(tmp_path)
    assert result.batches == (date(2026, 10, 20), date(2026, 11, 20), date(2026, 12, 20))
    second = result.for_batch(date(2026, 11, 20))
    assert second["roster"].carried_forward is False
    for source in ("townships", "institutions", "quota_grants"):
        r = second[source]
        assert r.carried_forward is True
        assert (r.rows_read, r.rows_loaded, r.rows_quarantined, r.rows_blank, r.rows_totals) == (
            0,
            0,
            0,
            0,
            0,
        )
        assert "2026-10-20" in r.message
    assert second["townships"].file_name == "乡镇.csv"
    report = rows(
        con,
        "select batch_date::varchar, file_name, carried_forward, message from audit.load_report "
        "where source = 'institutions' order by 1",
    )
    assert [r[:3] for r in report] == [
        ("2026-10-20", "机构名录.csv", False),
        ("2026-11-20", "机构名录.csv", True),
        ("2026-12-20", "机构名录.csv", True),
    ]
    assert "from batch 2026-10-20" in report[2][3]  # the batch the rows came from
    got = rows(
        con,
        "select batch_date::varchar, source_batch_date::varchar, count(*) "
        "from raw.institutions group by all order by 1",
    )
    assert got == [
        ("2026-10-20", "2026-10-20", 2),
        ("2026-11-20", "2026-10-20", 2),
        ("2026-12-20", "2026-10-20", 2),
    ]
    townships = rows(
        con,
        "select batch_date::varchar, source_batch_date::varchar, file_name, township_name "
        "from raw.townships where batch_date = '2026-12-20'",
    )
    assert townships == [("2026-12-20", "2026-12-20", "乡镇.xlsx", "新牛佛镇")]
    # carried rows are identical apart from batch_date
    diff = one(
        con,
        "select count(*) from (select * exclude (batch_date) from raw.quota_grants "
        "where batch_date = '2026-11-20' except select * exclude (batch_date) "
        "from raw.quota_grants where batch_date = '2026-10-20')",
    )
    assert diff == 0
    assert accounting_holds(con)


def test_reload_is_idempotent(tmp_path: Path) -> None:
    three_batches(tmp_path)
    con, first = load(tmp_path)
    before = snapshot(con)
    again = load_landing(con, tmp_path, b"test-ingest-key")
    assert again.batches == () and again.files == ()
    assert snapshot(con) == before
    assert len(first.batches) == 3


def test_new_batch_after_reload_loads_only_it(tmp_path: Path) -> None:
    Batch().write(tmp_path, "2026-10-20")
    con, _ = load(tmp_path)
    Batch(townships=None, institutions=None, grants=None).write(tmp_path, "2026-11-20")
    result = load_landing(con, tmp_path, b"test-ingest-key")
    assert result.batches == (date(2026, 11, 20),)
    assert rows(con, "select batch_date::varchar from audit.batches order by 1") == [
        ("2026-10-20",),
        ("2026-11-20",),
    ]


def test_batch_older_than_the_newest_loaded_is_refused(tmp_path: Path) -> None:
    Batch().write(tmp_path, "2026-11-20")
    con, _ = load(tmp_path)
    Batch().write(tmp_path, "2026-10-20")
    Batch().write(tmp_path, "2026-12-20")
    before = snapshot(con)
    with pytest.raises(BatchOrderError, match="2026-10-20.*older than the newest loaded batch"):
        load_landing(con, tmp_path, b"test-ingest-key")
    assert snapshot(con) == before  # not even the newer 2026-12-20 is loaded
    assert isinstance(BatchOrderError("x"), UnreadableSourceError)  # exit code 2 upstream


def test_first_batch_needs_all_sources_later_ones_the_roster(tmp_path: Path) -> None:
    Batch(grants=None).write(tmp_path, "2026-10-20")
    with pytest.raises(UnreadableSourceError, match="first batch must contain all four.*quota"):
        load(tmp_path)
    shutil.rmtree(tmp_path / "2026-10-20")
    Batch().write(tmp_path, "2026-10-20")
    Batch(roster=None).write(tmp_path, "2026-11-20")
    con = duckdb.connect()
    with pytest.raises(UnreadableSourceError, match="2026-11-20: no roster file"):
        load(tmp_path, con)
    # the first batch stayed; the failing one left nothing behind
    assert rows(con, "select batch_date::varchar from audit.batches") == [("2026-10-20",)]
    assert one(con, "select count(*) from raw.townships where batch_date = '2026-11-20'") == 0


def test_failing_later_batch_is_rolled_back_whole(tmp_path: Path) -> None:
    Batch().write(tmp_path, "2026-10-20")
    folder = Batch(institutions=None).write(tmp_path, "2026-11-20")
    (folder / "乡镇.csv").write_text(
        "行政区划代码\n511321100\n", encoding="utf-8"
    )  # 乡镇名称 missing
    con = duckdb.connect()
    with pytest.raises(UnreadableSourceError, match=r"2026-11-20/乡镇\.csv.*乡镇名称"):
        load(tmp_path, con)
    assert rows(con, "select distinct batch_date::varchar from audit.load_report") == [
        ("2026-10-20",)
    ]
    for table in TABLES:
        assert one(con, f"select count(*) from {table} where batch_date = '2026-11-20'") == 0


def test_two_files_of_one_source_fail_the_batch(tmp_path: Path) -> None:
    folder = Batch().write(tmp_path)
    shutil.copy(folder / "人员花名册.csv", folder / "roster_copy.csv")
    with pytest.raises(UnreadableSourceError, match="2 files for source roster"):
        load(tmp_path)


def test_other_entries_in_landing_are_ignored(tmp_path: Path) -> None:
    Batch().write(tmp_path)
    (tmp_path / "notes").mkdir()
    (tmp_path / "2026-13-40").mkdir()
    (tmp_path / "2026-12-01.txt").write_text("x")
    (tmp_path / "2026-11-20" / "说明.txt").write_text("x")
    _, result = load(tmp_path)
    assert result.batches == (date(2026, 11, 20),)


def test_missing_landing_folder(tmp_path: Path) -> None:
    with pytest.raises(UnreadableSourceError, match="does not exist"):
        load(tmp_path / "nope")


def test_empty_landing_creates_tables_and_loads_nothing(tmp_path: Path) -> None:
    con, result = load(tmp_path)
    assert result.batches == ()
    for table in TABLES:
        assert one(con, f"select count(*) from {table}") == 0


def test_raw_columns_match_the_interface(tmp_path: Path) -> None:
    """Column names and order of the raw and audit tables, as docs/interfaces.md fixes them."""
    con, _ = load(tmp_path)
    lineage = ["batch_date", "source_batch_date", "file_name", "row_number"]
    expected = {
        "townships": lineage
        + [
            "township_code",
            "township_name",
            "township_kind",
            "township_class",
            "population",
            "area_km2",
        ],
        "institutions": lineage
        + [
            "institution_code",
            "uscc",
            "uscc_valid",
            "name",
            "category",
            "public_class",
            "level",
            "township_ref",
            "parent_code",
            "rank",
            "funding",
            "alias_names",
            "established_on",
            "revoked_on",
        ],
        "quota_grants": lineage
        + [
            "doc_no",
            "approved_on",
            "effective_on",
            "institution_code",
            "institution_name",
            "item",
            "kind",
            "change",
            "amount",
            "note",
        ],
        "roster": lineage
        + [
            "id_number",
            "person_key",
            "id_valid",
            "id_problem",
            "name",
            "gender",
            "birth_date",
            "person_category",
            "quota_type",
            "slot_code",
            "slot_name",
            "work_code",
            "work_name",
            "title",
            "leadership",
            "grade",
            "post_type",
            "slot_since",
            "status",
            "education",
            "work_since",
        ],
    }
    for table, columns in expected.items():
        got = [r[0] for r in rows(con, f"describe raw.{table}")]
        assert got == columns, table
    assert [r[0] for r in rows(con, "describe audit.load_report")] == [
        "batch_date",
        "source",
        "file_name",
        "sheet",
        "rows_read",
        "rows_loaded",
        "rows_quarantined",
        "rows_blank",
        "rows_totals",
        "carried_forward",
        "anomaly_accepted",
        "loaded_at",
        "message",
    ]
    assert [r[0] for r in rows(con, "describe audit.quarantine")] == [
        "batch_date",
        "source",
        "file_name",
        "sheet",
        "row_number",
        "reason",
        "raw",
    ]
    assert [r[0] for r in rows(con, "describe audit.batches")] == [
        "batch_date",
        "loaded_at",
        "landing_dir",
    ]
