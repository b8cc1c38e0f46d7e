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

csv: UTF-8 (BOM or not) is tried first — DuckDB's `read_csv` (all text, no header, explicit columns,
null-padding) validates it while parsing; a file that is not UTF-8 (its first lines are checked in
Python, so DuckDB's attempt is skipped for an obvious GB18030 file) is decoded as GB18030 (a
superset of GBK/GB2312; `ingest.gb18030`), anything else is unreadable. DuckDB drops empty lines,
which would shift the row numbers a user sees, so a file with empty lines is rewritten with each
empty line as a lone `,` (a blank row) in a UTF-8 temporary copy; the copy is also what DuckDB reads
for GB18030 files (in /dev/shm when it has room). Limits: a row number is the csv *record* number
(what Excel shows on opening the file), which differs from the physical line number only after a
quoted value spanning lines; an empty line inside such a quoted value would gain a `,`; cells to the
right of the widest of the first records (no header) are dropped.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import queue
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from ingest import arrow, gb18030
from ingest.errors import UnreadableSourceError
from ingest.normalise import normalise_columns
from ingest.spec import SourceSpec
from orchestration.gc_policy import collection_paused

_EMPTY_LINE = re.compile(rb"(?m)^(?=\r?\n)")
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
    #: rows after this row number are not typed (trailing blank rows; a csv part: its last row)
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
    #: row number of the last row with a non-blank cell (0 when none)
    last_row: int
    same_text: frozenset[int]
    #: row number of the table's first row (a part of a csv read in parts starts further down)
    first_row: int = 1

    @property
    def end_row(self) -> int:
        """Row number of the table's last row (`first_row - 1` when it has none)."""
        return self.first_row + self.table.num_rows - 1


def register(
    con: duckdb.DuckDBPyConnection, name: str, read: ReadFile, through: int | None = None
) -> SourceTable:
    """Register a read file as the relation `name_src` on `con`; its rows after row `through`
    (default: the last non-blank row) are not typed."""
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
        read.last_row if through is None else through,
        read.same_text,
    )


def _assemble(
    raw: dict[str, pa.Array],
    kinds: dict[str, pa.Array],
    sheet: str | None,
    encoding: str | None,
    first_row: int = 1,
) -> ReadFile:
    """Add normalised text columns and row numbers (from `first_row`): the table to register."""
    width = len(raw)
    texts = normalise_columns([raw[f"c{i}"] for i in range(width)])
    rows = len(texts[0]) if texts else 0
    numbers = np.arange(first_row, first_row + rows, dtype=np.int32)
    arrays = {"rn": arrow.numbers(numbers), **raw}
    same_text = frozenset(i for i, t in enumerate(texts) if t is raw[f"c{i}"])
    arrays.update({f"t{i}": t for i, t in enumerate(texts) if i not in same_text})
    arrays.update(kinds)
    # DuckDB scans a registered Arrow table in parallel by record batch (see batch_rows).
    table = pa.Table.from_batches(pa.table(arrays).to_batches(max_chunksize=batch_rows(rows)))
    kind_columns = frozenset(int(k[1:]) for k in kinds)
    last = _last_non_blank(texts)
    last_row = first_row - 1 + last if last else 0
    return ReadFile(table, width, kind_columns, sheet, encoding, last_row, same_text, first_row)


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
            with collection_paused():  # a sheet's cells: collections were ~10–20 % of the read
                rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception as exc:
            raise UnreadableSourceError(
                f"{path.name}: sheet {sheet!r} cannot be read ({type(exc).__name__}: {exc})"
            ) from exc
    finally:
        workbook.close()
    with collection_paused():
        raw, kinds = cells_to_arrow(rows)
    del rows
    return _assemble(raw, kinds, sheet, None)


# ----------------------------------------------------------------------------------------- csv

_BOM = b"\xef\xbb\xbf"
#: A csv file is scanned, validated and copied in pieces of at least this many bytes, each cut
#: right after a line break (no UTF-8 or GB18030 character holds the byte 0x0A, so the pieces
#: decode to the text the whole file decodes to): the whole file is never in memory.
PIECE_BYTES = 16 << 20
#: A UTF-8 copy of a file of up to this many bytes goes to /dev/shm when it has room for it;
#: a bigger one to the default temporary folder (see `_copy_dir`).
SHM_COPY_MAX_BYTES = 512 << 20
#: DuckDB's csv read buffer. Its default grows with `max_line_size` (16 MiB here, so that a long
#: quoted cell still parses): 16 buffers of that were ~0.5 GiB of reader memory at any size of
#: file, and parsing was slower (L roster 0.9 s → 0.66 s).
CSV_BUFFER_BYTES = 32 << 20
#: The longest csv line DuckDB accepts (a long quoted cell still parses); at most the buffer.
MAX_LINE_BYTES = 16 << 20


def _bom_error(file_name: str, reason: str) -> UnreadableSourceError:
    return UnreadableSourceError(
        f"{file_name}: starts with a UTF-8 byte-order mark but is not valid UTF-8 ({reason})"
    )


def _undecodable(file_name: str, reason: str) -> UnreadableSourceError:
    return UnreadableSourceError(f"{file_name}: cannot be decoded as UTF-8 or GB18030 ({reason})")


def _decode_error(exc: UnicodeDecodeError, offset: int) -> str:
    """`str(exc)` of a piece's decoding error as decoding the whole text would have put it:
    positions counted from `offset`, where the piece starts."""
    start = exc.start + offset
    if exc.end - exc.start == 1:
        byte = exc.object[exc.start]
        return (
            f"'{exc.encoding}' codec can't decode byte 0x{byte:02x} in position {start}: "
            f"{exc.reason}"
        )
    end = exc.end + offset - 1
    return f"'{exc.encoding}' codec can't decode bytes in position {start}-{end}: {exc.reason}"


def csv_width(sample: str) -> int:
    """Number of columns: the widest of the records in a sample from the top of the file."""
    width = 1
    try:
        for record in csv.reader(io.StringIO(sample)):
            width = max(width, len(record))
    except csv.Error:
        pass
    return width


def _sample_text(path: Path) -> str:
    """The first whole lines of a file (up to 256 KiB; a line break never splits a character
    in UTF-8 or GB18030), decoded leniently (only to count columns)."""
    with path.open("rb") as f:
        data = f.read(_WIDTH_SAMPLE_BYTES + 1)
    sample = data[:_WIDTH_SAMPLE_BYTES]
    if len(data) > len(sample):
        sample = sample[: sample.rfind(b"\n") + 1] or sample
    try:
        return sample.decode("utf-8-sig")
    except UnicodeDecodeError:
        return sample.decode("gb18030", errors="replace")


def _pieces(path: Path) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) of a file in pieces of at least PIECE_BYTES, each cut right after a line
    break (the last one: the rest of the file)."""
    offset = 0
    with path.open("rb") as f:
        while piece := f.read(PIECE_BYTES):
            if not piece.endswith(b"\n"):
                piece += f.readline()
            yield offset, piece
            offset += len(piece)


def _has_empty_line(piece: bytes, start: int) -> bool:
    """An empty line in a piece that starts at a line start: at `start` (after a BOM) or
    between two line breaks (one regex scan, several times faster than `bytes.find` of the
    frequent `\\n`)."""
    if piece.startswith((b"\n", b"\r\n"), start):
        return True
    return _EMPTY_LINE_BYTES.search(piece, start) is not None


def _text_start(offset: int, piece: bytes) -> int:
    """Where a piece's text starts: after the BOM of a file's first piece."""
    return 3 if offset == 0 and piece.startswith(_BOM) else 0


def _scan(path: Path) -> tuple[str, bool]:
    """The encoding of a csv file and whether it has an empty line, in one pass over its pieces.

    `utf-8-sig` (a BOM; the rest must be UTF-8, else the BOM error), `utf-8` when every piece is
    UTF-8, else `gb18030` — the pass stops at the first piece that is no UTF-8 (for a GB18030
    file: the first), and the copy decodes the file (`_write_utf8_copy`), so its empty lines
    are found there (False here). A file of nothing but whitespace is empty."""
    encoding = "utf-8"
    empty_lines = False
    blank = True
    for offset, piece in _pieces(path):
        start = _text_start(offset, piece)
        if start:
            encoding = "utf-8-sig"
        blank = blank and _NOT_WHITESPACE.search(piece) is None
        empty_lines = empty_lines or _has_empty_line(piece, start)
        try:
            str(memoryview(piece)[start:], "utf-8")
        except UnicodeDecodeError as exc:
            if encoding == "utf-8-sig":  # positions as in the text after the BOM
                raise _bom_error(path.name, _decode_error(exc, offset + start - 3)) from exc
            return "gb18030", False
    if blank:
        raise UnreadableSourceError(f"{path.name}: the file is empty (no header row found)")
    return encoding, empty_lines


def _copy_dir(size: int) -> str | None:
    """Where the UTF-8 copy of a `size`-byte file goes: /dev/shm (writing a 400 MB copy there
    took 0.15 s, to disk 0.3–0.9 s) for a file of up to SHM_COPY_MAX_BYTES when it has room for
    it with a margin, else the default temporary folder. Why a cap: /dev/shm is memory even if
    it is in no process's RSS, and the copy lives while the file is typed — a 3.2 GB roster's
    copy would be ~4 GB of the machine's memory; on disk it is page cache the kernel can drop."""
    if size > SHM_COPY_MAX_BYTES:
        return None
    shm = "/dev/shm"
    try:
        free = shutil.disk_usage(shm).free
    except OSError:
        return None
    return shm if os.access(shm, os.W_OK) and free > 4 * size + (256 << 20) else None


def _write_utf8_copy(path: Path, copy: Path, encoding: str) -> None:
    """Write the file as UTF-8 to `copy` piece by piece (BOM dropped, each empty line as a lone
    `,`); a piece that is no GB18030 raises the whole file's error. UTF-8 was checked by
    `_scan` and is copied as it is; GB18030 is transcoded by `ingest.gb18030` (glibc's iconv,
    which leaves the GIL to the threads typing the batch's other files)."""
    with copy.open("wb") as out, contextlib.closing(gb18030.ToUtf8()) as transcoder:
        for offset, piece in _pieces(path):
            start = _text_start(offset, piece)
            if encoding == "gb18030":
                try:
                    data = transcoder.convert(piece)
                except UnicodeDecodeError as exc:
                    raise _undecodable(path.name, _decode_error(exc, offset)) from exc
            else:
                data = piece[start:] if start else piece
            if _has_empty_line(piece, start):  # a piece starts at a line start, where `^` matches
                data = _EMPTY_LINE.sub(b",", data)
            out.write(data)
            del data


@dataclass
class CsvInput:
    """What DuckDB parses of a csv file: the file itself (UTF-8 without empty lines) or its UTF-8
    copy in a temporary folder this object owns until `close`."""

    path: Path
    parsed: Path
    width: int
    encoding: str
    folder: tempfile.TemporaryDirectory[str] | None = None

    def close(self) -> None:
        """Remove the copy (if any). Closing twice is harmless."""
        if self.folder is not None:
            self.folder.cleanup()
            self.folder = None


def open_csv(path: Path) -> CsvInput:
    """Check a csv file's encoding and, where needed, write the UTF-8 copy DuckDB parses (see
    the module docstring) — in pieces, never holding the whole file."""
    encoding, empty_lines = _scan(path)
    width = csv_width(_sample_text(path))
    if encoding != "gb18030" and not empty_lines:
        return CsvInput(path, path, width, encoding)
    folder = tempfile.TemporaryDirectory(
        prefix="bianzhi-ingest-", dir=_copy_dir(path.stat().st_size)
    )
    copy = Path(folder.name) / "source.csv"
    try:
        _write_utf8_copy(path, copy, encoding)
    except BaseException:
        folder.cleanup()
        raise
    return CsvInput(path, copy, width, encoding, folder)


def _read_csv_sql(path: str, width: int, parallel: bool) -> str:
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    quoted = path.replace("'", "''")
    return (
        f"select * from read_csv('{quoted}', columns = {{{columns}}}, header = false, "
        "auto_detect = false, delim = ',', quote = '\"', escape = '\"', null_padding = true, "
        f"strict_mode = false, max_line_size = {MAX_LINE_BYTES}, buffer_size = {CSV_BUFFER_BYTES}, "
        f"parallel = {str(parallel).lower()})"
    )


def _needs_serial(exc: Exception) -> bool:
    """DuckDB's parallel reader refuses null-padding with a quoted line break (where it finds
    one): the file must be read by its serial reader."""
    return "parallel" in str(exc)


def _duckdb_csv(con: duckdb.DuckDBPyConnection, path: str, width: int) -> pa.Table:
    """Parse a UTF-8 csv file with DuckDB into Arrow (file order kept)."""
    try:
        return con.sql(_read_csv_sql(path, width, parallel=True)).to_arrow_table()
    except duckdb.Error as exc:
        if not _needs_serial(exc):
            raise
    return con.sql(_read_csv_sql(path, width, parallel=False)).to_arrow_table()


def read_csv(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> SourceTable:
    """Read a csv file (see the module docstring)."""
    return register(con, name, read_csv_file(con, path))


def read_csv_file(con: duckdb.DuckDBPyConnection, path: Path) -> ReadFile:
    """A csv file as one Arrow table, parsed by DuckDB on `con` (see the module docstring)."""
    source = open_csv(path)
    try:
        table = _duckdb_csv(con, str(source.parsed), source.width)
    except duckdb.Error as exc:
        raise _unreadable_csv(path, exc) from exc
    finally:
        source.close()
    return _csv_table(table, source, 1)


def _csv_table(table: pa.Table, source: CsvInput, first_row: int) -> ReadFile:
    """DuckDB's columns of (a part of) a csv file, normalised and numbered from `first_row`."""
    raw = {f"c{i}": _plain_string(table.column(i)) for i in range(source.width)}  # chunks kept
    del table
    return _assemble(raw, {}, None, source.encoding, first_row)


def _plain_string(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """string / large_string as they come (string_view, if a connection produces it, cast)."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column
    return column.cast(pa.large_string())


def _unreadable_csv(path: Path, exc: Exception) -> UnreadableSourceError:
    first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return UnreadableSourceError(f"{path.name}: not a readable csv file ({first_line})")


class CsvRestart(Exception):
    """A csv file read in parts must be typed again from its first part: DuckDB's parallel
    reader gave up on it after some parts (`_needs_serial`); `CsvParts` now reads serially."""


_END = object()


class CsvParts:
    """A big csv file read in parts of about `part_rows` rows, each a `ReadFile` numbered where
    it starts in the file, for a source whose rows are typed independently of each other.

    Why: reading a 20 M-row roster whole held its bytes, its text and its Arrow table at once
    (8 GiB, plus a 4 GB copy in /dev/shm). DuckDB streams record batches of the (copied) file;
    a producer thread normalises them into parts and hands them over through a queue of one, so
    the next part is parsed and normalised while the caller types the last one, and no more
    than ~3 parts are in memory. Iterate once per typing attempt (again after `CsvRestart`);
    `close` removes the copy."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        source: CsvInput,
        part_rows: int,
        head_rows: int = 0,
    ):
        self.con = con
        self.source = source
        self.part_rows = max(1, part_rows)
        #: the first part holds at least this many rows (the header is looked for in them)
        self.head_rows = head_rows
        self.parallel = True

    @property
    def encoding(self) -> str:
        return self.source.encoding

    def __iter__(self) -> Iterator[ReadFile]:
        handoff: queue.Queue[object] = queue.Queue(maxsize=1)
        stop = threading.Event()
        producer = threading.Thread(
            target=self._produce, args=(handoff, stop), name="bianzhi-csv-parts", daemon=True
        )
        producer.start()
        try:
            while (item := handoff.get()) is not _END:
                if isinstance(item, BaseException):
                    raise item
                yield item  # type: ignore[misc]
        finally:
            stop.set()
            while producer.is_alive():  # unblock a producer waiting to hand over a part
                with contextlib.suppress(queue.Empty):
                    handoff.get_nowait()
                producer.join(0.05)

    def _produce(self, handoff: queue.Queue[object], stop: threading.Event) -> None:
        """The producer thread: every part, then `_END` — or the error that ended the read."""

        def hand_over(item: object) -> bool:
            while not stop.is_set():
                with contextlib.suppress(queue.Full):
                    handoff.put(item, timeout=0.1)
                    return True
            return False

        try:
            for part in self._parts():
                if not hand_over(part):
                    return
                del part
            hand_over(_END)
        except BaseException as exc:  # handed to the consumer, raised there
            hand_over(exc)

    def _parts(self) -> Iterator[ReadFile]:
        source = self.source
        sql = _read_csv_sql(str(source.parsed), source.width, self.parallel)
        first_row = 1
        pending: list[pa.RecordBatch] = []
        rows = 0
        try:
            reader = self.con.sql(sql).to_arrow_reader(self.part_rows)
            for batch in reader:
                pending.append(batch)
                rows += batch.num_rows
                if rows >= max(self.part_rows, self.head_rows if first_row == 1 else 0):
                    yield _csv_table(pa.Table.from_batches(pending), source, first_row)
                    first_row += rows
                    pending, rows = [], 0
            if pending or first_row == 1:  # the rest; an empty file still gives one part
                yield _csv_table(pa.Table.from_batches(pending, reader.schema), source, first_row)
        except (duckdb.Error, OSError) as exc:
            # DuckDB's error reaches an Arrow reader as pyarrow's OSError (no errno); an OSError
            # with an errno is the machine's (disk full, …) and is not the file's fault
            if isinstance(exc, OSError) and exc.errno is not None:
                raise
            if self.parallel and _needs_serial(exc):
                self.parallel = False
                raise CsvRestart(str(exc)) from exc
            raise _unreadable_csv(source.path, exc) from exc

    def close(self) -> None:
        """Remove the UTF-8 copy (if any)."""
        self.source.close()


def read_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    spec: SourceSpec,
    part_rows: int | None = None,
    head_rows: int = 0,
) -> ReadFile | CsvParts:
    """An .xlsx or .csv source file as Arrow; `con` (a cursor will do) parses csv. With
    `part_rows`, a csv file is prepared to be read in parts of that many rows (`CsvParts`; the
    first one at least `head_rows` long)."""
    if path.suffix.lower() == ".xlsx":
        return read_xlsx_file(path, spec)
    if part_rows is not None:
        return CsvParts(con, open_csv(path), part_rows, head_rows)
    return read_csv_file(con, path)


def read_source(
    con: duckdb.DuckDBPyConnection, path: Path, spec: SourceSpec, name: str
) -> SourceTable:
    """Read an .xlsx or .csv source file (whole) into the relation `name…_src`."""
    read = read_file(con, path, spec)
    assert isinstance(read, ReadFile)
    return register(con, name, read)
