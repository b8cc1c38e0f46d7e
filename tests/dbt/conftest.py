"""The scenario warehouse: written and built by `dbt build` once per test session.

Why once: a dbt invocation costs seconds (import, parse, one node at a time), the queries that
check a rule cost milliseconds. Every rule's firing and non-firing cases live in one multi-batch
county (tests/dbt/dbt_scenario.py), so one build serves every test in this folder.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dbt_builder import write_warehouse
from dbt_harness import RULES, Warehouse, failures, run_dbt
from dbt_scenario import scenario


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    path = tmp_path_factory.mktemp("dbt_scenario") / "build.duckdb"
    write_warehouse(path, scenario())
    build = run_dbt(path, ["build"], RULES, "pytest")
    assert build.success, failures(build) or build.exception
    wh = Warehouse(path, build)
    yield wh
    wh.con.close()
