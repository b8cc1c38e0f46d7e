"""Titles of the exported documents: county name, scope and date in one line.

Why infer the county's name: the source contract has no field for it, but every county-level
institution carries it (`清溪县财政局`, `中共清溪县委办公室`). The name most of them start with is
taken; `BIANZHI_COUNTY_NAME` overrides it, and `XX县` stands in when neither gives one.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from datetime import date

import duckdb

from exports.dates import zh_date
from exports.warehouse import Scope

ENV_COUNTY = "BIANZHI_COUNTY_NAME"
DEFAULT_COUNTY = "XX县"
_COUNTY_PREFIX = re.compile(r"^(?:中共)?(.{1,6}?[县区市旗])")


def infer_county_name(con: duckdb.DuckDBPyConnection, as_of: date) -> str | None:
    """The prefix most county-level institutions' names share, if a majority share one."""
    names = [
        r[0]
        for r in con.execute(
            "select institution_name from marts.institutions "
            "where as_of = ? and level = '县直' and institution_name is not null",
            [as_of],
        ).fetchall()
    ]
    prefixes = Counter(m[1] for name in names if (m := _COUNTY_PREFIX.match(name)))
    if not prefixes:
        return None
    name, count = prefixes.most_common(1)[0]
    return name if count * 2 > len(names) else None


def county_name(con: duckdb.DuckDBPyConnection | None = None, as_of: date | None = None) -> str:
    configured = os.environ.get(ENV_COUNTY, "").strip()
    if configured:
        return configured
    if con is not None and as_of is not None:
        return infer_county_name(con, as_of) or DEFAULT_COUNTY
    return DEFAULT_COUNTY


def county_word(county: str) -> str:
    """`全县` / `全区` / `全市`: how the county refers to itself in a sentence."""
    return f"全{county[-1]}" if county and county[-1] in "县区市旗" else "全县"


def inspection_title(county: str, scope: Scope, as_of: date) -> str:
    """`XX县 牛佛镇 机构编制核查 截至2026年11月20日`."""
    parts = [county, scope.label, "机构编制核查", f"截至{zh_date(as_of)}"]
    return " ".join(p for p in parts if p)
