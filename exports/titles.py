"""Titles of the exported documents: county name, scope and date in one line.

Why an environment variable for the county: the source files name townships and institutions
but not the county itself; the 编办 that runs the warehouse knows its own name.
"""

from __future__ import annotations

import os
from datetime import date

from exports.dates import zh_date
from exports.warehouse import Scope

ENV_COUNTY = "BIANZHI_COUNTY_NAME"
DEFAULT_COUNTY = "XX县"


def county_name() -> str:
    return os.environ.get(ENV_COUNTY, "").strip() or DEFAULT_COUNTY


def county_word() -> str:
    """`全县` / `全区` / `全市`: how the county refers to itself in a sentence."""
    name = county_name()
    return f"全{name[-1]}" if name[-1] in "县区市旗" else "全县"


def inspection_title(scope: Scope, as_of: date) -> str:
    """`XX县 牛佛镇 机构编制核查 截至2026年11月20日`."""
    parts = [county_name(), scope.label, "机构编制核查", f"截至{zh_date(as_of)}"]
    return " ".join(p for p in parts if p)
