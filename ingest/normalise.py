"""Normalise and type cell text over whole columns: text with Arrow kernels, dates and numbers
as SQL expressions evaluated by DuckDB.

Why vectorised: a province roster has millions of rows; per-row Python would cost seconds per
million. Text normalisation runs as Arrow kernels (one RE2 pass per column finds the rare cells
that need work; only those go through Python's `str.translate`), which measured several times
faster than DuckDB's `translate`/`trim` per cell. The SQL functions return expression strings
over column names they are given; none touches data itself.

Rules (contract "File formats"):
- text: full-width ASCII (U+FF01–FF5E, e.g. `０-９ Ａ-Ｚ （）`) folds to half-width, the
  ideographic space U+3000 and the no-break space to a space; then leading/trailing whitespace is
  trimmed; an empty result is NULL.
- dates: `2026-11-20`, `2026/11/20`, `2026.11.20`, `20261120`, `2026年11月20日`; month precision
  `1985.03`, `1985-03`, `1985/03`, `1985年3月` (taken as the 1st; `/` accepted like in full dates);
  a native Excel date (with or without time of day); an Excel serial number of five digits
  (10000–99999 = 1927-05-18 … 2173-10-14, optionally with a time fraction) — shorter numbers
  are far more likely a year or a typo than a serial, so they are row errors. An Excel *number*
  such as 1985.1 is ambiguous (Excel drops the trailing zero of `1985.10`), so it is a row error
  rather than a guess; typed as text, `1985.1` is January. Anything else is a row error, as is an
  impossible date (`2026-02-30`).
- integers: `12`, `12.0`, `"12"`, `１２`, `+12`; anything else is a row error.
- numbers: decimal notation only (`12.5`, `12`); no exponent, no thousands separators.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest import arrow

FULLWIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000\u00a0"
HALFWIDTH = "".join(chr(c) for c in range(0x21, 0x7F)) + "  "
TRIM_CHARS = " \t\r\n\x0b\x0c"
TOTALS_WORDS = ("合计", "总计", "小计")


FOLD_TABLE = str.maketrans(FULLWIDTH, HALFWIDTH)
#: A cell needs work when it starts or ends with whitespace or holds a full-width character.
_DIRTY = r"^[\s\x{3000}\x{a0}]|[\s\x{3000}\x{a0}]$|[\x{ff01}-\x{ff5e}\x{3000}\x{a0}]"


def fold_text(text: str) -> str:
    """One cell's normalised text ('' when blank) — the rule, in plain Python."""
    return text.translate(FOLD_TABLE).strip(TRIM_CHARS)


#: Bytes any dirty cell must contain (a superset of `_DIRTY`): ASCII whitespace and the UTF-8
#: lead bytes of U+00A0 (C2), U+3000 (E3) and the full-width block U+FF01–FF5E (EF).
_SUSPECT = np.zeros(256, dtype=bool)
_SUSPECT[[0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xC2, 0xE3, 0xEF]] = True
_NO_CELLS = np.zeros(0, dtype=np.int64)


def _candidate_cells(chunk: pa.Array) -> np.ndarray:
    """Indices of the cells whose UTF-8 bytes hold a suspect byte — every dirty cell is one.
    One numpy pass over the character data instead of a regex per cell: a column's few
    candidates (inner spaces, a title cell) are all the regex then has to look at."""
    if len(chunk) == 0 or chunk.buffers()[2] is None:
        return _NO_CELLS
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(chunk.buffers()[1], dtype=width)[
        chunk.offset : chunk.offset + len(chunk) + 1
    ]
    data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)
    low, high = int(offsets[0]), int(offsets[-1])
    hits = np.flatnonzero(_SUSPECT[data[low:high]])
    if len(hits) == 0:
        return _NO_CELLS
    return np.unique(np.searchsorted(offsets, hits + low, side="right") - 1)


def normalise_text(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Normalised text of a string column: folded, trimmed, blank → NULL (the latter only in a
    column that needed any folding or trimming, as before: '' from a csv's `""` otherwise
    stays)."""
    chunked = isinstance(column, pa.ChunkedArray)
    chunks = list(column.chunks) if chunked else [column]
    if not all(pa.types.is_string(c.type) or pa.types.is_large_string(c.type) for c in chunks):
        return _normalise_all(column)  # not plain string data: the regex over every cell
    dirty_cells: list[np.ndarray] = []
    for chunk in chunks:
        cells = _candidate_cells(chunk)
        if len(cells):
            found = pc.match_substring_regex(chunk.take(arrow.numbers(cells)), _DIRTY)
            cells = cells[_true(found)]
        dirty_cells.append(cells)
    if not any(len(cells) for cells in dirty_cells):
        return column
    out = []
    for chunk, cells in zip(chunks, dirty_cells, strict=True):
        if len(cells):
            fixed = [fold_text(v) for v in chunk.take(arrow.numbers(cells)).to_pylist()]
            chunk = _replace_cells(chunk, cells, arrow.strings(fixed).cast(chunk.type))
        if _has_empty_string(chunk):
            chunk = _empty_to_null(chunk)
        out.append(chunk)
    return pa.chunked_array(out, column.type) if chunked else out[0]


def _replace_cells(chunk: pa.Array, cells: np.ndarray, values: pa.Array) -> pa.Array:
    """`chunk` with the cells at the sorted indices `cells` replaced by `values`. A few cells:
    the untouched runs between them are sliced and concatenated (a memcpy);
    `replace_with_mask` rebuilds every cell and cost ~0.1 s per million for one change."""
    if len(cells) > 4096:
        mask = np.zeros(len(chunk), dtype=bool)
        mask[cells] = True
        return pc.replace_with_mask(chunk, arrow.booleans(mask), values)
    pieces: list[pa.Array] = []
    start = 0
    for k, cell in enumerate(cells.tolist()):
        pieces.append(chunk.slice(start, cell - start))
        pieces.append(values.slice(k, 1))
        start = cell + 1
    pieces.append(chunk.slice(start))
    return pa.concat_arrays(pieces)


def _true(mask: pa.Array) -> np.ndarray:
    """A boolean Arrow array as numpy, NULL as False (`fill_null(…, False)` without a scalar:
    `pa.scalar` imports pandas, see `ingest.arrow`)."""
    return arrow.to_bools(mask)


def _empty_to_null(chunk: pa.Array) -> pa.Array:
    """'' cells as NULL (like `if_else(equal(chunk, ''), None, chunk)`): a new validity bitmap
    over the same offsets and characters."""
    chunk = pc.take(chunk, arrow.numbers(np.arange(len(chunk))))  # offset 0, own buffers
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(chunk.buffers()[1], dtype=width)[: len(chunk) + 1]
    valid = (offsets[1:] != offsets[:-1]) & _true(pc.is_valid(chunk))
    bits = pa.py_buffer(np.packbits(valid, bitorder="little"))
    _, offsets_buffer, data = chunk.buffers()
    return pa.Array.from_buffers(chunk.type, len(chunk), [bits, offsets_buffer, data])


def _has_empty_string(chunk: pa.Array) -> bool:
    """Whether a string chunk holds a non-null '' (zero-length cells are mostly nulls)."""
    if len(chunk) == 0:
        return False
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(chunk.buffers()[1], dtype=width)[
        chunk.offset : chunk.offset + len(chunk) + 1
    ]
    empty = np.flatnonzero(offsets[1:] == offsets[:-1])
    return len(empty) > 0 and chunk.take(arrow.numbers(empty)).null_count < len(empty)


def _normalise_all(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    dirty = pc.fill_null(pc.match_substring_regex(column, _DIRTY), False)
    if pc.any(dirty).as_py():
        fixed = [fold_text(v) for v in pc.filter(column, dirty).to_pylist()]
        column = pc.replace_with_mask(column, dirty, arrow.strings(fixed))
        column = pc.if_else(pc.equal(column, ""), None, column)
    return column


def normalise_columns(columns: Sequence[pa.Array]) -> list[pa.Array]:
    """`normalise_text` over several columns, two at a time (Arrow kernels release the GIL)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(normalise_text, columns))


def lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def one_of_sql(text: str, values: Sequence[str]) -> str:
    """True when `text` is one of `values` (NULL when `text` is NULL), as `=` comparisons joined
    by `or`: DuckDB plans `list_contains([…], x)` and `x in (…)` as a hash (mark) join per
    column, which made the roster's typing statement ~20 % slower for lists of 3–6 words."""
    return "(" + " or ".join(f"{text} = {lit(v)}" for v in values) + ")"


def totals_sql(first_text: str) -> str:
    """True when the first non-empty cell says 合计 / 总计 / 小计 (inner spaces ignored)."""
    words = "[" + ", ".join(lit(w) for w in TOTALS_WORDS) + "]"
    return f"coalesce(list_contains({words}, replace({first_text}, ' ', '')), false)"


_ISO_DATE = r"\d{4}-\d{2}-\d{2}"
_FULL_DATE = r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
_CJK_DATE = r"\d{4}年\d{1,2}月\d{1,2}日"
_COMPACT_DATE = r"\d{8}"
_MONTH = r"\d{4}[-/.]\d{1,2}"
_CJK_MONTH = r"\d{4}年\d{1,2}月"
_SERIAL = r"\d{5}(\.\d+)?"
_AMBIGUOUS_NUMBER_MONTH = r"\d{4}\.\d"
_INTEGER = r"[+-]?\d+(\.0*)?"
_DECIMAL = r"[+-]?(\d+(\.\d*)?|\.\d+)"


def _match(text: str, pattern: str) -> str:
    return f"regexp_full_match({text}, {lit(pattern)})"


#: The text forms of a date (mutually exclusive, except that an ISO date is also a FULL one and
#: gives the same value either way), so their CASE branches may come in any order.
DATE_FORMS: tuple[str, ...] = ("iso", "full", "cjk", "compact", "month", "cjk_month", "serial")
_FORM_PATTERNS = {
    "iso": _ISO_DATE,
    "full": _FULL_DATE,
    "cjk": _CJK_DATE,
    "compact": _COMPACT_DATE,
    "month": _MONTH,
    "cjk_month": _CJK_MONTH,
    "serial": _SERIAL,
}
_FORM_REGEXES = {form: re.compile(p, re.ASCII) for form, p in _FORM_PATTERNS.items()}


def date_form_order(sample: Sequence[str | None]) -> tuple[str, ...]:
    """The date forms ordered by how often they occur in a sample of a column (ties in the
    default order): the CASE in `date_sql` then tests a column's usual form first — a month
    column such as `1999.07` paid five failing regexes per cell in the default order."""
    counts = dict.fromkeys(DATE_FORMS, 0)
    for value in sample:
        if value is None:
            continue
        for form, regex in _FORM_REGEXES.items():
            if regex.fullmatch(value):
                counts[form] += 1
    return tuple(sorted(DATE_FORMS, key=lambda form: -counts[form]))


def date_sql(text: str, kind: str | None, order: Sequence[str] = DATE_FORMS) -> str:
    """DATE from normalised text (NULL when it is no date); `kind` is the cell-kind column;
    `order` the order in which the (mutually exclusive) text forms are tested."""
    # `replace` twice, not regexp_replace(…, '[/.]', '-', 'g'): the same text, half the cost.
    dashed = f"replace(replace({text}, '/', '-'), '.', '-')"
    cjk = f"replace(replace(replace({text}, '年', '-'), '月', '-'), '日', '')"
    forms = {
        "iso": f"when {_match(text, _ISO_DATE)} then try_cast({text} as date)",
        "full": f"when {_match(text, _FULL_DATE)} then try_cast({dashed} as date)",
        "cjk": f"when {_match(text, _CJK_DATE)} then try_cast({cjk} as date)",
        "compact": f"when {_match(text, _COMPACT_DATE)} then try_strptime({text}, '%Y%m%d')::date",
        "month": f"when {_match(text, _MONTH)} then try_cast({dashed} || '-01' as date)",
        "cjk_month": f"when {_match(text, _CJK_MONTH)} then try_cast({cjk} || '01' as date)",
        "serial": f"when {_match(text, _SERIAL)} then "
        f"date '1899-12-30' + cast(floor(cast({text} as double)) as integer)",
    }
    branches = []
    if kind is not None:
        branches.append(f"when {kind} = 'd' then try_cast({text} as date)")
        branches.append(f"when {kind} = 'n' and {_match(text, _AMBIGUOUS_NUMBER_MONTH)} then null")
    branches += [forms[form] for form in order]
    return "case " + " ".join(branches) + " end"


def month_precision_sql(text: str, kind: str | None) -> str:
    """True when a date cell only gave year and month (so the day is not known)."""
    month = _match(text, f"{_MONTH}|{_CJK_MONTH}")  # one regex: full match of either form
    if kind is None:
        return f"coalesce({month}, false)"
    return f"coalesce({kind} is distinct from 'd' and {month}, false)"


def int_sql(text: str) -> str:
    """BIGINT from normalised text (NULL when it is no integer)."""
    return (
        f"case when {_match(text, _INTEGER)} "
        f"then try_cast(regexp_replace({text}, '\\.0*$', '') as bigint) end"
    )


def number_sql(text: str) -> str:
    """DOUBLE from normalised text in decimal notation (NULL otherwise)."""
    return f"case when {_match(text, _DECIMAL)} then try_cast({text} as double) end"
