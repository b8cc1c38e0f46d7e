"""Fixtures shared by the data-quality tests: a clean two-batch county and a private copy of
it per test (a run writes audit.dq_results into the file it checks)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dq_fixtures import build_warehouse


@pytest.fixture(scope="module")
def clean_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A correct two-batch county, built once per module (tests copy it)."""
    return build_warehouse(tmp_path_factory.mktemp("dq_clean") / "clean.duckdb")


@pytest.fixture()
def build(clean_warehouse: Path, tmp_path: Path) -> Path:
    """A private copy of the clean county, named as the nightly job names its build file."""
    db = tmp_path / "warehouse.duckdb.build"
    shutil.copyfile(clean_warehouse, db)
    return db
