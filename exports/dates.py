"""Parsing the `--as-of` argument and writing dates the way a 编办 document does."""

from __future__ import annotations

import re
from datetime import date

from exports.errors import UsageError

_DATE = re.compile(r"^(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})$")


def parse_as_of(text: str) -> date:
    """`2026-11-20` (also `2026/11/20`, `2026.11.20`, `20261120`) → a date, else UsageError."""
    match = _DATE.match(text.strip())
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise UsageError(f"--as-of {text!r}: not a date (expected YYYY-MM-DD)")


def zh_date(day: date) -> str:
    """`2026年11月20日` (no leading zeros, as in official documents)."""
    return f"{day.year}年{day.month}月{day.day}日"
