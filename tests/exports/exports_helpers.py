"""Helpers of the exports tests: call the command, read workbooks back.

Why a module of its own, not conftest: several test folders have a conftest.py, and a
`from conftest import …` finds whichever was imported first.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

import openpyxl

ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def export_args(warehouse: Path, out: Path, **kw: Any) -> argparse.Namespace:
    """The namespace orchestration/cli.py hands to `export_command`."""
    values: dict[str, Any] = {
        "warehouse": warehouse,
        "out": out,
        "as_of": None,
        "township": None,
        "institution": None,
        "unmasked": False,
    }
    values.update(kw)
    return argparse.Namespace(**values)


def read_book(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's rows (title and header rows included), values only."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book}
    finally:
        book.close()


def data_rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows of a sheet's first table (below title and header, up to the first blank row)."""
    result = []
    for row in rows[2:]:
        if all(v is None for v in row):
            break
        result.append(row)
    return result


def records(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    header = rows[1]
    return [dict(zip(header, r, strict=False)) for r in data_rows(rows)]


def unmasked_ids(path: Path) -> list[str]:
    """Every identity-number-shaped value in any cell of any sheet, numbers included."""
    found = []
    for rows in read_book(path).values():
        for row in rows:
            for value in row:
                if isinstance(value, int | float) and abs(value) >= 1e14:
                    found.append(str(value))
                elif isinstance(value, str):
                    found.extend(ID_PATTERN.findall(value))
    return found
