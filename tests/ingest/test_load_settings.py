"""The DuckDB settings a load runs with, and that it gives the connection back as it was.

`preserve_insertion_order` is the database's setting, not the cursor's: with it off, DuckDB's
parallel csv reader may return records out of file order, and a csv row number is a record's
position in what the reader returns. A load therefore turns it on for its reads whatever the
caller set, and off only for the batch's writes (every row carries its number by then). The
reader's buffer is lowered here so that a file of a few thousand rows spans many buffers, as a
province's roster does (with DuckDB's 32 MiB buffer a file this small is read in one piece and
keeps its order either way)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from ingest_builders import (
    ROSTER_HEADER,
    Batch,
    accounting_holds,
    load,
    make_id,
    roster_only,
    roster_row,
)

from ingest import UnreadableSourceError
from ingest import load as load_module
from ingest import read as read_module

ROWS = 3000
NEXT_BATCH = "2026-11-21"


def _settings(con: duckdb.DuckDBPyConnection) -> tuple[bool, bool]:
    return con.execute(
        "select current_setting('preserve_insertion_order'), current_setting('enable_progress_bar')"
    ).fetchone()  # type: ignore[return-value]


def _people(prefix: str = "张") -> list[list[str]]:
    return [
        roster_row(
            make_id(region=f"11010{i // 500}", seq=f"{(i % 500) * 2 + 1:03d}"), name=f"{prefix}{i}"
        )
        for i in range(ROWS)
    ]


def _roster(landing: Path) -> Path:
    return roster_only(landing, _people())


@pytest.fixture
def small_csv_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read_module, "CSV_BUFFER_BYTES", 256 << 10)
    monkeypatch.setattr(read_module, "MAX_LINE_BYTES", 64 << 10)


@pytest.mark.usefixtures("small_csv_buffer")
def test_csv_rows_keep_their_numbers_when_the_caller_turned_insertion_order_off(
    tmp_path: Path,
) -> None:
    _roster(tmp_path / "landing")
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = false")
    load(tmp_path / "landing", con)
    numbered = con.execute("select row_number, name from raw.roster order by row_number").fetchall()
    assert len(numbered) == ROWS
    # the header is row 1: person i is on row i + 2
    assert [name for _, name in numbered] == [f"张{i}" for i in range(ROWS)]
    assert [n for n, _ in numbered] == list(range(2, ROWS + 2))
    assert accounting_holds(con)


@pytest.mark.usefixtures("small_csv_buffer")
def test_the_next_batch_is_read_in_file_order_after_a_batch_was_written(tmp_path: Path) -> None:
    """The writes of one batch run with insertion order off; the next batch's reads must not."""
    landing = tmp_path / "landing"
    _roster(landing)
    Batch(roster=[ROSTER_HEADER, *_people("李")]).write(landing, batch=NEXT_BATCH)
    con, result = load(landing)
    assert len(result.batches) == 2
    numbered = con.execute(
        "select row_number, name from raw.roster where batch_date = ? order by row_number",
        [NEXT_BATCH],
    ).fetchall()
    assert [name for _, name in numbered] == [f"李{i}" for i in range(ROWS)]
    assert [n for n, _ in numbered] == list(range(2, ROWS + 2))


@pytest.mark.parametrize("before", [(True, True), (False, False)])
def test_a_load_gives_back_the_settings_it_found(tmp_path: Path, before: tuple[bool, bool]) -> None:
    _roster(tmp_path / "landing")
    con = duckdb.connect()
    con.execute(f"set preserve_insertion_order = {str(before[0]).lower()}")
    con.execute(f"set enable_progress_bar = {str(before[1]).lower()}")
    load(tmp_path / "landing", con)
    assert con.execute("select count(*) from raw.roster").fetchone() == (ROWS,)
    assert _settings(con) == before


def test_a_failed_load_gives_back_the_settings_it_found(tmp_path: Path) -> None:
    folder = _roster(tmp_path / "landing")
    (folder / "人员花名册.csv").write_bytes(b"\xff\xfe\x00garbage\x81")
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = false")
    con.execute("set enable_progress_bar = true")
    with pytest.raises(UnreadableSourceError):
        load(tmp_path / "landing", con)
    assert _settings(con) == (False, True)


def test_a_load_failing_in_its_writes_gives_back_the_settings_it_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _roster(tmp_path / "landing")

    def broken_report(*_args: object) -> None:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(load_module, "_insert_report", broken_report)
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = false")
    con.execute("set enable_progress_bar = true")
    with pytest.raises(RuntimeError, match="disk gone"):
        load(tmp_path / "landing", con)
    assert _settings(con) == (False, True)
    assert con.execute("select count(*) from raw.roster").fetchone() == (0,)
