"""Fixtures of the data-quality tests: hand-built warehouses and the suites run on them once.

Why session-scoped runs: a run of all 19 suites costs a few seconds of Great Expectations time
(plus its 4 s import, paid once per process). Running once on a clean county and once on a
county with a known defect per suite, and letting many small tests read those results, keeps the
whole folder well under a minute on two cores.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from dq_fixtures import build_warehouse, plant_mart_defects, plant_raw_defects

from expectations import SuiteResult, run_suites


@dataclass(frozen=True)
class Run:
    """The suites run once on one warehouse file."""

    db: Path
    docs: Path
    run_id: str
    results: list[SuiteResult]

    def suite(self, name: str) -> SuiteResult:
        return next(r for r in self.results if r.suite == name)


@pytest.fixture(scope="session")
def clean_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A correct two-batch county (read-only for tests: copy it before changing it)."""
    return build_warehouse(tmp_path_factory.mktemp("dq_clean") / "clean.duckdb")


@pytest.fixture(scope="session")
def clean_run(clean_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("dq_clean_run")
    db = root / "warehouse.duckdb.build"
    shutil.copyfile(clean_warehouse, db)
    docs = root / "dq_docs"
    return Run(db, docs, "clean-run", run_suites(db, "clean-run", docs))


@pytest.fixture(scope="session")
def broken_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The county with one or two known defects per suite (dq_fixtures.plant_*_defects)."""
    root = tmp_path_factory.mktemp("dq_broken_run")

    def plant(con: duckdb.DuckDBPyConnection) -> None:
        plant_raw_defects(con)
        plant_mart_defects(con)

    db = build_warehouse(root / "warehouse.duckdb.build", after_marts=plant)
    docs = root / "dq_docs"
    return Run(db, docs, "broken-run", run_suites(db, "broken-run", docs))
