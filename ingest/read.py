"""Read one source file into a DuckDB relation of raw cell text, one row per sheet row / csv
record: `rn` (1-based row number as a user sees it), `c0 … c{n-1}` (cell text as it arrived,
NULL for an empty cell) and, for workbook columns holding non-text cells, `k{i}` (`n` = the cell
was an Excel number, `d` = a native Excel date; NULL = text).

Why cell *text* plus a kind flag: typing happens afterwards in SQL over whole columns (fast, one
code path for xlsx and csv), and the quarantine needs each row as it arrived. The kind flag keeps
what text alone would lose: an identity number that arrived as an Excel number is damaged, and a
date column's number may be an Excel serial.

xlsx: python-calamine (never openpyxl — about 10× slower); the sheet is the first visible
worksheet whose name contains the source's keyword, else the first visible worksheet; hidden and
very-hidden sheets are never read. Numbers are written without exponent
(`3.20102198503E+17` → `320102198503000000`, the digits Excel shows), native dates as ISO text.

csv: the bytes are decoded as UTF-8 (BOM or not) and, failing that, as GB18030 (a superset of
GBK/GB2312); anything else is unreadable. DuckDB's `read_csv` (all text, no header, explicit
columns, null-padding) parses it. DuckDB drops empty lines, which would shift the row numbers a
user sees, so an empty line is rewritten as a lone `,` (a blank row) in a UTF-8 temporary copy;
the copy is also what DuckDB reads for GB18030 files. Limits: a row number is the csv *record*
number (what Excel shows on opening the file), which differs from the physical line number only
after a quoted value spanning lines; an empty line inside such a quoted value would gain a `,`;
cells to the right of the widest of the first records (no header) are dropped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from ingest.errors import UnreadableSourceError
from ingest.spec import SourceSpec

_EMPTY_LINE = re.compile(r"(?m)^(?=\r?\n)")
_WIDTH_SAMPLE_CHARS = 256 * 1024


@dataclass
class SourceTable:
    """A source file as a DuckDB relation of raw cell text (see the module docstring)."""

    relation: str
    width: int
    kind_columns: frozenset[int]
    sheet: str | None
    encoding: str | None
    _cleanup: list[Callable[[], None]] = field(default_factory=list, repr=False)
    _keep: object = field(default=None, repr=False)

    def close(self) -> None:
        """Drop the temporary objects behind the relation (best effort: after a failed
        statement the transaction is rolled back, which drops them anyway)."""
        while self._cleanup:
            step = self._cleanup.pop()
            try:
                step()
            except duckdb.Error:
                pass


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
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return "n"
    if isinstance(value, dt.date):
        return "d"
    return None


def cells_to_arrow(rows: Sequence[Sequence[object]]) -> tuple[pa.Table, frozenset[int]]:
    """Row-major calamine cells → an Arrow table `rn, c0…, k…` (see the module docstring).

    Columns of text only (the bulk of a roster) pass through untouched; only columns holding
    numbers or dates are converted cell by cell.
    """
    width = max((len(r) for r in rows), default=0)
    if any(len(r) != width for r in rows):
        rows = [list(r) + [""] * (width - len(r)) for r in rows]
    arrays: dict[str, pa.Array] = {"rn": pa.array(range(1, len(rows) + 1), pa.int32())}
    kinds: dict[str, pa.Array] = {}
    for index, values in enumerate(zip(*rows, strict=True) if rows else []):
        if set(map(type, values)) <= {str}:
            text: Sequence[str | None] = values
        else:
            text = [v if type(v) is str else _cell_text(v) for v in values]
            kinds[f"k{index}"] = pa.array([_cell_kind(v) for v in values], pa.string())
        arrays[f"c{index}"] = pa.array(text, pa.string())
    arrays.update(kinds)
    kind_columns = frozenset(int(k[1:]) for k in kinds)
    return pa.table(arrays), kind_columns


def read_xlsx(
    con: duckdb.DuckDBPyConnection, path: Path, spec: SourceSpec, name: str
) -> SourceTable:
    """Read the source sheet of a workbook (see the module docstring)."""
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
            rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception as exc:
            raise UnreadableSourceError(
                f"{path.name}: sheet {sheet!r} cannot be read ({type(exc).__name__}: {exc})"
            ) from exc
    finally:
        workbook.close()
    table, kind_columns = cells_to_arrow(rows)
    del rows
    view = f"{name}_arrow"
    con.complete()  # DuckDB 2: register refuses while a caller's result is left half-read
    con.register(view, table)
    width = table.num_columns - 1 - len(kind_columns)
    source = SourceTable(view, width, kind_columns, sheet, None, _keep=table)
    source._cleanup.append(lambda: con.unregister(view))
    return source


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


def csv_width(text: str) -> int:
    """Number of columns: the widest of the first records."""
    sample = text[:_WIDTH_SAMPLE_CHARS]
    if len(text) > len(sample):
        sample = sample[: sample.rfind("\n") + 1] or sample
    width = 1
    try:
        for record in csv.reader(io.StringIO(sample)):
            width = max(width, len(record))
    except csv.Error:
        pass
    return width


def _read_csv_sql(path: str, width: int, parallel: bool) -> str:
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    quoted = path.replace("'", "''")
    return (
        f"select * from read_csv('{quoted}', columns = {{{columns}}}, header = false, "
        "auto_detect = false, delim = ',', quote = '\"', escape = '\"', null_padding = true, "
        f"strict_mode = false, max_line_size = 16777216, parallel = {str(parallel).lower()})"
    )


def read_csv(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> SourceTable:
    """Read a csv file (see the module docstring)."""
    data = path.read_bytes()
    text, encoding = decode_csv(data, path.name)
    if not text.strip():
        raise UnreadableSourceError(f"{path.name}: the file is empty (no header row found)")
    width = csv_width(text)
    cleanup: list[Callable[[], None]] = []
    read_path = str(path)
    needs_copy = encoding == "gb18030" or _EMPTY_LINE.search(text) is not None
    if needs_copy:
        tmpdir = tempfile.TemporaryDirectory(prefix="bianzhi-ingest-")
        copy = Path(tmpdir.name) / "source.csv"
        copy.write_text(_EMPTY_LINE.sub(",", text), encoding="utf-8", newline="")
        read_path = str(copy)
        cleanup.append(tmpdir.cleanup)
    del data, text
    loaded = f"{name}_csv"
    try:
        try:
            sql = _read_csv_sql(read_path, width, parallel=True)
            con.execute(f"create or replace temp table {loaded} as {sql}")
        except duckdb.Error as exc:
            if "parallel" not in str(exc):
                raise
            sql = _read_csv_sql(read_path, width, parallel=False)
            con.execute(f"create or replace temp table {loaded} as {sql}")
    except duckdb.Error as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UnreadableSourceError(f"{path.name}: not a readable csv file ({first_line})") from exc
    finally:
        for step in reversed(cleanup):
            step()
    table = f"{name}_rows"
    try:
        con.execute(
            f"create or replace temp table {table} as "
            f"select (row_number() over (order by rowid))::INTEGER as rn, * from {loaded}"
        )
    finally:
        con.execute(f"drop table if exists {loaded}")
    source = SourceTable(table, width, frozenset(), None, encoding)
    source._cleanup.append(lambda: con.execute(f"drop table if exists {table}"))
    return source


def read_source(
    con: duckdb.DuckDBPyConnection, path: Path, spec: SourceSpec, name: str
) -> SourceTable:
    """Read an .xlsx or .csv source file into the relation `name…`."""
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(con, path, spec, name)
    return read_csv(con, path, name)
