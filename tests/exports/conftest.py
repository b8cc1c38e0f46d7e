"""Fixtures for the exports tests: the hand-built mini warehouse and, when it can be built, the
demo county published by the real pipeline.

Why copies: an export appends to `audit.export_log`, i.e. it republishes the warehouse. The
session-wide files (the mini build, the demo county other parts read) are never exported from;
each test that exports gets its own copy.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import exports_minidb
import openpyxl
import pytest

ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


@pytest.fixture(autouse=True)
def _no_configured_county(monkeypatch: pytest.MonkeyPatch) -> None:
    """Titles are asserted with the county inferred from the data (or `XX县`)."""
    monkeypatch.delenv("BIANZHI_COUNTY_NAME", raising=False)


@pytest.fixture(scope="session")
def mini_pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return exports_minidb.build(tmp_path_factory.mktemp("mini") / "warehouse.duckdb")


@pytest.fixture
def mini(mini_pristine: Path, tmp_path: Path) -> Path:
    """A private copy of the mini warehouse, free to export from."""
    target = tmp_path / "wh" / "warehouse.duckdb"
    target.parent.mkdir()
    shutil.copyfile(mini_pristine, target)
    return target


@pytest.fixture(scope="session")
def real_pristine(request: pytest.FixtureRequest) -> Path:
    """The demo county's published warehouse; skips (with the reason) while it cannot be built.

    `BIANZHI_EXPORTS_TEST_WAREHOUSE=FILE` runs these checks against another published warehouse
    instead (it is copied, never written).
    """
    override = os.environ.get("BIANZHI_EXPORTS_TEST_WAREHOUSE")
    if override:
        return Path(override)
    try:
        demo = request.getfixturevalue("demo_warehouse")
    except Exception as exc:  # any failure to build it means "not yet", said in the reason
        pytest.skip(f"the demo county cannot be built through the pipeline yet: {exc!r:.300}")
    return Path(demo.warehouse)


@pytest.fixture(scope="module")
def real(real_pristine: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A module-private copy of the demo county's warehouse, free to export from."""
    target = tmp_path_factory.mktemp("real") / "warehouse.duckdb"
    shutil.copyfile(real_pristine, target)
    return target


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


@pytest.fixture
def out_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "out"
