"""SQL expressions that normalise and type cell text, evaluated by DuckDB over whole columns.

Why SQL: a province roster has millions of rows; per-row Python would cost seconds per million,
DuckDB's vectorised string functions a fraction of that. Every function here returns a SQL
expression string over column names it is given; none touches data itself.

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

FULLWIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000\u00a0"
HALFWIDTH = "".join(chr(c) for c in range(0x21, 0x7F)) + "  "
TRIM_CHARS = " \t\r\n\x0b\x0c"
TOTALS_WORDS = ("合计", "总计", "小计")


def lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def text_sql(cell: str) -> str:
    """Normalised text of a raw cell (NULL when blank)."""
    return (
        f"nullif(trim(translate({cell}, {lit(FULLWIDTH)}, {lit(HALFWIDTH)}), {lit(TRIM_CHARS)}),"
        " '')"
    )


def totals_sql(first_text: str) -> str:
    """True when the first non-empty cell says 合计 / 总计 / 小计 (inner spaces ignored)."""
    words = ", ".join(lit(w) for w in TOTALS_WORDS)
    return f"coalesce(replace({first_text}, ' ', '') in ({words}), false)"


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
