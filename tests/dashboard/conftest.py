"""Fixtures for the dashboard tests: the hand-built mini warehouse and the demo county.

Why both: the mini warehouse (tests/dashboard/dashboard_mini.py) is built in a fraction of a
second and pins cases the demo may never produce (an identity number planted in the audit tables,
a township over the leader-ratio threshold, no dq results); the demo county is what `bianzhi run`
really publishes, so the same page tests run against it too whenever it can be built, and skip
with the reason while the pipeline parts it needs have not landed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# `import dashboard` must find the project's package, not this test folder as a namespace package
# (pytest puts tests/ on sys.path for the top-level conftest).
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import dashboard_mini  # noqa: E402
from dashboard_helpers import query  # noqa: E402

#: Tables the dashboard reads; a published demo warehouse without them cannot be tested yet.
REQUIRED_TABLES = (
    "marts.rule_catalog",
    "marts.townships",
    "marts.institutions",
    "marts.staffing_reconciliation",
    "marts.leadership_reconciliation",
    "marts.township_summary",
    "marts.township_leadership",
    "marts.workforce_structure",
    "marts.quota_events",
    "marts.findings",
    "marts.findings_history",
    "audit.load_report",
    "audit.quarantine",
)


@pytest.fixture(scope="session")
def mini_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini warehouse with audit.dq_results. Read it, never write it."""
    return dashboard_mini.build_mini_warehouse(
        tmp_path_factory.mktemp("dash_mini") / "warehouse.duckdb"
    )


@pytest.fixture(scope="session")
def mini_without_dq(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini warehouse before any data-quality suite has written audit.dq_results."""
    return dashboard_mini.build_mini_warehouse(
        tmp_path_factory.mktemp("dash_mini_nodq") / "warehouse.duckdb", dq_results=False
    )


def missing_tables(path: Path) -> list[str]:
    """Which of REQUIRED_TABLES the warehouse lacks."""
    have = {
        f"{s}.{t}"
        for s, t in query(path, "select table_schema, table_name from information_schema.tables")
    }
    return [t for t in REQUIRED_TABLES if t not in have]


@pytest.fixture(scope="session")
def demo_published(request: pytest.FixtureRequest) -> Path:
    """The demo county's published warehouse; skips (with the reason) while it cannot be built."""
    try:
        demo = request.getfixturevalue("demo_warehouse")
    except Exception as exc:  # any failure to build it means "not yet", said in the reason
        pytest.skip(f"the demo county cannot be built through the pipeline yet: {exc!r:.300}")
    path = Path(demo.warehouse)
    missing = missing_tables(path)
    if missing:
        pytest.skip(f"the published demo warehouse lacks {', '.join(missing)}")
    return path


@pytest.fixture(params=["mini", "demo"])
def warehouse(request: pytest.FixtureRequest) -> Iterator[Path]:
    """Each page test runs on the mini warehouse and on the demo county."""
    if request.param == "mini":
        yield request.getfixturevalue("mini_warehouse")
    else:
        yield request.getfixturevalue("demo_published")
