"""The memory and speed paths of the batch load give exactly what the plain path gives: a file's
Arrow data streamed into its typing statement and freed as it is read, Arrow tables cut into
small record batches, every file's Arrow table released after typing, the quarantine built from
the cells the typed table keeps, id numbers checked chunk by chunk, workbook columns of mixed
types converted by type group."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from ingest_builders import (
    LOADED_TABLES,
    ROSTER_HEADER,
    TOWNSHIP_HEADER,
    TOWNSHIP_ROWS,
    Batch,
    ExcelDate,
    Num,
    accounting_holds,
    load,
    make_id,
    one,
    roster_row,
    rows,
    with_bad_check,
)

from ingest import UnreadableSourceError, arrow
from ingest import load as load_module
from ingest import read as read_module
from ingest.identity import id_shape
from ingest.normalise import one_of_sql
from ingest.read import _cell_kind, _cell_text, batch_rows, cells_to_arrow

TABLES = LOADED_TABLES


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Every ingest table as a sorted list of rows (load time and landing folder left out)."""
    out = {}
    for table in TABLES:
        drop = [c for c in ("loaded_at", "landing_dir") if c in _columns(con, table)]
        exclude = f" exclude ({', '.join(drop)})" if drop else ""
        out[table] = sorted(map(repr, rows(con, f"select *{exclude} from {table}")))
    return out


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in rows(con, f"describe {table}")]


def messy_roster(count: int) -> list[list[object]]:
    """A roster of `count` people with a row error, a blank row, a totals row and data in a
    headerless column here and there, and trailing blank rows (not rows anyone counts)."""
    header = [*ROSTER_HEADER, ""]  # a headerless column on the right
    out: list[list[object]] = [["XX县人员花名册"], header]
    for i in range(count):
        row = roster_row(name=f"人员{i}", id_number=make_id(seq=f"{i % 1000:03d}"))
        if i % 7 == 3:
            row = roster_row(name=f"错{i}", 编制类型="超编")  # row error: unknown 编制类型
        if i % 11 == 5:
            row = roster_row(name=f"号{i}", id_number=with_bad_check(make_id(seq="777")))
        if i % 13 == 0:
            row = roster_row(name="", id_number="")  # both blank: row error
        extra = "备注" if i % 9 == 4 else ""
        out.append([*row, extra])
        if i % 17 == 8:
            out.append([])
        if i == count // 2:
            out.append(["合计", "", "", "", "", "", "", "", "", "", ""])
    return [*out, [], []]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("trim_rows", [1, 5, 13])
def test_files_streamed_into_typing_are_the_files_typed_from_a_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, trim_rows: int
) -> None:
    """Every file streamed into its typing statement (as a big file is), in record batches of a
    few rows, with a heap trim after every `trim_rows` rows read: the tables must not change
    (errors, blank, totals and trailing blank rows, a headerless column in the quarantine)."""
    Batch(roster=messy_roster(60)).write(tmp_path / "landing", fmt=fmt)
    whole, _ = load(tmp_path / "landing")
    trims: list[int] = []
    monkeypatch.setattr(read_module, "MIN_BATCH_ROWS", 3)
    monkeypatch.setattr(load_module, "TRIM_BYTES", 0)
    monkeypatch.setattr(load_module, "TRIM_ROWS", trim_rows)
    monkeypatch.setattr(load_module, "_malloc_trim", lambda: trims.append(1))
    streamed, _ = load(tmp_path / "landing")
    assert len(trims) >= 4 + 4  # every file once after typing, the roster during it too
    assert snapshot(streamed) == snapshot(whole)
    assert accounting_holds(streamed)
    quarantined = rows(streamed, "select raw from audit.quarantine where source = 'roster'")
    assert any(json.loads(r[0]).get("column 12") == "备注" for r in quarantined)


def test_stream_is_read_once_and_frees_its_batches() -> None:
    con = duckdb.connect()
    before = pa.total_allocated_bytes()
    texts = pa.array([f"第{n}行" * 50 for n in range(20_000)])  # allocated by Arrow's pool
    table = pa.table({"rn": pa.array(np.arange(1, 20_001, dtype=np.int32)), "c0": texts})
    del texts
    read = read_module.ReadFile(
        pa.Table.from_batches(table.to_batches(max_chunksize=1_000)),
        1,
        frozenset(),
        None,
        None,
        20_000,
        frozenset(),
    )
    del table
    source = read_module.register(con, "_s", read)
    del read
    calls: list[int] = []
    source.stream(4_000, lambda: calls.append(1))
    assert pa.total_allocated_bytes() > before  # still there: nothing read yet
    assert one(con, f"select count(*), max(rn) from {source.relation}") == (20_000, 20_000)
    assert len(calls) == 5  # after 4,000 rows, five times
    with pytest.raises(duckdb.Error, match="read only once"):
        con.execute(f"select count(*) from {source.relation}")
    source.close()
    assert pa.total_allocated_bytes() == before


def test_a_file_is_released_after_typing_and_nothing_temporary_stays(tmp_path: Path) -> None:
    Batch().write(tmp_path)
    con, _ = load(tmp_path)
    leftovers = rows(
        con,
        "select table_name from duckdb_tables() where table_name like '_ingest%' "
        "union all select view_name from duckdb_views() where view_name like '_ingest%'",
    )
    assert leftovers == []


def test_an_unreadable_last_file_leaves_no_row_and_no_temporary_table(tmp_path: Path) -> None:
    """The other files are typed (temporary tables) before the roster turns out unreadable:
    nothing is written, and their temporary tables are gone."""
    folder = Batch().write(tmp_path)
    (folder / "人员花名册.csv").write_text("这不是表头\n1,2,3\n", encoding="utf-8")
    con = duckdb.connect()
    with pytest.raises(UnreadableSourceError, match=r"人员花名册\.csv"):
        load(tmp_path, con)
    for table in TABLES:
        assert one(con, f"select count(*) from {table}") == 0, table
    assert one(con, "select count(*) from duckdb_tables() where table_name like '_ingest%'") == 0


def test_batch_rows_bounds() -> None:
    assert batch_rows(0) == read_module.MIN_BATCH_ROWS
    assert batch_rows(20_000) == 5_000  # a 20,000-row sheet: four batches, two per core
    assert batch_rows(10_000_000) == read_module.BATCH_ROWS


def test_close_drops_the_table_and_the_relation() -> None:
    con = duckdb.connect()
    read = read_module.ReadFile(
        pa.table({"rn": pa.array([1], pa.int32()), "c0": pa.array(["x"])}),
        1,
        frozenset(),
        None,
        None,
        1,
        frozenset(),
    )
    table = read_module.register(con, "_r", read)
    table.close()
    assert table.table.num_columns == 0
    with pytest.raises(duckdb.Error):
        con.execute("select * from _r_src")
    load_module._malloc_trim()  # harmless wherever it runs


# ------------------------------------------------------------------------------ vectorised


def test_id_shape_chunk_by_chunk_is_id_shape_at_once() -> None:
    rng = random.Random(7)
    ids: list[str | None] = []
    for i in range(400):
        number = make_id(seq=f"{i % 1000:03d}")
        pick = rng.random()
        if pick < 0.1:
            number = with_bad_check(number)
        elif pick < 0.15:
            number = number[:17]
        elif pick < 0.2:
            number = number[:6] + "19991332" + number[14:]  # no real date
        elif pick < 0.25:
            number = number[:17] + "x"
        elif pick < 0.3:
            number = "１" + number[1:]  # 18 characters, not all ASCII
        ids.append(None if pick > 0.95 else number)
    cuts = sorted(rng.sample(range(1, 400), 9))
    pieces = [ids[a:b] for a, b in zip([0, *cuts], [*cuts, 400], strict=True)]
    chunked = pa.chunked_array([pa.array(p, pa.string()) for p in pieces])
    assert id_shape(chunked).to_pylist() == id_shape(pa.array(ids, pa.string())).to_pylist()
    assert id_shape(pa.chunked_array([], pa.string())).to_pylist() == []


def test_mixed_columns_convert_like_cell_by_cell() -> None:
    """Every type group (one cell or many, first or last, alone or mixed with text) gives the
    text and kind the cell-by-cell rules give."""

    class Text(str):
        pass

    pool: list[object] = [
        "text",
        "",
        Text("sub"),
        Text(""),
        None,
        1.0,
        -0.0,
        12.5,
        2.0**53,
        -(2.0**60),
        float("nan"),
        float("inf"),
        3.20102198503e17,
        7,
        True,
        False,
        dt.date(1, 1, 2),
        dt.date(1985, 3, 1),
        dt.date(9999, 12, 31),
        dt.datetime(2020, 1, 2),
        dt.datetime(2020, 1, 2, 8, 30),
        dt.time(8, 30),
        dt.timedelta(days=1),
    ]
    rng = random.Random(11)
    columns = [[value] for value in pool]  # each type alone, one cell
    columns += [[rng.choice(pool) for _ in range(rng.randint(1, 40))] for _ in range(200)]
    columns += [[1.0 * i for i in range(50)], [dt.date(2000, 1, 1 + i % 28) for i in range(50)]]
    for values in columns:
        raw, kinds = cells_to_arrow([[value] for value in values])
        expected = [None if v == "" else (v if type(v) is str else _cell_text(v)) for v in values]
        assert raw["c0"].type == pa.string()
        assert raw["c0"].to_pylist() == expected, values
        if all(isinstance(v, str) for v in values):  # text (a str subclass too): no kinds
            assert "k0" not in kinds
        else:
            assert kinds["k0"].to_pylist() == [_cell_kind(v) for v in values], values


def test_text_strings_only_for_text() -> None:
    assert arrow.text_strings(["a", "", "中"], empty_is_null=True).to_pylist() == ["a", None, "中"]
    assert arrow.text_strings(["a", 1.0]) is None
    assert arrow.text_strings(["a", None]) is None
    assert arrow.text_strings([]).to_pylist() == []


def test_one_of_sql_is_list_contains() -> None:
    con = duckdb.connect()
    for value in ["在岗", "借调", "其他", None, ""]:
        got = one(con, f"select {one_of_sql('x', ['在岗', '借调'])} from (select ? as x)", [value])
        assert got == one(con, "select list_contains(['在岗', '借调'], ?)", [value])


def test_workbook_with_every_cell_kind_loads_like_csv_text(tmp_path: Path) -> None:
    """A township sheet whose numbers and dates are Excel numbers/dates loads the same values
    as the same cells written as text (the whole-float and date groups of `_mixed_column`)."""
    as_text = Batch(townships=[TOWNSHIP_HEADER, *TOWNSHIP_ROWS])
    as_text.write(tmp_path / "text", fmt="xlsx")
    numbers = [[r[0], r[1], r[2], r[3], Num(float(r[4])), Num(float(r[5]))] for r in TOWNSHIP_ROWS]
    Batch(townships=[TOWNSHIP_HEADER, *numbers]).write(tmp_path / "numbers", fmt="xlsx")
    a, _ = load(tmp_path / "text")
    b, _ = load(tmp_path / "numbers")
    query = "select * exclude (file_name) from raw.townships order by row_number"
    assert rows(a, query) == rows(b, query)
    dated = [roster_row(birth=ExcelDate(dt.date(1990, 3, 7)))]
    Batch(roster=[ROSTER_HEADER, *dated]).write(tmp_path / "dated", fmt="xlsx")
    c, _ = load(tmp_path / "dated")
    assert one(c, "select birth_date from raw.roster") == dt.date(1990, 3, 7)
