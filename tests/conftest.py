"""Shared fixtures: a demo county built once per test session through the real pipeline.

Why one session-scoped warehouse: exports, dashboard, data-quality and end-to-end tests all read
the same published marts; building it once (a few seconds) keeps the suite fast and makes every
consumer test run against what `bianzhi run` really publishes, not a hand-made imitation.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("BIANZHI_PII_KEY", "test-pii-key")

DEMO_SEED = 20261120
DEMO_PEOPLE = 800


@dataclass(frozen=True)
class DemoWarehouse:
    landing: Path
    warehouse: Path
    summary: object  # demo.DemoSummary


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DemoWarehouse:
    """The default demo county (3 batches), published by `bianzhi run`. Read it, never write it."""
    import demo
    from orchestration.cli import main

    root = tmp_path_factory.mktemp("demo_county")
    landing = root / "landing"
    warehouse = root / "warehouse.duckdb"
    summary = demo.generate(landing, seed=DEMO_SEED, people=DEMO_PEOPLE)
    code = main(["run", "--landing", str(landing), "--warehouse", str(warehouse)])
    assert code == 0, "the demo county must publish"
    return DemoWarehouse(landing=landing, warehouse=warehouse, summary=summary)
