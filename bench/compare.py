"""Do the engines compute the same numbers? raw (DuckDB) vs pandas vs the pipeline's marts.

Why: a benchmark that compares a pipeline against a baseline computing something else measures
nothing. Each output table is compared as a multiset of rows (EXCEPT ALL both ways), so a single
differing number, a missing row or a duplicated row is a disagreement.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

#: Output table → (key columns, value columns), normalised to comparable types.
TABLES: dict[str, list[str]] = {
    "staffing": [
        "batch_date::date",
        "institution_code::varchar",
        "quota_type::varchar",
        "authorized::bigint",
        "occupied::bigint",
        "vacancy::bigint",
        "overstaffed_by::bigint",
    ],
    "leadership": [
        "batch_date::date",
        "institution_code::varchar",
        "leadership_kind::varchar",
        "authorized::bigint",
        "actual::bigint",
    ],
    "person_flags": [
        "batch_date::date",
        "person_key::varchar",
        "slot_institution_code::varchar",
        "work_institution_code::varchar",
        "quota_type::varchar",
        "mixed_quota::boolean",
        "seconded::boolean",
    ],
}

MART_QUERIES: dict[str, tuple[str, str]] = {
    # (mart query, raw query): institution × type rows where something is authorized or held,
    # for the batches raw computed (the warehouse may hold a later, incremental batch too).
    "staffing_reconciliation": (
        "select as_of::date, institution_code::varchar, quota_type::varchar, "
        "authorized::bigint, occupied::bigint from wh.marts.staffing_reconciliation "
        "where (authorized <> 0 or occupied <> 0) "
        "and as_of in (select distinct batch_date from raw.staffing)",
        "select batch_date::date, institution_code::varchar, quota_type::varchar, "
        "authorized::bigint, occupied::bigint from raw.staffing "
        "where authorized <> 0 or occupied <> 0",
    ),
    "leadership_reconciliation": (
        "select as_of::date, institution_code::varchar, leadership_kind::varchar, "
        "authorized::bigint, actual::bigint from wh.marts.leadership_reconciliation "
        "where (authorized <> 0 or actual <> 0) "
        "and as_of in (select distinct batch_date from raw.leadership)",
        "select batch_date::date, institution_code::varchar, leadership_kind::varchar, "
        "authorized::bigint, actual::bigint from raw.leadership "
        "where authorized <> 0 or actual <> 0",
    ),
}


def _diff(con: duckdb.DuckDBPyConnection, left: str, right: str) -> dict[str, Any]:
    """Row counts and the rows only on either side (up to 5 examples each)."""
    n_left = int(con.execute(f"select count(*) from ({left})").fetchone()[0])
    n_right = int(con.execute(f"select count(*) from ({right})").fetchone()[0])
    only_left = con.execute(f"({left}) except all ({right})").fetchall()
    only_right = con.execute(f"({right}) except all ({left})").fetchall()
    return {
        "ok": not only_left and not only_right,
        "rows": [n_left, n_right],
        "only_left": len(only_left),
        "only_right": len(only_right),
        "examples_left": [[str(v) for v in row] for row in only_left[:5]],
        "examples_right": [[str(v) for v in row] for row in only_right[:5]],
    }


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def raw_vs_pandas(raw_db: Path, pandas_dir: Path) -> dict[str, Any]:
    """Compare every output of bench.raw_engine with the parquet files of bench.pandas_engine."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{_sql_path(raw_db)}' as raw (read_only)")
        tables = {}
        for table, cols in TABLES.items():
            select = ", ".join(cols)
            parquet = _sql_path(pandas_dir / f"{table}.parquet")
            tables[table] = _diff(
                con,
                f"select {select} from raw.{table}",
                f"select {select} from read_parquet('{parquet}')",
            )
    finally:
        con.close()
    return {
        "ok": all(t["ok"] for t in tables.values()),
        "sides": ["raw", "pandas"],
        "tables": tables,
    }


def raw_vs_marts(raw_db: Path, warehouse: Path) -> dict[str, Any]:
    """Compare raw's reconciliation with the published marts, for every batch raw computed."""
    if not warehouse.exists():
        return {"ok": None, "skipped": f"no published warehouse at {warehouse}"}
    con = duckdb.connect()
    try:
        con.execute(f"attach '{_sql_path(raw_db)}' as raw (read_only)")
        con.execute(f"attach '{_sql_path(warehouse)}' as wh (read_only)")
        present = {
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() "
                "where database_name = 'wh' and schema_name = 'marts'"
            ).fetchall()
        }
        tables: dict[str, Any] = {}
        for mart, (mart_sql, raw_sql) in MART_QUERIES.items():
            if mart not in present:
                tables[mart] = {"ok": None, "skipped": f"marts.{mart} does not exist"}
                continue
            try:
                tables[mart] = _diff(con, raw_sql, mart_sql)
            except duckdb.Error as exc:
                tables[mart] = {"ok": False, "error": str(exc)}
    finally:
        con.close()
    checked = [t["ok"] for t in tables.values() if t.get("ok") is not None]
    return {
        "ok": all(checked) if checked else None,
        "sides": ["raw", "marts"],
        "tables": tables,
    }
