"""A DuckDB DB-API connection for Great Expectations whose results survive a rollback.

Why this exists: GX's SQL engine runs each metric query inside `with engine.connect()` and reads
the rows only after the block has closed. Closing rolls the connection back, and DuckDB drops a
pending result on rollback, so every metric came back empty (GX then reports "list index out of
range" for every expectation). GX keeps a persistent connection only for the dialects it knows
(sqlite, mssql, ...), not for duckdb. Reading each result in full at execute time — what most
DB-API drivers do anyway — fixes it without touching GX. Metric queries return a handful of rows
(aggregates, at most `partial_unexpected_count` samples), so buffering costs nothing.

It wraps duckdb_engine's own ConnectionWrapper, so the SQLAlchemy dialect (`duckdb:///`) sees
the connection it expects. The connection is opened with DuckDB's default configuration, like
every other connection of the run, so that it shares the process's database instance with them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import duckdb_engine

from expectations.memory import set_memory_limit

#: The text of every query asset. GX runs a query asset's text bare once, only to read its
#: column names (`column_reflection_fallback`); buffered, that fetched every row of the batch
#: into Python — 2 million roster rows, 8.5 s and gigabytes at province scale. Such a statement
#: runs as `... limit 0`: the same columns, no rows.
_QUERY_ASSETS: set[str] = set()


def register_query_asset(query: str) -> None:
    """Declare a query asset's text, so that its bare execution fetches no rows."""
    _QUERY_ASSETS.add(query.strip())


def _statement(statement: str, parameters: Any) -> str:
    if not parameters and statement.strip() in _QUERY_ASSETS:
        return f"select * from (\n{statement}\n) as dq_columns limit 0"
    return statement


class BufferedCursor:
    """DB-API cursor over one DuckDB connection; rows are fetched at execute time."""

    arraysize = 1

    def __init__(self, con: duckdb.DuckDBPyConnection, owner: BufferedConnection) -> None:
        self._con = con
        self._owner = owner
        self._rows: deque[tuple[Any, ...]] = deque()
        self.description: Sequence[Sequence[Any]] | None = None
        self.rowcount = -1

    def execute(self, statement: str, parameters: Any = None, context: Any = None) -> None:
        statement = _statement(statement, parameters)
        if parameters is None:
            self._con.execute(statement)
        else:
            self._con.execute(statement, parameters)
        self.description = self._con.description
        if self.description:
            self._rows = deque(self._con.fetchall())
            self.rowcount = len(self._rows)
        else:
            self._rows = deque()
            self.rowcount = -1

    def executemany(self, statement: str, parameters: Any = None, context: Any = None) -> None:
        self._con.executemany(statement, list(parameters) if parameters else [])
        self.description, self._rows, self.rowcount = None, deque(), -1

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        count = min(size or self.arraysize, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    def close(self) -> None:
        self._rows.clear()

    @property
    def connection(self) -> BufferedConnection:
        return self._owner


class BufferedConnection(duckdb_engine.ConnectionWrapper):
    """duckdb_engine's connection wrapper, handing out buffered cursors."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        super().__init__(con)
        self._raw_con = con

    def cursor(self) -> BufferedCursor:  # type: ignore[override]
        return BufferedCursor(self._raw_con, self)


def open_buffered(
    db_path: Path, memory_limit: str | None = None, read_only: bool = False
) -> BufferedConnection:
    """`db_path` with buffered cursors (and DuckDB's `memory_limit`, when given): GX's
    datasource opens its connections with this (its SQLAlchemy `creator`). `read_only`: when
    two processes run suites on the same file at once (expectations/worker.py) — DuckDB lets
    several processes read a file, or one write it."""
    con = duckdb.connect(str(db_path), read_only=read_only)
    if memory_limit:
        set_memory_limit(con, memory_limit)
    return BufferedConnection(con)
