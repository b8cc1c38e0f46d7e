"""Load landing batches into `raw.*` and the audit tables — the ingest entry point.

Why these rules:
- Batches load in date order. Every file of a batch is read and typed into temporary tables
  first, then the batch is written in one transaction: a batch is all or nothing in the
  connection (a file that cannot be read fails it before anything is written; earlier batches
  of the same call stay). Upstream, the run publishes all or nothing.
- A file's rows as read (its Arrow table) are released as soon as the file is typed, a big
  file's even while it is typed (`_free_as_typed`): the typed table keeps the cells of the rows
  with a row error for the quarantine, so nothing needs the Arrow data afterwards. Released
  outside the transaction on purpose: DuckDB keeps an object unregistered inside a
  transaction alive until the commit, and a 2 M-row roster's Arrow data is ~650 MiB.
- Idempotent: a batch already in `audit.batches` is skipped, so loading the same landing twice
  changes no table.
- No rewriting history: a new batch folder dated *before* the newest loaded batch raises
  `BatchOrderError` (an `UnreadableSourceError`, exit code 2) before anything is loaded; its
  carry-forward and the findings' first_seen would otherwise depend on arrival order. Remove the
  folder, or rebuild the warehouse from an empty one to load it in order.
- The first batch ever loaded must hold all four sources; every later batch must hold the
  roster. A source a later batch omits is carried forward: the rows of its latest earlier file are
  copied under the new batch_date (source_batch_date says where they came from), and the load
  report gets a row with carried_forward true, that file's name, zero counts and a message naming
  the batch it came from.
- rows_read = rows_loaded + rows_quarantined + rows_blank + rows_totals for every file, by
  construction (`ingest.typed`).
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.discover import batch_folders, source_files
from ingest.errors import BatchOrderError, UnreadableSourceError
from ingest.headers import HeaderMap, find_header
from ingest.identity import hmac_pads, id_shape
from ingest.normalise import lit
from ingest.read import CsvParts, CsvRestart, ReadFile, SourceTable, read_file, register
from ingest.schema import RAW_COLUMNS, ensure_schema, raw_column_names
from ingest.spec import SOURCES, SPECS, SourceSpec
from ingest.typed import rows_independent, typed_sql

HEADER_SCAN_ROWS = 100
#: A csv file of at least this many bytes, of a source whose rows are typed independently of
#: each other (the roster), is read and typed in parts of PART_ROWS rows (`CsvParts`).
PART_BYTES = 64 << 20
PART_ROWS = 256 * 1024

Read = ReadFile | CsvParts


@dataclass(frozen=True)
class SourceLoad:
    """What happened to one source of one batch (mirrors its `audit.load_report` row)."""

    batch_date: dt.date
    source: str
    file_name: str
    sheet: str | None
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rows_blank: int
    rows_totals: int
    carried_forward: bool
    message: str


@dataclass(frozen=True)
class LoadResult:
    """Batches loaded by one `load_landing` call (in date order) and per-file counts."""

    batches: tuple[dt.date, ...]
    files: tuple[SourceLoad, ...]

    def for_batch(self, batch_date: dt.date) -> dict[str, SourceLoad]:
        """source → SourceLoad of one batch."""
        return {f.source: f for f in self.files if f.batch_date == batch_date}


def load_landing(con: duckdb.DuckDBPyConnection, landing: Path, pii_key: bytes) -> LoadResult:
    """Load every batch folder under `landing` not yet in `audit.batches`, in date order.

    Creates the ingest tables where absent. Raises UnreadableSourceError (message names the
    file or batch and the problem) for unusable input, BatchOrderError for a batch older than
    the newest loaded one. The connection must not be inside a transaction.
    """
    landing = Path(landing)
    if not landing.is_dir():
        raise UnreadableSourceError(f"landing folder {landing} does not exist")
    ensure_schema(con)
    folders = batch_folders(landing)
    loaded = {r[0] for r in con.execute("select batch_date from audit.batches").fetchall()}
    pending = [d for d in folders if d not in loaded]
    if pending and loaded and pending[0] < max(loaded):
        older = ", ".join(str(d) for d in pending if d < max(loaded))
        raise BatchOrderError(
            f"batch folder(s) {older} in {landing} are older than the newest loaded batch "
            f"{max(loaded)}: loading them would rewrite history; remove them, or rebuild the "
            "warehouse from an empty one to load all batches in date order"
        )
    pads = hmac_pads(pii_key)
    results: list[SourceLoad] = []
    with _settings(con, enable_progress_bar=False, preserve_insertion_order=True):
        for batch_date in pending:
            results.extend(_load_batch(con, batch_date, folders[batch_date], landing, pads))
    return LoadResult(tuple(pending), tuple(results))


@contextlib.contextmanager
def _settings(con: duckdb.DuckDBPyConnection, **values: bool) -> Iterator[None]:
    """DuckDB settings for the duration of a block; each is restored to what it was.

    A load runs with no progress bar (it would land in the run's log on stdout) and with
    `preserve_insertion_order` on: a csv file's row numbers are the positions of its records
    in what DuckDB's reader returns, which is file order only with that setting (it is the
    database's, not the cursor's, so a caller's `false` would renumber the rows). Only the
    batch's writes run without it (`_load_batch`)."""
    names = ", ".join(f"current_setting('{name}')" for name in values)
    before = dict(zip(values, _fetch_one(con, f"select {names}"), strict=True))
    try:
        for name, value in values.items():
            con.execute(f"set {name} = {str(value).lower()}")
        yield
    finally:
        for name, value in before.items():
            con.execute(f"set {name} = {str(bool(value)).lower()}")


def _load_batch(
    con: duckdb.DuckDBPyConnection,
    batch_date: dt.date,
    folder: Path,
    landing: Path,
    pads: tuple[bytes, bytes],
) -> list[SourceLoad]:
    """One batch folder: read and type every file into temporary tables first (a file that
    cannot be read fails before anything is written), then write in one transaction."""
    files = source_files(folder)
    first = _fetch_one(con, "select count(*) from audit.batches")[0] == 0
    missing = [s for s in SOURCES if s not in files]
    if first and missing:
        raise UnreadableSourceError(
            f"batch {folder.name}: the first batch must contain all four sources; missing: "
            + ", ".join(f"{s} ({'/'.join(SPECS[s].keywords)})" for s in missing)
        )
    if "roster" not in files:
        raise UnreadableSourceError(
            f"batch {folder.name}: no roster file (a name containing 花名册 or roster); "
            "every batch must contain the roster"
        )
    loaded_at = dt.datetime.now().replace(microsecond=0)
    prepared: dict[str, PreparedFile] = {}
    try:
        with _read_ahead(con, files) as reads:
            for source in SOURCES:  # the order of the audit rows
                if source in files:
                    # `reads.pop`: no reference to the read file outlives its typing
                    prepared[source] = _prepare_file(
                        con, source, files[source], pads, reads.pop(source)
                    )
        results: list[SourceLoad] = []
        # every row carries its row number, and the reads are done: DuckDB may write the
        # rows in any order (`_write_file`)
        with _settings(con, preserve_insertion_order=False):
            con.begin()
            try:
                for source in SOURCES:
                    if source in prepared:
                        result = _write_file(con, batch_date, prepared[source], loaded_at)
                    else:
                        result = _carry_forward(con, batch_date, source, loaded_at)
                    results.append(result)
                con.execute(
                    "insert into audit.batches values ($d, $t, $dir)",
                    {"d": batch_date, "t": loaded_at, "dir": str(landing.resolve())},
                )
                con.commit()
            except BaseException:
                con.rollback()
                raise
    finally:
        for item in prepared.values():
            item.close(con)
    return results


def _insert_report(con: duckdb.DuckDBPyConnection, r: SourceLoad, loaded_at: dt.datetime) -> None:
    con.execute(
        "insert into audit.load_report values "
        "($d, $s, $f, $sheet, $read, $loaded, $q, $blank, $totals, $carried, false, $t, $msg)",
        {
            "d": r.batch_date,
            "s": r.source,
            "f": r.file_name,
            "sheet": r.sheet,
            "read": r.rows_read,
            "loaded": r.rows_loaded,
            "q": r.rows_quarantined,
            "blank": r.rows_blank,
            "totals": r.rows_totals,
            "carried": r.carried_forward,
            "t": loaded_at,
            "msg": r.message,
        },
    )


def _json_keys(header: HeaderMap, width: int) -> list[str]:
    """Unique JSON keys per file column: the header text as it arrived."""
    keys: list[str] = []
    seen: dict[str, int] = {}
    for i in range(width):
        label = header.labels[i] if i < len(header.labels) else ""
        key = label if label.strip() else f"column {i + 1}"
        if key in seen:
            seen[key] += 1
            key = f"{key} ({seen[key]})"
        else:
            seen[key] = 1
        keys.append(key)
    return keys


def _fetch_one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    """The single row of a query, fully consumed (DuckDB 2 refuses some calls, e.g. register,
    while a result is left half-read)."""
    return con.execute(sql).fetchall()[0]


@dataclass
class PreparedFile:
    """A source file typed into a temporary table, not yet written: `typed` (every row, typed
    and classified; the raw cells of the rows with a row error) and the counts of
    `audit.load_report`. Its Arrow table is already released."""

    source: str
    path: Path
    header: HeaderMap
    sheet: str | None
    encoding: str | None
    typed: str
    #: (file column, JSON key) of the quarantine's `raw`; None when no row is quarantined
    keys: list[tuple[int, str]] | None
    counts: tuple[int, int, int, int, int]  # read, loaded, quarantined, blank, totals

    def close(self, con: duckdb.DuckDBPyConnection) -> None:
        with contextlib.suppress(duckdb.Error):
            con.execute(f"drop table if exists {self.typed}")


@contextlib.contextmanager
def _read_ahead(
    con: duckdb.DuckDBPyConnection, files: dict[str, Path]
) -> Iterator[dict[str, Future[Read]]]:
    """Read the batch's files in two worker threads, the largest file first (one worker starts on
    it at once, the other reads the rest in the order the caller types them), while the caller
    types the files already read: reading is mostly calamine's or DuckDB's parse (both release
    the GIL) and some Python, typing is DuckDB, so they overlap. A file read in parts is only
    checked (and copied as UTF-8) here; its parts are read while it is typed. Each csv is
    parsed on its own cursor of `con` (a separate client context: cursors are not shared
    between threads), which stays open until the caller is done. A read error surfaces when
    the caller reaches that file, in the usual order; on the way out, reads not started are
    cancelled, running ones are waited for, and the copies of files the caller did not take
    (`reads.pop`) are removed."""
    largest = max(files, key=lambda s: _size(files[s]))
    order = [largest] + [s for s in SOURCES if s in files and s != largest]
    cursors: list[duckdb.DuckDBPyConnection] = []
    reads: dict[str, Future[Read]] = {}
    try:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="bianzhi-read") as pool:
            for source in order:
                cursor = con.cursor()
                cursors.append(cursor)
                cursor.execute("set enable_progress_bar = false")
                path, spec = files[source], SPECS[source]
                parts = _part_rows(spec, path)
                reads[source] = pool.submit(read_file, cursor, path, spec, parts, HEADER_SCAN_ROWS)
            try:
                yield reads
            finally:
                for future in reads.values():
                    future.cancel()
    finally:
        for future in reads.values():  # the pool is shut down: no read is running
            _close_unused(future)
        for cursor in cursors:
            cursor.close()


def _part_rows(spec: SourceSpec, path: Path) -> int | None:
    """PART_ROWS for a big csv file whose rows may be typed part by part, else None (whole)."""
    if path.suffix.lower() != ".csv" or not rows_independent(spec):
        return None
    return PART_ROWS if _size(path) >= PART_BYTES else None


def _close_unused(future: Future[Read]) -> None:
    """Remove the UTF-8 copy of a file read in parts that was never typed."""
    if future.done() and not future.cancelled() and future.exception() is None:
        read = future.result()
        if isinstance(read, CsvParts):
            read.close()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _prepare_file(
    con: duckdb.DuckDBPyConnection,
    source: str,
    path: Path,
    pads: tuple[bytes, bytes],
    read: Future[Read],
) -> PreparedFile:
    """Take one source file from `read`, find its header, type its rows into a temporary table
    and count them. The file's Arrow data is released before this returns: a big table while
    it is typed (`_free_as_typed`), a file read in parts part by part (`_type_parts`)."""
    spec = SPECS[source]
    name = f"_ingest_{source}"
    typed = f"{name}_typed"
    got = read.result()
    del read  # the future holds the read file: its table must be freeable while typed
    params = {"ipad": pads[0], "opad": pads[1]} if source == "roster" else None
    label = f"{path.parent.name}/{path.name}"
    try:
        if isinstance(got, CsvParts):
            parts = got
            del got
            try:
                header, width = _type_parts(con, spec, parts, name, typed, label, params)
            finally:
                parts.close()
            sheet, encoding = None, parts.encoding
        else:
            table = register(con, name, got)
            del got
            sheet, encoding, width = table.sheet, table.encoding, table.width
            if sheet is not None:
                label += f" (sheet {sheet})"
            header = _type_whole(con, spec, table, typed, label, params)
        counts = _fetch_one(
            con,
            f"select count(*), count(*) filter (is_data and reason is null), "
            f"count(*) filter (is_data and reason is not null), count(*) filter (is_blank), "
            f"count(*) filter (is_totals) from {typed}",
        )
        read_, ok, bad, blank, totals = (int(c) for c in counts)
        keys = _quarantine_keys(con, header, width, typed) if bad else None
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute(f"drop table if exists {typed}")
        raise
    return PreparedFile(
        source, path, header, sheet, encoding, typed, keys, (read_, ok, bad, blank, totals)
    )


def _type_whole(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    table: SourceTable,
    typed: str,
    label: str,
    params: dict[str, bytes] | None,
) -> HeaderMap:
    """Type a file read whole into `typed` with one statement; its header. The table is closed
    (released) when this returns."""
    try:
        header = find_header(spec, table.head(HEADER_SCAN_ROWS), label)
        _add_id_shape(spec, header, table)
        sql = typed_sql(spec, header, table, typed)
        big = _free_as_typed(table)
        con.execute(sql, params)
    finally:
        table.close()
    if big:
        _malloc_trim()
    return header


def _type_parts(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    parts: CsvParts,
    name: str,
    typed: str,
    label: str,
    params: dict[str, bytes] | None,
) -> tuple[HeaderMap, int]:
    """Type a file read in parts into `typed`, one statement per part (the first creates the
    table, the others append); (header, width). Again from the first part if the read had to
    restart (`CsvRestart`).

    The header is found in the first part (at least HEADER_SCAN_ROWS long). Which rows count
    ends at the file's last non-blank row, known only after the last part: each part is typed
    to its end and the trailing blank rows are deleted from `typed` afterwards."""

    def type_each_part() -> HeaderMap:
        header: HeaderMap | None = None
        last_row = 0  # the last non-blank row so far
        typed_through = 0  # the last row of the parts typed so far
        with contextlib.closing(iter(parts)) as each:  # an error stops the reading thread
            for part in each:
                last_row = max(last_row, part.last_row)
                typed_through = part.end_row
                table = register(con, name, part, through=typed_through)
                del part
                try:
                    first = header is None
                    if header is None:
                        header = find_header(spec, table.head(HEADER_SCAN_ROWS), label)
                    _add_id_shape(spec, header, table)
                    con.execute(typed_sql(spec, header, table, typed, append=not first), params)
                finally:
                    table.close()
        assert header is not None  # CsvParts gives at least one part
        if last_row < typed_through:
            con.execute(f"delete from {typed} where rn > {last_row}")
        return header

    try:
        header = type_each_part()
    except CsvRestart:
        con.execute(f"drop table if exists {typed}")
        header = type_each_part()
    _malloc_trim()  # the parts' Arrow data, see `_free_as_typed`
    return header, parts.source.width


def _add_id_shape(spec: SourceSpec, header: HeaderMap, table: SourceTable) -> None:
    """The roster's identity-number shape column (`ingest.identity.id_shape`)."""
    if spec.name == "roster":
        shapes = id_shape(table.text_column(header.columns["id_number"]))
        table.add_column("id_shape", shapes)


def _quarantine_keys(
    con: duckdb.DuckDBPyConnection, header: HeaderMap, width: int, typed: str
) -> list[tuple[int, str]]:
    """(file column, JSON key) of the quarantine's `raw`: the header text as it arrived; a
    headerless column only when a quarantined row holds data in it."""
    keys = _json_keys(header, width)
    labels = header.labels
    headerless = [i for i in range(width) if i >= len(labels) or not labels[i].strip()]
    used = set(range(width))
    if headerless:
        probe = ", ".join(f"count(cells[{i + 1}])" for i in headerless)
        filled = _fetch_one(con, f"select {probe} from {typed} where cells is not null")
        used -= {i for i, n in zip(headerless, filled, strict=True) if not n}
    return [(i, keys[i]) for i in sorted(used)]


#: A file's Arrow data of at least this many bytes is freed while it is typed, the heap trimmed
#: about every `TRIM_ROWS` rows read.
TRIM_BYTES = 64 << 20
TRIM_ROWS = 256 * 1024


def _free_as_typed(table: SourceTable) -> bool:
    """For a big file: register its Arrow table as a stream its typing statement reads once,
    freeing each record batch once read, and trim the heap as the scan goes; True when done so.

    Why: typing holds the file's text and its typed rows at once — for a 2 M-row roster
    ~650 MiB and ~530 MiB, the peak of a whole night at L. Freeing the batches is not enough:
    the text columns DuckDB parsed were allocated with glibc `malloc` (DuckDB's Arrow export),
    glibc keeps freed pages in its arenas, and the typed rows are DuckDB memory (its jemalloc),
    which cannot reuse them; `malloc_trim` hands them back to the OS (measured on the L roster:
    1.03 GB RSS after reading it, 0.81 GB once freed, 0.40 GB after a trim of 0.03 s). Not
    glibc (no `malloc_trim`): the batches are still freed, the RSS just stays."""
    if table.table.nbytes < TRIM_BYTES:
        return False
    table.stream(TRIM_ROWS, _malloc_trim)
    return True


def _malloc_trim() -> None:
    """glibc's `malloc_trim(0)`: free heap pages back to the OS (see `_free_as_typed`)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


def _write_file(
    con: duckdb.DuckDBPyConnection, batch_date: dt.date, p: PreparedFile, loaded_at: dt.datetime
) -> SourceLoad:
    """Write one prepared file's rows, quarantine and load-report row; returns its counts.

    Called with `preserve_insertion_order` off: keeping the typed table's order made DuckDB
    serialise part of the insert (L roster, 2 M rows: 3.3–4.0 s against 1.9–2.2 s, alternated).
    Nothing reads `raw.*` by physical order; the quarantine is written `order by rn`."""
    read, ok, bad, blank, totals = p.counts
    _insert_rows(con, batch_date, p.source, p.path.name, p.typed)
    if p.keys is not None:
        # whole and as they arrived: JSON header → cell text
        pairs = ", ".join(f"{lit(key)}, coalesce(cells[{i + 1}], '')" for i, key in p.keys)
        con.execute(
            "insert into audit.quarantine "
            f"select $d, $s, $f, $sheet, rn, reason, json_object({pairs})::varchar "
            f"from {p.typed} where cells is not null order by rn",
            {"d": batch_date, "s": p.source, "f": p.path.name, "sheet": p.sheet},
        )
    message = f"header at row {p.header.row_number}"
    if p.header.ignored:
        message += "; ignored columns: " + ", ".join(p.header.ignored)
    if p.encoding is not None:
        message += f"; encoding {p.encoding}"
    result = SourceLoad(
        batch_date, p.source, p.path.name, p.sheet, read, ok, bad, blank, totals, False, message
    )
    _insert_report(con, result, loaded_at)
    return result


def _insert_rows(
    con: duckdb.DuckDBPyConnection, batch_date: dt.date, source: str, file_name: str, typed: str
) -> None:
    columns = raw_column_names(source)
    values = ", ".join(f"v_{c}" for c, _ in RAW_COLUMNS[source])
    con.execute(
        f"insert into raw.{source} ({', '.join(columns)}) "
        f"select $d, $d, $f, rn, {values} from {typed} "
        "where is_data and reason is null",
        {"d": batch_date, "f": file_name},
    )


def _carry_forward(
    con: duckdb.DuckDBPyConnection, batch_date: dt.date, source: str, loaded_at: dt.datetime
) -> SourceLoad:
    """Copy the latest earlier file's rows of an omitted source under this batch_date."""
    found = con.execute(
        "select batch_date, file_name, sheet from audit.load_report "
        "where source = $s and batch_date < $d and not carried_forward "
        "order by batch_date desc limit 1",
        {"s": source, "d": batch_date},
    ).fetchall()
    if not found:
        raise UnreadableSourceError(
            f"batch {batch_date}: source {source} is missing and no earlier batch holds it"
        )
    origin, file_name, sheet = found[0]
    columns = raw_column_names(source)
    rest = ", ".join(columns[1:])
    con.execute(
        f"insert into raw.{source} ({', '.join(columns)}) "
        f"select $d, {rest} from raw.{source} where batch_date = $o order by row_number",
        {"d": batch_date, "o": origin},
    )
    message = f"carried forward from batch {origin} ({file_name}): not in this batch"
    result = SourceLoad(batch_date, source, file_name, sheet, 0, 0, 0, 0, 0, True, message)
    _insert_report(con, result, loaded_at)
    return result
