"""Running dbt in-process on a scenario warehouse and querying the result.

Why dbtRunner in this process rather than a `dbt` subprocess: importing and parsing dbt costs
seconds each time; the orchestration runs dbt the same way (orchestration/dbt_run.py).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

REPO = Path(__file__).resolve().parents[2]
DBT_DIR = REPO / "dbt_project"
RULES = yaml.safe_load((REPO / "config" / "rules.yml").read_text(encoding="utf-8"))


@dataclass
class DbtRun:
    success: bool
    seconds: float
    results: list[Any]
    exception: BaseException | None


def invoke(args: list[str]) -> Any:
    """`dbt <args>` in this process (dbtRunner), then release the DuckDB file dbt opened, as the
    night does (orchestration/dbt_run.py), so the test can open it."""
    from dbt.cli.main import dbtRunner

    from orchestration.dbt_run import release_duckdb

    try:
        return dbtRunner().invoke(args)
    finally:
        release_duckdb()


def run_dbt(
    db_path: Path,
    args: list[str],
    rules: dict[str, Any],
    target: str,
    extra_vars: dict[str, Any] | None = None,
) -> DbtRun:
    """`dbt <args>` in this process against `db_path`, thresholds (and `extra_vars`) passed as
    vars like the orchestration does; the DuckDB file is released afterwards so the tests can
    open it."""
    os.environ["BIANZHI_DB_PATH"] = str(db_path)
    target_path = DBT_DIR / "target" / target  # own partial-parse state per vars set
    full_args = [
        *args,
        "--vars",
        json.dumps({"rules": rules, **(extra_vars or {})}, ensure_ascii=False, sort_keys=True),
        "--project-dir",
        str(DBT_DIR),
        "--profiles-dir",
        str(DBT_DIR),
        "--target-path",
        str(target_path),
        "--log-path",
        str(target_path),
        "--quiet",
    ]
    started = time.monotonic()
    result = invoke(full_args)
    return DbtRun(
        bool(result.success),
        time.monotonic() - started,
        list(getattr(result.result, "results", None) or []),
        result.exception,
    )


def rows_of(path: Path, sql: str) -> list[tuple]:
    """The rows of one query on a built file (opened read-only, closed again)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def failures(run: DbtRun) -> list[str]:
    return [
        f"{r.node.unique_id}: {r.status} {r.message or ''}"
        for r in run.results
        if str(r.status) in ("error", "fail", "runtime error")
    ]


class Warehouse:
    """Read-only queries against the built scenario warehouse."""

    def __init__(self, path: Path, build: DbtRun) -> None:
        self.path = path
        self.build = build
        self.con = duckdb.connect(str(path), read_only=True)

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def value(self, sql: str, params: list[Any] | None = None) -> Any:
        rows = self.rows(sql, params)
        assert len(rows) == 1, f"expected one row, got {rows}"
        return rows[0][0]

    def findings(self, rule: str, as_of: str | None = None, **where: Any) -> list[dict]:
        """Findings of `rule` (marts.findings, or marts.findings_history as of a batch),
        filtered on columns; `person=` filters on person_name."""
        table = "marts.findings" if as_of is None else "marts.findings_history"
        clauses, params = ["rule_code = ?"], [rule]
        if as_of is not None:
            clauses.append("as_of = ?")
            params.append(as_of)
        for column, value in where.items():
            column = "person_name" if column == "person" else column
            if value is None:
                clauses.append(f"{column} is null")
            else:
                clauses.append(f"{column} = ?")
                params.append(value)
        cur = self.con.execute(f"select * from {table} where {' and '.join(clauses)}", params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def one(self, rule: str, as_of: str | None = None, **where: Any) -> dict:
        found = self.findings(rule, as_of, **where)
        assert len(found) == 1, f"{rule} {as_of} {where}: expected one finding, got {found}"
        return found[0]

    def none(self, rule: str, as_of: str | None = None, **where: Any) -> None:
        found = self.findings(rule, as_of, **where)
        assert not found, f"{rule} {as_of} {where}: expected no finding, got {found}"
