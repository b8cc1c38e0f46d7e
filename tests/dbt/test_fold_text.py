"""The `fold_text` macro (dbt_project/macros/fold_text.sql) folds names as the contract says —
full-width ASCII U+FF01–U+FF5E to U+0021–U+007E, ideographic and no-break spaces to spaces,
then every whitespace character removed — and leaves a name without any of those characters
as it is without translating it (the check in front of the fold).

The macro is rendered with plain Jinja (it uses nothing of dbt's) and run in DuckDB over every
BMP character inside a name, against the fold written out in Python."""

from __future__ import annotations

import re

import duckdb
import jinja2
import pytest
from dbt_harness import DBT_DIR

#: RE2's `\s`, which the fold's regexp_replace removes.
RE2_SPACE = "\t\n\f\r "


def fold_sql(expr: str) -> str:
    source = (DBT_DIR / "macros" / "fold_text.sql").read_text(encoding="utf-8")
    template = jinja2.Environment().from_string(source + "{{ fold_text(" + repr(expr) + ") }}")
    return template.render()


def folded(text: str) -> str:
    """The contract's fold, character by character."""
    out = []
    for char in text:
        code = ord(char)
        if 0xFF01 <= code <= 0xFF5E:
            char = chr(code - 0xFEE0)
        elif char in "\u3000\u00a0":
            char = " "
        if char not in RE2_SPACE:
            out.append(char)
    return "".join(out)


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def test_every_bmp_character_in_a_name_folds_as_the_contract_says(
    con: duckdb.DuckDBPyConnection,
) -> None:
    names = [f"县{chr(code)}局" for code in range(0x10000) if not 0xD800 <= code <= 0xDFFF and code]
    con.execute("create or replace temp table names as select unnest(?::varchar[]) as x", [names])
    got = dict(con.execute(f"select x, {fold_sql('x')} from names").fetchall())
    wrong = {name: got[name] for name in names if got[name] != folded(name)}
    assert not wrong, list(wrong.items())[:5]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("县文化馆", "县文化馆"),  # nothing to fold: returned as it is
        ("县 文化馆", "县文化馆"),
        ("县\u3000文化\u00a0馆", "县文化馆"),
        ("ＸＸ县第１中学", "XX县第1中学"),
        ("县（文化）馆\t\n", "县(文化)馆"),
        ("", ""),
        (None, None),
    ],
)
def test_names_fold(con: duckdb.DuckDBPyConnection, name: str | None, expected: str | None) -> None:
    assert con.execute(f"select {fold_sql('$name')}", {"name": name}).fetchone() == (expected,)


def test_a_name_without_foldable_characters_is_not_translated() -> None:
    """The check guards the translation (DuckDB's translate() with the 96-character map is what
    made folding slow): the rendered SQL only translates in its `then` branch."""
    sql = " ".join(fold_sql("x").split())
    assert re.fullmatch(
        r"case when regexp_matches\(x, '\[\\s.+\]'\) then .*translate\(x, .+ else x end", sql
    )
