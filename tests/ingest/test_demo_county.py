"""The default demo county (colleague's generator in `demo/`) through ingest.

Why: the demo writes the real-world mess the contract allows (title rows, synonyms, hidden
sheets, GB18030, Excel-damaged numbers, totals rows, …) and records per file what a loader must
read, skip and quarantine; ingest has to agree with it row for row.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from ingest_builders import accounting_holds, one, rows

from ingest import load_landing

try:
    import demo

    HAVE_DEMO = callable(getattr(demo, "generate", None))
except ImportError:  # pragma: no cover - depends on the colleague's progress
    HAVE_DEMO = False

pytestmark = pytest.mark.skipif(not HAVE_DEMO, reason="demo.generate is not importable yet")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):
    landing = tmp_path_factory.mktemp("demo") / "landing"
    summary = demo.generate(landing)
    con = duckdb.connect()
    result = load_landing(con, landing, b"demo-test-key")
    return summary, con, result


def test_every_batch_loaded_with_carry_forward(loaded) -> None:
    summary, con, result = loaded
    assert [str(b) for b in result.batches] == summary.batch_dates
    for batch, sources in summary.carried_forward.items():
        for source in sources:
            carried = one(
                con,
                "select carried_forward from audit.load_report "
                "where batch_date = $b and source = $s",
                {"b": batch, "s": source},
            )
            assert carried is True, (batch, source)


def test_counts_per_file_match_the_generator(loaded) -> None:
    summary, con, _ = loaded
    for f in summary.files:
        got = rows(
            con,
            "select file_name, sheet, rows_read, rows_loaded, rows_quarantined, rows_blank, "
            "rows_totals from audit.load_report "
            "where batch_date = $b and source = $s and not carried_forward",
            {"b": f.batch_date, "s": f.source},
        )
        expected = (
            Path(f.path).name,
            f.sheet,
            f.rows,
            f.loaded_rows,
            f.error_rows,
            f.blank_rows,
            f.totals_rows,
        )
        assert got == [expected], f.path
    assert accounting_holds(con)


def test_every_planted_row_error_is_quarantined(loaded) -> None:
    summary, con, _ = loaded
    planted = 0
    for f in summary.files:
        quarantined = {
            r[0]
            for r in rows(
                con,
                "select row_number from audit.quarantine where batch_date = $b and source = $s",
                {"b": f.batch_date, "s": f.source},
            )
        }
        expected = {int(e["row_number"]) for e in f.row_errors}
        planted += len(expected)
        assert quarantined == expected, f.path
    assert planted > 0


def test_planted_people_are_loaded_with_their_numbers(loaded) -> None:
    summary, con, _ = loaded
    missing = [
        (rule, batch, case.id_number)
        for rule, cases in summary.planted.items()
        for case in cases
        if case.id_number
        for batch in case.batches
        if not one(
            con,
            "select count(*) from raw.roster where batch_date = $b and id_number = $i",
            {"b": batch, "i": case.id_number},
        )
    ]
    assert missing == []
    invalid = {c.id_number for c in summary.planted.get("INVALID_ID", [])}
    valid_flags = rows(
        con,
        "select distinct id_valid from raw.roster where id_number in (select unnest($ids))",
        {"ids": sorted(invalid)},
    )
    assert valid_flags == [(False,)]
