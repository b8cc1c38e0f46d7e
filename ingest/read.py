"""Read one source file into an Arrow table registered in DuckDB, one row per sheet row / csv
record: `rn` (1-based row number as a user sees it), `c0 … c{n-1}` (cell text as it arrived, NULL
for an empty cell), `t0 … t{n-1}` (the same text normalised: `ingest.normalise.normalise_text`)
and, for workbook columns holding non-text cells, `k{i}` (`n` = the cell was an Excel number,
`d` = a native Excel date; NULL = text).

Why cell *text* plus a kind flag: typing happens afterwards in SQL over whole columns (fast, one
code path for xlsx and csv), and the quarantine needs each row as it arrived. The kind flag keeps
what text alone would lose: an identity number that arrived as an Excel number is damaged, and a
date column's number may be an Excel serial. Text is normalised with Arrow kernels (several
times faster than DuckDB's `trim`/`translate` per cell), Python touching only the rare dirty cells.

xlsx: python-calamine (never openpyxl — about 10× slower); the sheet is the first visible
worksheet whose name contains the source's keyword, else the first visible worksheet; hidden and
very-hidden sheets are never read. Numbers are written without exponent
(`3.20102198503E+17` → `320102198503000000`, the digits Excel shows), native dates as ISO text.

csv: UTF-8 (BOM or not) is tried first — DuckDB's `read_csv` (all text, no header, explicit
columns, null-padding) validates it while parsing; a file that is not UTF-8 (its first lines are
checked in Python, so DuckDB's attempt is skipped for an obvious GB18030 file) is decoded as
GB18030 (a superset of GBK/GB2312), anything else is unreadable. DuckDB drops empty lines,
which would shift the row numbers a user sees, so a file with empty lines is rewritten with each
empty line as a lone `,` (a blank row) in a UTF-8 temporary copy; the copy is also what DuckDB
reads for GB18030 files (in /dev/shm when it has room). Limits: a row number is the csv
*record* number (what Excel shows on opening the file), which differs from the physical line
number only after a quoted value spanning lines; an empty line inside such a quoted value would
gain a `,`; cells to the right of the widest of the first records (no header) are dropped.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import io
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from ingest import arrow
from ingest.errors import UnreadableSourceError
from ingest.normalise import normalise_columns
from ingest.spec import SourceSpec

_EMPTY_LINE = re.compile(r"(?m)^(?=\r?\n)")
_EMPTY_LINE_BYTES = re.compile(rb"\n\r?\n")  # one literal prefix: a fast scan (not `\A…|…`)
_NOT_WHITESPACE = re.compile(rb"[^ \t\n\r\x0b\x0c]")
_WIDTH_SAMPLE_BYTES = 256 * 1024
BATCH_ROWS = 32 * 1024
MIN_BATCH_ROWS = 4 * 1024


def batch_rows(rows: int) -> int:
    """Rows per Arrow record batch of a registered table. DuckDB scans a registered table in
    parallel by record batch, so a 20,000-row sheet in one batch of BATCH_ROWS was typed by one
    thread; a quarter of the rows (at least MIN_BATCH_ROWS) lets both cores work on it."""
    return max(MIN_BATCH_ROWS, min(BATCH_ROWS, -(-rows // 4)))


#: What a closed SourceTable holds instead of its Arrow table.
_RELEASED = pa.Table.from_batches([], schema=pa.schema([]))


@dataclass
class SourceTable:
    """A source file as an Arrow table registered in DuckDB (see the module docstring)."""

    relation: str
    width: int
    kind_columns: frozenset[int]
    sheet: str | None
    encoding: str | None
    table: pa.Table
    con: duckdb.DuckDBPyConnection
    last_row: int
    #: columns whose normalised text is the raw text (nothing to fold or trim): registered once,
    #: `t{i}` is then an alias of `c{i}` (see `text_sql`) — DuckDB scans half the strings.
    same_text: frozenset[int] = frozenset()

    def text_sql(self, index: int) -> str:
        """Select-list item giving column `t{index}` from the registered relation."""
        return f"c{index} as t{index}" if index in self.same_text else f"t{index}"

    def text_column(self, index: int) -> pa.Array | pa.ChunkedArray:
        """The normalised text of one column (Arrow)."""
        prefix = "c" if index in self.same_text else "t"
        return self.table.column(f"{prefix}{index}")

    def sample_texts(self, index: int, rows: int = 500) -> list[str | None]:
        """Normalised text of one column in the first rows (to order date forms by frequency)."""
        return self.text_column(index).slice(0, rows).to_pylist()

    def head(self, rows: int) -> list[tuple[int, list[str | None]]]:
        """The first rows as (row number, raw cells) — for header detection."""
        top = self.table.slice(0, rows)
        numbers = top.column("rn").to_pylist()
        columns = [top.column(f"c{i}").to_pylist() for i in range(self.width)]
        return [(n, [col[r] for col in columns]) for r, n in enumerate(numbers)]

    def add_column(self, name: str, column: pa.Array) -> None:
        """Append a column computed from this table (e.g. identity-number checks)."""
        table = self.table.append_column(name, column)
        rows = batch_rows(table.num_rows)
        self.table = pa.Table.from_batches(table.to_batches(max_chunksize=rows))
        self.con.complete()
        self.con.register(self.relation, self.table)

    def stream(self, every_rows: int, on_rows: Callable[[], None]) -> None:
        """Register the table instead as a stream DuckDB reads once, record batch by record
        batch, and drop this object's reference to it: each batch is freed as soon as DuckDB
        is done with it, and `on_rows` is called (from DuckDB's scan) after about every
        `every_rows` rows handed over. For a statement that reads the relation once."""
        batches = self.table.to_batches()
        schema = self.table.schema
        self.table = _RELEASED
        batches.reverse()  # popped from the end: first batch first

        def handed_over() -> Iterator[pa.RecordBatch]:
            rows = 0
            while batches:
                batch = batches.pop()
                rows += batch.num_rows
                yield batch
                del batch
                if rows >= every_rows:
                    on_rows()
                    rows = 0

        self.con.complete()
        self.con.register(self.relation, pa.RecordBatchReader.from_batches(schema, handed_over()))

    def close(self) -> None:
        """Unregister the relation (best effort) and drop this object's reference to the Arrow
        table, so its buffers are freed as soon as nothing else holds them (the typed rows no
        longer need them). Closing twice is harmless."""
        self.table = _RELEASED
        try:
            self.con.unregister(self.relation)
        except duckdb.Error:
            pass


@dataclass
class ReadFile:
    """A source file read into Arrow, not yet registered (`register`): reading needs no
    connection but a cursor for csv parsing, so it can run ahead in another thread."""

    table: pa.Table
    width: int
    kind_columns: frozenset[int]
    sheet: str | None
    encoding: str | None
    last_row: int
    same_text: frozenset[int]


def register(con: duckdb.DuckDBPyConnection, name: str, read: ReadFile) -> SourceTable:
    """Register a read file as the relation `name_src` on `con`."""
    view = f"{name}_src"
    con.complete()  # DuckDB 2: register refuses while a caller's result is left half-read
    con.register(view, read.table)
    return SourceTable(
        view,
        read.width,
        read.kind_columns,
        read.sheet,
        read.encoding,
        read.table,
        con,
        read.last_row,
        read.same_text,
    )


def _assemble(
    raw: dict[str, pa.Array],
    kinds: dict[str, pa.Array],
    sheet: str | None,
    encoding: str | None,
) -> ReadFile:
    """Add normalised text columns and row numbers: the table to register."""
    width = len(raw)
    texts = normalise_columns([raw[f"c{i}"] for i in range(width)])
    rows = len(texts[0]) if texts else 0
    arrays = {"rn": arrow.numbers(np.arange(1, rows + 1, dtype=np.int32)), **raw}
    same_text = frozenset(i for i, t in enumerate(texts) if t is raw[f"c{i}"])
    arrays.update({f"t{i}": t for i, t in enumerate(texts) if i not in same_text})
    arrays.update(kinds)
    # DuckDB scans a registered Arrow table in parallel by record batch (see batch_rows).
    table = pa.Table.from_batches(pa.table(arrays).to_batches(max_chunksize=batch_rows(rows)))
    kind_columns = frozenset(int(k[1:]) for k in kinds)
    last_row = _last_non_blank(texts)
    return ReadFile(table, width, kind_columns, sheet, encoding, last_row, same_text)


def _last_non_blank(texts: Sequence[pa.Array]) -> int:
    """Row number of the last row with a non-blank cell (0 when none): trailing blank rows,
    e.g. formatted but empty rows at the bottom of a sheet, are no rows anyone sees as data."""
    last = 0
    for column in texts:
        if len(column) and column.null_count == 0 or last == len(column):
            return len(column)  # a column filled to the bottom (or already at it)
        filled = pc.indices_nonzero(pc.is_valid(column))
        if len(filled):
            last = max(last, filled[-1].as_py() + 1)
    return last


# ---------------------------------------------------------------------------------------- xlsx


def choose_sheet(metadata: Sequence[object], keywords: Sequence[str]) -> str | None:
    """First visible worksheet whose name contains a keyword, else the first visible one."""
    visible = [
        m.name  # type: ignore[attr-defined]
        for m in metadata
        if m.visible == SheetVisibleEnum.Visible  # type: ignore[attr-defined]
        and m.typ == SheetTypeEnum.WorkSheet  # type: ignore[attr-defined]
    ]
    for name in visible:
        if any(k.lower() in name.lower() for k in keywords):
            return name
    return visible[0] if visible else None


def number_text(value: float | int) -> str:
    """An Excel number as plain text without exponent (integral values without `.0`)."""
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return repr(value)
    if value.is_integer():
        if abs(value) < 2**53:
            return str(int(value))
        return str(int(Decimal(repr(value))))  # the shortest decimal Excel wrote, not 2-adic noise
    return format(Decimal(repr(value)), "f")


def _date_text(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    return value.isoformat()


def _cell_text(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, dt.date):
        return _date_text(value)
    return str(value)


def _cell_kind(value: object) -> str | None:
    return _kind_of_type(type(value))


def _kind_of_type(kind: type) -> str | None:
    """The cell kind of every value of one Python type (`n` number, `d` date, None text)."""
    if issubclass(kind, bool):
        return None
    if issubclass(kind, (int, float)):
        return "n"
    if issubclass(kind, dt.date):
        return "d"
    return None


_KIND_CODES = {None: 0, "n": 1, "d": 2}
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _mixed_column(values: Sequence[object]) -> tuple[pa.Array, pa.Array]:
    """Cell text (empty → NULL) and kind of a column holding non-text cells, with no Python
    loop over its cells: the cells are grouped by type (C-level `map`s into a numpy array),
    text cells are joined as usual, whole floats (序号, counts — the common number) and dates
    are written by Arrow's casts to string, every other value (date-times, fractions, booleans)
    through `_cell_text` once per distinct value; one `take` puts the groups back in row order.
    """
    count = len(values)
    cells = np.empty(count, dtype=object)
    cells[:] = values
    types = list(map(type, values))
    distinct = list(dict.fromkeys(types))
    group_of = {kind: g for g, kind in enumerate(distinct)}
    groups = np.fromiter(map(group_of.__getitem__, types), np.int32, count)
    kind_codes = np.array([_KIND_CODES[_kind_of_type(kind)] for kind in distinct], np.int8)
    kinds = arrow.codes_to_strings(kind_codes[groups], b"nd")
    parts: list[pa.Array] = []
    positions: list[np.ndarray] = []

    def add(rows: np.ndarray, texts: pa.Array) -> None:
        parts.append(texts)
        positions.append(rows)

    for g, kind in enumerate(distinct):
        rows = np.flatnonzero(groups == g)
        if kind is float:
            numbers = cells[rows].astype(np.float64)
            whole = (np.floor(numbers) == numbers) & (np.abs(numbers) < 2.0**53)
            if whole.any():
                integers = arrow.numbers(numbers[whole].astype(np.int64))
                add(rows[whole], pc.cast(integers, pa.string()))  # == str(int(value))
            rows = rows[~whole]
            if not len(rows):
                continue
        if kind is dt.date:  # native dates: ISO text by Arrow's date → string cast
            ordinals = np.fromiter(map(dt.date.toordinal, cells[rows]), np.int32, len(rows))
            days = ordinals - np.int32(_EPOCH_ORDINAL)
            dates = pa.Array.from_buffers(pa.date32(), len(days), [None, pa.py_buffer(days)])
            add(rows, pc.cast(dates, pa.string()))  # == value.isoformat()
            continue
        group = cells[rows].tolist()
        if kind is str:
            add(rows, arrow.strings(group, empty_is_null=True))
            continue
        try:
            memo = {value: _cell_text(value) for value in dict.fromkeys(group)}
            texts = list(map(memo.__getitem__, group))
        except TypeError:  # an unhashable value: one by one
            texts = [_cell_text(value) for value in group]
        add(rows, arrow.strings(texts, empty_is_null=True))
    if len(parts) == 1:
        return parts[0], kinds
    order = np.empty(count, dtype=np.int64)
    order[np.concatenate(positions)] = np.arange(count)
    return pa.concat_arrays(parts).take(arrow.numbers(order)), kinds


def cells_to_arrow(rows: Sequence[Sequence[object]]) -> tuple[dict[str, pa.Array], dict]:
    """Row-major calamine cells → raw text columns `c…` and kind columns `k…` (Arrow).

    Columns of text only (the bulk of a roster) go to Arrow in one join; only columns holding
    numbers or dates are converted (`_mixed_column`), kinds by type. Empty cells become NULL.
    """
    lengths = set(map(len, rows))
    width = max(lengths, default=0)
    if len(lengths) > 1:
        rows = [list(r) + [""] * (width - len(r)) for r in rows]
    raw: dict[str, pa.Array] = {}
    kinds: dict[str, pa.Array] = {}
    for index, values in enumerate(zip(*rows, strict=True) if rows else []):
        text = arrow.text_strings(values, empty_is_null=True)  # empty cell → NULL
        if text is None:  # a number, a date …
            text, kinds[f"k{index}"] = _mixed_column(values)
        raw[f"c{index}"] = text
    return raw, kinds


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Python's cyclic garbage collector paused (and restored as it was): building a sheet's
    cells allocates hundreds of thousands of containers, which trigger collections that walk
    the whole heap and find nothing (~10–20 % of reading a workbook)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_xlsx(
    con: duckdb.DuckDBPyConnection, path: Path, spec: SourceSpec, name: str
) -> SourceTable:
    """Read the source sheet of a workbook (see the module docstring)."""
    return register(con, name, read_xlsx_file(path, spec))


def read_xlsx_file(path: Path, spec: SourceSpec) -> ReadFile:
    """The source sheet of a workbook as Arrow (see the module docstring)."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own zip/xml/format errors
        raise UnreadableSourceError(
            f"{path.name}: not a readable xlsx workbook ({type(exc).__name__}: {exc})"
        ) from exc
    try:
        sheet = choose_sheet(workbook.sheets_metadata, spec.keywords)
        if sheet is None:
            raise UnreadableSourceError(f"{path.name}: the workbook has no visible worksheet")
        try:
            with _no_cyclic_gc():  # millions of acyclic cells: collections only cost time
                rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception as exc:
            raise UnreadableSourceError(
                f"{path.name}: sheet {sheet!r} cannot be read ({type(exc).__name__}: {exc})"
            ) from exc
    finally:
        workbook.close()
    with _no_cyclic_gc():
        raw, kinds = cells_to_arrow(rows)
    del rows
    return _assemble(raw, kinds, sheet, None)


# ----------------------------------------------------------------------------------------- csv


def decode_csv(data: bytes, file_name: str) -> tuple[str, str]:
    """The text of a csv file and its encoding: UTF-8 (BOM or not), else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise UnreadableSourceError(
                f"{file_name}: starts with a UTF-8 byte-order mark but is not valid UTF-8 ({exc})"
            ) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise UnreadableSourceError(
            f"{file_name}: cannot be decoded as UTF-8 or GB18030 ({exc})"
        ) from exc


def csv_width(sample: str) -> int:
    """Number of columns: the widest of the records in a sample from the top of the file."""
    width = 1
    try:
        for record in csv.reader(io.StringIO(sample)):
            width = max(width, len(record))
    except csv.Error:
        pass
    return width


def _sample_bytes(data: bytes) -> bytes:
    """The first whole lines of a file (up to 256 KiB; a line break never splits a character
    in UTF-8 or GB18030)."""
    sample = data[:_WIDTH_SAMPLE_BYTES]
    if len(data) > len(sample):
        sample = sample[: sample.rfind(b"\n") + 1] or sample
    return sample


def _sample_is_utf8(data: bytes) -> bool:
    """False when the first lines are no UTF-8 — then the file is not either, and DuckDB's
    UTF-8 attempt (0.2 s on a 300 MB GB18030 roster before it failed) is skipped."""
    try:
        _sample_bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _sample_text(data: bytes) -> str:
    """The first whole lines of a file, decoded leniently (only to count columns)."""
    sample = _sample_bytes(data)
    try:
        return sample.decode("utf-8-sig")
    except UnicodeDecodeError:
        return sample.decode("gb18030", errors="replace")


def _has_empty_line(data: bytes) -> bool:
    """An empty line: at the start (after a BOM) or between two line breaks (one regex scan,
    several times faster than `bytes.find` of the frequent `\\n`)."""
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    if data.startswith((b"\n", b"\r\n"), start):
        return True
    return _EMPTY_LINE_BYTES.search(data, start) is not None


def _copy_dir(size: int) -> str | None:
    """Where the UTF-8 copy of a `size`-byte file goes: /dev/shm (memory; writing a 400 MB copy
    to disk took ~0.8 s) when it has room for it with a margin, else the default temporary
    folder."""
    shm = "/dev/shm"
    try:
        free = shutil.disk_usage(shm).free
    except OSError:
        return None
    return shm if os.access(shm, os.W_OK) and free > 4 * size + (256 << 20) else None


_COPY_CHUNK = 16 << 20


def _write_utf8_copy(data: bytes, copy: Path, empty_lines: bool, file_name: str) -> str:
    """Write the file as UTF-8 to `copy` (each empty line as a lone `,` when `empty_lines`);
    returns the encoding found, by `decode_csv`'s rules and with its errors. GB18030 is decoded
    in pieces of ~16 MB cut after a line break (no GB18030 character holds the byte 0x0A, so the
    text is the same): a fraction of the memory of one decode, and the GIL is free between
    pieces for the thread typing the batch's other files."""

    def utf8(text: str) -> bytes:
        return (_EMPTY_LINE.sub(",", text) if empty_lines else text).encode("utf-8")

    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = decode_csv(data, file_name)  # utf-8-sig, or the BOM error
        copy.write_bytes(utf8(text))
        return encoding
    try:
        text = data.decode("utf-8")  # fails at the first non-UTF-8 byte (early for GB18030)
    except UnicodeDecodeError:
        pass
    else:
        copy.write_bytes(utf8(text))
        return "utf-8"
    view = memoryview(data)
    with copy.open("wb") as out:
        start = 0
        while start < len(data):
            cut = data.find(b"\n", start + _COPY_CHUNK)
            end = len(data) if cut < 0 else cut + 1
            try:
                text = str(view[start:end], "gb18030")
            except UnicodeDecodeError:
                decode_csv(data, file_name)  # raises the whole file's error, as before
                raise
            out.write(utf8(text))  # a piece starts at a line start, where `^` matches anyway
            start = end
    return "gb18030"


def _read_csv_sql(path: str, width: int, parallel: bool) -> str:
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    quoted = path.replace("'", "''")
    return (
        f"select * from read_csv('{quoted}', columns = {{{columns}}}, header = false, "
        "auto_detect = false, delim = ',', quote = '\"', escape = '\"', null_padding = true, "
        f"strict_mode = false, max_line_size = 16777216, parallel = {str(parallel).lower()})"
    )


def _duckdb_csv(con: duckdb.DuckDBPyConnection, path: str, width: int) -> pa.Table:
    """Parse a UTF-8 csv file with DuckDB into Arrow (file order kept)."""
    try:
        return con.sql(_read_csv_sql(path, width, parallel=True)).to_arrow_table()
    except duckdb.Error as exc:
        if "parallel" not in str(exc):
            raise
    return con.sql(_read_csv_sql(path, width, parallel=False)).to_arrow_table()


def read_csv(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> SourceTable:
    """Read a csv file (see the module docstring)."""
    return register(con, name, read_csv_file(con, path))


def read_csv_file(con: duckdb.DuckDBPyConnection, path: Path) -> ReadFile:
    """A csv file as Arrow, parsed by DuckDB on `con` (see the module docstring)."""
    data = path.read_bytes()
    if _NOT_WHITESPACE.search(data) is None:  # like `not data.strip()`, without the copy
        raise UnreadableSourceError(f"{path.name}: the file is empty (no header row found)")
    width = csv_width(_sample_text(data))
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    table: pa.Table | None = None
    empty_lines = _has_empty_line(data)
    if not empty_lines and _sample_is_utf8(data):
        try:
            table = _duckdb_csv(con, str(path), width)
        except duckdb.Error as exc:
            if "unicode" not in str(exc).lower():
                raise _unreadable_csv(path, exc) from exc
    if table is None:  # empty lines to keep, or not UTF-8: a normalised UTF-8 copy
        with tempfile.TemporaryDirectory(
            prefix="bianzhi-ingest-", dir=_copy_dir(len(data))
        ) as tmpdir:
            copy = Path(tmpdir) / "source.csv"
            encoding = _write_utf8_copy(data, copy, empty_lines, path.name)
            del data
            try:
                table = _duckdb_csv(con, str(copy), width)
            except duckdb.Error as exc:
                raise _unreadable_csv(path, exc) from exc
    raw = {f"c{i}": _plain_string(table.column(i)) for i in range(width)}  # chunks kept
    return _assemble(raw, {}, None, encoding)


def _plain_string(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """string / large_string as they come (string_view, if a connection produces it, cast)."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column
    return column.cast(pa.large_string())


def _unreadable_csv(path: Path, exc: Exception) -> UnreadableSourceError:
    first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return UnreadableSourceError(f"{path.name}: not a readable csv file ({first_line})")


def read_file(con: duckdb.DuckDBPyConnection, path: Path, spec: SourceSpec) -> ReadFile:
    """An .xlsx or .csv source file as Arrow; `con` (a cursor will do) parses csv."""
    if path.suffix.lower() == ".xlsx":
        return read_xlsx_file(path, spec)
    return read_csv_file(con, path)


def read_source(
    con: duckdb.DuckDBPyConnection, path: Path, spec: SourceSpec, name: str
) -> SourceTable:
    """Read an .xlsx or .csv source file into the relation `name…_src`."""
    return register(con, name, read_file(con, path, spec))
