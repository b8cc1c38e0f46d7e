"""The DB-API connection GX queries DuckDB through: results survive GX's rollback, and a query
asset's bare text (run by GX only for its column names) fetches no rows."""

from __future__ import annotations

from pathlib import Path

import duckdb

from expectations.dbapi import open_buffered, register_query_asset


def _db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table t as select i, 'x' || i as s from range(50000) r(i)")
    con.close()
    return path


def test_rows_are_read_before_the_rollback(tmp_path: Path) -> None:
    connection = open_buffered(_db(tmp_path))
    cursor = connection.cursor()
    cursor.execute("begin transaction")
    cursor.execute("select count(*), max(i) from t")
    connection.rollback()  # what closing a SQLAlchemy connection does before GX reads
    assert cursor.fetchall() == [(50000, 49999)]
    connection.close()


def test_a_query_asset_run_bare_gives_its_columns_and_no_rows(tmp_path: Path) -> None:
    query = "select i, s, i % 7 = 0 as dq_sevens from t"
    register_query_asset(query)
    connection = open_buffered(_db(tmp_path))
    cursor = connection.cursor()
    cursor.execute(f"  {query}\n", ())  # as SQLAlchemy sends a text() clause
    assert [d[0] for d in cursor.description] == ["i", "s", "dq_sevens"]
    assert cursor.fetchall() == []
    # the same query wrapped by a metric, or any other statement, runs as written
    cursor.execute(f"select count(*) from ({query}) as q where dq_sevens", ())
    assert cursor.fetchall() == [(7143,)]
    cursor.execute("select i, s, i % 7 = 0 as dq_sevens from t where i < 3", ())
    assert len(cursor.fetchall()) == 3
    connection.close()
