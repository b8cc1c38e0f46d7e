"""Helpers shared by the dashboard tests (plain functions, not fixtures).

Why the tests query the marts themselves: a page test passes only when the number on the screen
equals what the tests' own SQL reads from the mart, independently of `dashboard.queries`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"

#: An 18-character identity number (17 digits + digit or X) standing on its own.
ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def query(path: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """The tests' own read of the warehouse, read-only and closed at once."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def scalar(path: Path, sql: str, params: list[Any] | None = None) -> Any:
    """The single value of a one-row, one-column query."""
    rows = query(path, sql, params)
    assert len(rows) == 1, rows
    return rows[0][0]
