"""A big csv roster is read and typed in parts (`ingest.read.CsvParts`) and must load exactly
what reading it whole loads: the same raw rows and row numbers, the same quarantine, blank and
totals counts, the same load-report message — whatever the encoding, with title rows, empty
lines, trailing blank rows, and a quoted line break that makes DuckDB's parallel reader give up
after some parts were typed (the read restarts serially, `CsvRestart`).

The parts path is switched on by lowering `PART_BYTES` / `PART_ROWS`, so these files of a few
thousand rows are cut into dozens of parts (the first at least HEADER_SCAN_ROWS long)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from ingest_builders import (
    LOADED_TABLES,
    ROSTER_HEADER,
    Batch,
    accounting_holds,
    csv_text,
    load,
    make_id,
    roster_row,
    with_bad_check,
)

from ingest import load as load_module
from ingest import read as read_module

ROWS = 3000


def _roster_lines(quoted_newline_at: int | None) -> list[list[Any] | None]:
    """Two title rows, the header, ROWS people (some flagged, some row errors), a totals row and
    empty lines scattered through the parts, and blank rows at the end."""
    lines: list[list[Any] | None] = [["XX县人员花名册"], ["填报单位：县委编办"], ROSTER_HEADER]
    for i in range(ROWS):
        seq = f"{(i % 500) * 2 + 1:03d}"  # odd: a man, as the row says
        number = make_id(region=f"11010{i // 500}", birth="19900307", seq=seq)
        if i % 101 == 3:
            number = with_bad_check(number)  # kept and flagged
        birth = "1990-13-45" if i % 397 == 5 else "1990-03-07"  # a row error: quarantined
        title = "多行\n职务" if quoted_newline_at is not None and i == quoted_newline_at else "科员"
        lines.append(roster_row(number, name=f"张{i}", birth=birth, **{"职务": title}))
        if i % 911 == 17:
            lines.append(None)  # an empty line (the csv is rewritten as UTF-8)
    lines.append(["合计", "3000"])
    lines += [[""] * len(ROSTER_HEADER)] * 4  # trailing blank rows: not counted
    return lines


def _write(tmp_path: Path, name: str, encoding: str, quoted_newline_at: int | None) -> Path:
    landing = tmp_path / name
    folder = Batch(roster=None).write(landing)
    text = csv_text(_roster_lines(quoted_newline_at))
    data = text.encode("gb18030" if encoding == "gb18030" else "utf-8")
    if encoding == "utf-8-sig":
        data = b"\xef\xbb\xbf" + data
    (folder / "人员花名册.csv").write_bytes(data)
    return landing


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every loaded table's rows without load times and the landing folder (they differ)."""
    out = {}
    for table in LOADED_TABLES:
        schema, name = table.split(".")
        columns = [
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_schema = ? "
                "and table_name = ? and data_type not like 'TIMESTAMP%' "
                "and column_name <> 'landing_dir' order by ordinal_position",
                [schema, name],
            ).fetchall()
        ]
        listed = ", ".join(f'"{c}"' for c in columns)
        out[table] = con.execute(f"select {listed} from {table} order by all").fetchall()
    return out


@pytest.mark.parametrize(
    ("encoding", "quoted_newline_at"),
    [("utf-8", None), ("gb18030", 2500), ("utf-8-sig", 2500), ("utf-8", 2500)],
)
def test_roster_read_in_parts_loads_what_reading_it_whole_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str, quoted_newline_at: int | None
) -> None:
    whole_con, whole = load(_write(tmp_path, "whole", encoding, quoted_newline_at))

    attempts: list[int] = []  # one per pass over the parts
    parts_seen: list[int] = []
    iterate = read_module.CsvParts.__iter__

    def counted_parts(self: read_module.CsvParts) -> Any:
        attempts.append(1)
        for part in iterate(self):
            parts_seen.append(part.first_row)
            yield part

    monkeypatch.setattr(load_module, "PART_BYTES", 0)
    monkeypatch.setattr(load_module, "PART_ROWS", 97)
    monkeypatch.setattr(read_module.CsvParts, "__iter__", counted_parts)
    parts_con, parts = load(_write(tmp_path, "parts", encoding, quoted_newline_at))

    assert len(set(parts_seen)) > 20, "the roster was not read in parts"
    # a quoted line break late in the file: DuckDB's parallel reader stops there, typing restarts
    assert len(attempts) == (2 if quoted_newline_at is not None else 1)
    got, expected = _tables(parts_con), _tables(whole_con)
    assert got == expected
    roster = [f for f in parts.files if f.source == "roster"]
    assert [(f.message, f.rows_read, f.rows_blank, f.rows_totals) for f in roster] == [
        (f.message, f.rows_read, f.rows_blank, f.rows_totals)
        for f in whole.files
        if f.source == "roster"
    ]
    assert roster[0].rows_quarantined == len(range(5, ROWS, 397))
    assert roster[0].rows_totals == 1
    assert accounting_holds(parts_con)
    flagged = parts_con.execute("select count(*) from raw.roster where not id_valid").fetchone()
    assert flagged == (len([i for i in range(3, ROWS, 101) if i % 397 != 5]),)
    if quoted_newline_at is not None:
        title = parts_con.execute(
            "select title from raw.roster where name = ?", [f"张{quoted_newline_at}"]
        ).fetchone()
        assert title == ("多行\n职务",)


def test_copy_of_a_big_file_goes_to_disk_not_shared_memory(tmp_path: Path) -> None:
    """/dev/shm is memory: a copy bigger than SHM_COPY_MAX_BYTES goes to the temporary folder."""
    assert read_module._copy_dir(read_module.SHM_COPY_MAX_BYTES + 1) is None
