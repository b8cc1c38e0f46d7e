"""DuckDB's memory limit, set the one way that does not break other connections."""

from __future__ import annotations

import duckdb


def set_memory_limit(con: duckdb.DuckDBPyConnection, limit: str) -> None:
    """DuckDB's `memory_limit` for the database `con` is connected to, set with SET rather than
    passed as `config` to `duckdb.connect`: DuckDB refuses a second connection to a file already
    open in the process "with a different configuration", so one connection opened with a config
    would break every plain `duckdb.connect` of the same file (the suites' own, dbt's, an
    export's) while it is open. The setting is the database's: the last SET wins, and every
    caller sets the same value."""
    con.execute(f"set memory_limit = '{limit.replace(chr(39), chr(39) * 2)}'")
