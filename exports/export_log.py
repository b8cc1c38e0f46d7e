"""`audit.export_log`: one row per export, written by write-audit-publish.

Why not a plain INSERT into the published file: readers (dashboard, analysts, other exports)
may hold it open at any moment, and the published file may only change by atomic replacement
with one writer at a time. So an export takes the warehouse's run lock (it waits for a running
`bianzhi run`), copies the published file to the build file, appends its row there, and
publishes the build file over the published one — the same path a nightly run takes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from exports.manifest import ExportedFile
from orchestration.publish import build_path_for, discard_build, publish, run_lock, start_build

EXPORT_LOG_DDL = """
create schema if not exists audit;
create table if not exists audit.export_log (
    exported_at timestamp,   -- UTC
    scope varchar,           -- county | township:CODE | institution:CODE
    as_of date,              -- batch date exported
    unmasked boolean,        -- identity numbers in clear
    files varchar            -- JSON list of {name, sha256}
)
"""

#: Columns beyond the contract's five, added to an older table if missing.
EXTRA_COLUMNS = {
    "scope_name": "varchar",
    "out_dir": "varchar",
    "exported_by": "varchar",
    "resolved_since": "date",
}


@dataclass(frozen=True)
class ExportLogEntry:
    exported_at: datetime
    scope: str
    as_of: date
    unmasked: bool
    files: list[ExportedFile]
    scope_name: str
    out_dir: Path
    exported_by: str
    resolved_since: date | None

    def files_json(self) -> str:
        return json.dumps(
            [{"name": f.name, "sha256": f.sha256} for f in self.files], ensure_ascii=False
        )


def append_entry(con: duckdb.DuckDBPyConnection, entry: ExportLogEntry) -> None:
    """Append one row (creating the table, or its extra columns, where missing)."""
    con.execute(EXPORT_LOG_DDL)
    for column, kind in EXTRA_COLUMNS.items():
        con.execute(f"alter table audit.export_log add column if not exists {column} {kind}")
    con.execute(
        "insert into audit.export_log (exported_at, scope, as_of, unmasked, files, scope_name, "
        "out_dir, exported_by, resolved_since) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            entry.exported_at,
            entry.scope,
            entry.as_of,
            entry.unmasked,
            entry.files_json(),
            entry.scope_name,
            str(entry.out_dir),
            entry.exported_by,
            entry.resolved_since,
        ],
    )


def record_export(warehouse: Path, entry: ExportLogEntry, wait_seconds: float) -> None:
    """Lock, copy, append, publish. Raises RunLockedError when a run holds the lock too long."""
    build = build_path_for(warehouse)
    with run_lock(warehouse, wait_seconds=wait_seconds):
        start_build(warehouse, build)
        try:
            con = duckdb.connect(str(build))
            try:
                append_entry(con, entry)
            finally:
                con.close()
            publish(build, warehouse)
        except BaseException:
            discard_build(build)
            raise
