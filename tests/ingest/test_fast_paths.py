"""The speed paths of ingest give exactly what the plain rules give: csv (GB18030 with quoted
cells, title rows), text normalisation by candidate cells, id_shape from byte offsets, date forms
in any order, xlsx columns converted once per distinct value."""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from ingest_builders import ROSTER_HEADER, Batch, load, make_id, one, roster_row, rows

from ingest import UnreadableSourceError, arrow
from ingest.identity import ID_CHECK, ID_WEIGHTS, id_shape
from ingest.normalise import DATE_FORMS, date_form_order, date_sql, fold_text, normalise_text
from ingest.read import _cell_kind, _cell_text, cells_to_arrow

# ------------------------------------------------------------------------------------- csv


@pytest.mark.parametrize("empty_line", [False, True])
def test_gb18030_csv_quoted_newline_and_comma_under_title_rows(
    tmp_path: Path, empty_line: bool
) -> None:
    """GB18030 bytes go through one decode into a UTF-8 copy that DuckDB parses; a quoted cell
    keeps its comma and line break, title rows stay above the header, row numbers are the csv
    record numbers (with and without an empty line, which takes the rewriting path)."""
    lines = [
        "XX县机构编制实名制人员花名册,,",
        "填报单位：县委编办　截至2026年11月20日",
        ",".join(ROSTER_HEADER),
        ",".join(roster_row(name="张三")),
        ",".join(roster_row(name='"李,四"', **{"职务": '"多行\r\n职务"'})),
        ",".join(roster_row(name="欧阳䶮", id_number=make_id(seq="124"))),
    ]
    if empty_line:
        lines.insert(4, "")
    text = "\r\n".join(lines) + "\r\n"
    folder = Batch().write(tmp_path)
    (folder / "人员花名册.csv").write_bytes(text.encode("gb18030"))
    con, result = load(tmp_path)
    shift = 1 if empty_line else 0
    got = rows(con, "select row_number, name, title from raw.roster order by 1")
    assert got == [
        (4, "张三", "科员"),
        (5 + shift, "李,四", "多行\r\n职务"),
        (6 + shift, "欧阳䶮", "科员"),
    ]
    roster = result.files[-1]
    assert "encoding gb18030" in roster.message and "header at row 3" in roster.message
    assert roster.rows_blank == shift
    assert roster.rows_read == 3 + shift


def test_utf8_csv_read_by_duckdb_directly_keeps_quoted_cells(tmp_path: Path) -> None:
    lines = [
        "人员花名册",
        ",".join(ROSTER_HEADER),
        ",".join(roster_row(name='" 王　五 "', **{"职务": '"a,b\nc"'})),
    ]
    folder = Batch().write(tmp_path)
    (folder / "人员花名册.csv").write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    con, result = load(tmp_path)
    assert (
        one(con, "select name || '|' || title from raw.roster") == "王 五|a,b\nc"
    )  # U+3000 folds to a space
    assert "encoding utf-8" in result.files[-1].message


# ------------------------------------------------------------------------ text normalisation

_DIRTY = re.compile(r"^[\t\n\f\r \u3000\xa0]|[\t\n\f\r \u3000\xa0]$|[\uff01-\uff5e\u3000\xa0]")


def _plain_normalise(values: list[str | None]) -> list[str | None]:
    """The rule cell by cell: dirty cells folded and trimmed; when the column had any dirty
    cell, every '' becomes NULL."""
    dirty = [v is not None and _DIRTY.search(v) is not None for v in values]
    out = [fold_text(v) if d else v for v, d in zip(values, dirty, strict=True)]
    if any(dirty):
        out = [None if v == "" else v for v in out]
    return out


CELLS = ["", " ", "a", " a", "a ", "　b", "Ａ１", "x y", "\xa0", None, "中文", " 中 ", "\t", "ｘ"]


@pytest.mark.parametrize("seed", range(5))
def test_normalise_text_matches_the_plain_rule(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(200):
        chunks = [
            pa.array([rng.choice(CELLS) for _ in range(rng.randint(0, 25))], pa.string())
            for _ in range(rng.randint(1, 3))
        ]
        column = pa.chunked_array(chunks, pa.string())
        expected = _plain_normalise(column.to_pylist())
        assert normalise_text(column).to_pylist() == expected
        first = chunks[0]
        if len(first) > 2:
            sliced = first.slice(1, len(first) - 2)
            assert normalise_text(sliced).to_pylist() == _plain_normalise(sliced.to_pylist())
        large = first.cast(pa.large_string())
        assert normalise_text(large).to_pylist() == _plain_normalise(first.to_pylist())


def test_normalise_many_dirty_cells_and_clean_column_untouched() -> None:
    values = [f" {i} " if i % 3 else str(i) for i in range(10_000)]
    assert normalise_text(pa.array(values)).to_pylist() == [str(i) for i in range(10_000)]
    clean = pa.array(["a", "", None])
    assert normalise_text(clean) is clean  # nothing to do: the very same array


# -------------------------------------------------------------------------------- id_shape


def _plain_shape(value: str | None) -> int:
    if value is None:
        return 0
    if len(value) != 18:  # code points (upper-casing maps one code point to one)
        return 1
    text = value[:17] + value[17].replace("x", "X")
    if not re.fullmatch(r"[0-9]{17}[0-9X]", text):
        return 2
    year, month, day = int(text[6:10]), int(text[10:12]), int(text[12:14])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)  # year 0000 included
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    if not (1 <= month <= 12 and 1 <= day <= days[month - 1]):
        return 2
    total = sum(int(c) * w for c, w in zip(text[:17], ID_WEIGHTS, strict=True))
    return 0 if ID_CHECK[total % 11] == text[17] else 3


@pytest.mark.parametrize("seed", range(3))
def test_id_shape_matches_the_plain_rule(seed: int) -> None:
    rng = random.Random(seed)
    bases = ["11010519491231002X", "110105194912310021", "11010519491231002x", "110105200002290011"]
    alphabet = "0123456789Xx ａ中ßſ-/"
    for _ in range(300):
        values: list[str | None] = []
        for _ in range(rng.randint(0, 12)):
            r = rng.random()
            if r < 0.15:
                values.append(None)
            elif r < 0.6:
                chars = list(rng.choice(bases))
                for _ in range(rng.randint(0, 2)):
                    chars[rng.randrange(18)] = rng.choice(alphabet)
                values.append("".join(chars))
            else:
                size = rng.choice([0, 17, 18, 18, 19])
                values.append("".join(rng.choice(alphabet) for _ in range(size)))
        array = pa.array(values, rng.choice([pa.string(), pa.large_string()]))
        expected = [_plain_shape(v) for v in values]
        assert id_shape(array).to_pylist() == expected
        if len(array) > 1:
            chunked = pa.chunked_array([array.slice(0, 1), array.slice(1)])
            assert id_shape(chunked).to_pylist() == expected
            assert id_shape(array.slice(1)).to_pylist() == expected[1:]


# ----------------------------------------------------------------------------------- dates

DATE_TEXTS = [
    "2026-11-20",
    "2026/11/20",
    "2026.1.2",
    "2026年11月20日",
    "20261120",
    "1985.03",
    "1985-3",
    "1985/03",
    "1985年3月",
    "45000",
    "45000.5",
    "1985.1",
    "2026-02-30",
    "2026-11-20 08:00",
    "abc",
    None,
    "1234",
    "202611201",
]


def test_date_forms_in_any_order_give_the_same_dates() -> None:
    con = duckdb.connect()
    con.execute("create table d (t varchar, k varchar)")
    con.executemany("insert into d values (?, ?)", [(t, None) for t in DATE_TEXTS])
    con.executemany("insert into d values (?, 'n')", [(t,) for t in DATE_TEXTS])
    expected = con.execute(f"select {date_sql('t', 'k')} from d").fetchall()
    rng = random.Random(1)
    for _ in range(10):
        order = list(DATE_FORMS)
        rng.shuffle(order)
        got = con.execute(f"select {date_sql('t', 'k', order)} from d").fetchall()
        assert got == expected


def test_date_form_order_puts_the_usual_form_first() -> None:
    assert date_form_order(["1999.07", "2001.12", None, "2003-01-05"])[:2] == ("month", "iso")
    assert date_form_order([]) == DATE_FORMS


# ------------------------------------------------------------------------------------ xlsx


def test_cells_to_arrow_converts_mixed_columns_like_cell_by_cell() -> None:
    cells: list[object] = [
        "text",
        "",
        1.0,
        1,
        True,
        False,
        3.20102198503e17,
        1985.1,
        dt.date(2020, 1, 2),
        dt.datetime(2020, 1, 2),
        dt.datetime(2020, 1, 2, 8, 30),
        dt.time(8, 30),
        dt.timedelta(days=1),
        float("nan"),
        -0.0,
        2.0**53,
        -12.0,
        1.0,
        dt.date(2020, 1, 2),
    ]
    rows_in = [["name", value] for value in cells]
    raw, kinds = cells_to_arrow(rows_in)
    expected_text = [None if v == "" else (v if type(v) is str else _cell_text(v)) for v in cells]
    assert raw["c1"].to_pylist() == expected_text
    assert kinds["k1"].to_pylist() == [_cell_kind(v) for v in cells]
    assert "k0" not in kinds and raw["c0"].to_pylist() == ["name"] * len(cells)


# ----------------------------------------------------------------------------------- arrow


@pytest.mark.parametrize(
    "values",
    [
        [],
        [""],
        ["a"],
        ["", "a", "", "中文", "𠮷", ""],
        ["x\x00y", "z"],  # a NUL character: the pa.array fallback
        ["a", None, ""],  # None: the pa.array fallback
        ["\ud800"],  # a lone surrogate cannot be encoded: pa.array's own error
    ],
)
@pytest.mark.parametrize("empty_is_null", [False, True])
def test_arrow_strings_like_pa_array(values: list, empty_is_null: bool) -> None:
    try:
        expected = pa.array(values, pa.string())
    except Exception as exc:  # noqa: BLE001 - whatever pa.array raises, strings raises too
        with pytest.raises(type(exc)):
            arrow.strings(values, empty_is_null)
        return
    if empty_is_null:
        expected = pa.array([None if v == "" else v for v in values], pa.string())
    got = arrow.strings(values, empty_is_null)
    got.validate(full=True)
    assert got.type == pa.string() and got.to_pylist() == expected.to_pylist()


def test_arrow_codes_bools_numbers() -> None:
    import numpy as np

    codes = arrow.codes_to_strings(np.array([0, 1, 2, 0, 1], dtype=np.int8), b"nd")
    codes.validate(full=True)
    assert codes.to_pylist() == [None, "n", "d", None, "n"]
    mask = pa.array([True, None, False, True, True, None, True, False, True, True])
    assert arrow.to_bools(mask.slice(1)).tolist() == [False, False, True, True, False] + [
        True,
        False,
        True,
        True,
    ]
    assert arrow.to_bools(pa.chunked_array([mask.slice(0, 2), mask.slice(2, 2)])).tolist() == [
        True,
        False,
        False,
        True,
    ]
    assert arrow.numbers(np.arange(3, dtype=np.int32)).to_pylist() == [0, 1, 2]
    assert arrow.to_ints(pa.array([5, 6, 7], pa.int32()).slice(1)).tolist() == [6, 7]
    assert arrow.booleans(np.array([True, False, True])).to_pylist() == [True, False, True]


def test_load_does_not_import_pandas(tmp_path: Path) -> None:
    """pandas costs 0.15-0.3 s to import; ingest builds its Arrow arrays without it."""
    import subprocess
    import sys

    Batch().write(tmp_path, fmt="xlsx")
    Batch().write(tmp_path, batch="2026-11-21", fmt="csv")
    code = (
        "import sys, duckdb, pathlib, ingest\n"
        f"ingest.load_landing(duckdb.connect(), pathlib.Path({str(tmp_path)!r}), b'k')\n"
        "assert 'pandas' not in sys.modules, 'pandas imported'\n"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


def test_read_ahead_reports_the_first_bad_file_in_order(tmp_path: Path) -> None:
    """Files are read ahead in a worker thread; the error is still the first file's in the
    order files are typed (townships before the roster), and nothing of the batch is loaded."""
    folder = Batch().write(tmp_path)
    (folder / "乡镇.csv").write_bytes("名称\n牛佛镇\n".encode())  # no header row
    (folder / "人员花名册.csv").write_bytes(b"")  # empty
    con = duckdb.connect()
    with pytest.raises(UnreadableSourceError, match=r"乡镇\.csv"):
        load(tmp_path, con)
    assert one(con, "select count(*) from raw.roster") == 0
    assert one(con, "select count(*) from audit.batches") == 0


@pytest.mark.parametrize("empty_line", [False, True])
def test_gb18030_copy_in_small_pieces_is_the_same_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty_line: bool
) -> None:
    """The GB18030 → UTF-8 copy is decoded piece by piece (cut after a line break); with
    pieces of a few bytes every cut lands somewhere else: the rows must not change."""
    from ingest import read

    monkeypatch.setattr(read, "PIECE_BYTES", 7)
    people = [f"欧阳{chr(0x4E00 + i)}" for i in range(12)]
    lines = ["XX县人员花名册", ",".join(ROSTER_HEADER)]
    lines += [
        ",".join(roster_row(name=p, id_number=make_id(seq=f"{i:03d}")))
        for i, p in enumerate(people)
    ]
    lines.insert(5, ",".join(roster_row(name='"李,四"', **{"职务": '"多行\n职务"'})))
    if empty_line:
        lines.insert(3, "")
    folder = Batch().write(tmp_path)
    (folder / "人员花名册.csv").write_bytes(("\n".join(lines) + "\n").encode("gb18030"))
    con, result = load(tmp_path)
    names = [r[0] for r in rows(con, "select name from raw.roster order by row_number")]
    assert names == people[:3] + ["李,四"] + people[3:]
    assert one(con, "select title from raw.roster where name = '李,四'") == "多行\n职务"
    assert "encoding gb18030" in result.files[-1].message
    assert result.files[-1].rows_blank == (1 if empty_line else 0)


def test_gb18030_error_in_a_later_piece_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest import read

    monkeypatch.setattr(read, "PIECE_BYTES", 7)
    good = "\n".join([",".join(ROSTER_HEADER), ",".join(roster_row())]) + "\n"
    folder = Batch().write(tmp_path)
    (folder / "人员花名册.csv").write_bytes(good.encode("gb18030") + b"\x81\x20\xff\xfe\n")
    with pytest.raises(UnreadableSourceError, match=r"人员花名册\.csv: cannot be decoded"):
        load(tmp_path)
