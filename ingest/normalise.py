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

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pyarrow.compute as pc

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


#: UTF-8 bytes any dirty cell must contain (a superset of `_DIRTY`): ASCII whitespace, the lead
#: bytes of U+3000 and U+00A0, and of the full-width block U+FF00–FF7F.
_SUSPECT_BYTES = (
    b" ",
    b"\t",
    b"\n",
    b"\r",
    b"\x0b",
    b"\x0c",
    b"\xe3\x80\x80",
    b"\xc2\xa0",
    b"\xef\xbc",
    b"\xef\xbd",
)


def _may_be_dirty(column: pa.Array) -> bool:
    """False when no cell of the column can need folding or trimming: its character data holds
    none of the bytes a dirty cell needs (memchr-speed `in` checks instead of a regex per cell;
    a column with only inner spaces, say, still takes the regex path)."""
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return True
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    for chunk in chunks:
        data = chunk.buffers()[2]
        if data is None:
            continue
        raw = data.to_pybytes()
        if any(b in raw for b in _SUSPECT_BYTES):
            return True
    return False


def normalise_text(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Normalised text of a string column: folded, trimmed, blank → NULL."""
    if isinstance(column, pa.ChunkedArray):  # chunk by chunk: no copy into one array first
        if not _may_be_dirty(column):
            return column
        return pa.chunked_array([normalise_text(c) for c in column.chunks], column.type)
    if not _may_be_dirty(column):
        return column
    dirty = pc.fill_null(pc.match_substring_regex(column, _DIRTY), False)
    if pc.any(dirty).as_py():
        fixed = [fold_text(v) for v in pc.filter(column, dirty).to_pylist()]
        column = pc.replace_with_mask(column, dirty, pa.array(fixed, pa.string()))
        column = pc.if_else(pc.equal(column, ""), None, column)
    return column


def normalise_columns(columns: Sequence[pa.Array]) -> list[pa.Array]:
    """`normalise_text` over several columns, two at a time (Arrow kernels release the GIL)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(normalise_text, columns))


def lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


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


def date_sql(text: str, kind: str | None) -> str:
    """DATE from normalised text (NULL when it is no date); `kind` is the cell-kind column."""
    dashed = f"regexp_replace({text}, '[/.]', '-', 'g')"
    cjk = f"replace(replace(replace({text}, '年', '-'), '月', '-'), '日', '')"
    branches = []
    if kind is not None:
        branches.append(f"when {kind} = 'd' then try_cast({text} as date)")
        branches.append(f"when {kind} = 'n' and {_match(text, _AMBIGUOUS_NUMBER_MONTH)} then null")
    branches += [
        f"when {_match(text, _ISO_DATE)} then try_cast({text} as date)",  # the common case first
        f"when {_match(text, _FULL_DATE)} then try_cast({dashed} as date)",
        f"when {_match(text, _CJK_DATE)} then try_cast({cjk} as date)",
        f"when {_match(text, _COMPACT_DATE)} then try_strptime({text}, '%Y%m%d')::date",
        f"when {_match(text, _MONTH)} then try_cast({dashed} || '-01' as date)",
        f"when {_match(text, _CJK_MONTH)} then try_cast({cjk} || '01' as date)",
        f"when {_match(text, _SERIAL)} then "
        f"date '1899-12-30' + cast(floor(cast({text} as double)) as integer)",
    ]
    return "case " + " ".join(branches) + " end"


def month_precision_sql(text: str, kind: str | None) -> str:
    """True when a date cell only gave year and month (so the day is not known)."""
    month = f"({_match(text, _MONTH)} or {_match(text, _CJK_MONTH)})"
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
