"""Fixtures for the exports tests: the hand-built mini warehouse and, when it can be built, the
demo county published by the real pipeline.

Why copies: an export appends to `audit.export_log`, i.e. it republishes the warehouse. The
session-wide files (the mini build, the demo county other parts read) are never exported from;
each test that exports gets its own copy.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import exports_minidb
import pytest


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


@pytest.fixture
def out_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "out"
