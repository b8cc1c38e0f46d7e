"""dbt_project/profiles.yml: DuckDB's memory limit reaches dbt's own connection.

Why: the limit decides whether the big models spill (at XL, 96.7 s against 20.5 s for the
person rules with 1GB and 2GB) and how much memory a province's night takes; it is given when
dbt opens the build file (`config_options`), where a typo or a dbt-duckdb change would drop it
without an error.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from dbt_harness import RULES, run_dbt

SHOW = ["show", "--inline", "select current_setting('memory_limit') as memory_limit"]


def _as_duckdb_shows(limit: str) -> str:
    with duckdb.connect() as con:
        con.execute(f"set memory_limit = '{limit}'")
        return con.execute("select current_setting('memory_limit')").fetchone()[0]


def _dbt_limit(db: Path) -> str:
    run = run_dbt(db, SHOW, RULES, "profile_limit")
    assert run.success, run.exception
    return run.results[0].agate_table.rows[0][0]


@pytest.mark.parametrize("override", [None, "300MB"])
def test_dbt_connection_has_the_profile_memory_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, override: str | None
) -> None:
    if override is None:
        monkeypatch.delenv("BIANZHI_DBT_MEMORY_LIMIT", raising=False)
    else:
        monkeypatch.setenv("BIANZHI_DBT_MEMORY_LIMIT", override)
    assert _dbt_limit(tmp_path / "limit.duckdb") == _as_duckdb_shows(override or "2GB")
