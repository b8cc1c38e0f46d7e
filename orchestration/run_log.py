"""The run log: every run's outcome, failures included, kept for the load report.

Why a side file: a failed run must leave the published warehouse byte-for-byte as it was, so its
failure cannot be written into it. The failure is appended to `<warehouse>.runs.jsonl` (by the
CLI and by the Dagster run-failure sensor, through the same function) and the next run that
publishes copies every line into `audit.run_log`, so the published load report shows the nights
that failed too.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb

RUN_LOG_DDL = """
create schema if not exists audit;
create table if not exists audit.run_log (
    run_id varchar,
    recorded_at timestamp,
    status varchar,          -- published | blocked | failed | unreadable
    batches varchar,         -- comma-separated batch dates of the run
    message varchar
)
"""


def run_log_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".runs.jsonl")


def record_run(warehouse: Path, run_id: str, status: str, batches: list[str], message: str) -> None:
    """Append one run outcome to the side log (never touches the published file)."""
    line = {
        "run_id": run_id,
        "recorded_at": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        "status": status,
        "batches": ",".join(batches),
        "message": message,
    }
    path = run_log_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, ensure_ascii=False) + "\n")


def import_run_log(con: duckdb.DuckDBPyConnection, warehouse: Path) -> int:
    """Copy side-log lines not yet in `audit.run_log` into the build file; returns lines added."""
    con.execute(RUN_LOG_DDL)
    path = run_log_path(warehouse)
    if not path.exists():
        return 0
    rows = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(raw)
        except json.JSONDecodeError:
            continue  # a line cut short by a crash mid-write
        rows.append(
            (item["run_id"], item["recorded_at"], item["status"], item["batches"], item["message"])
        )
    known = {
        (r[0], r[1]) for r in con.execute("select run_id, status from audit.run_log").fetchall()
    }
    new = [r for r in rows if (r[0], r[2]) not in known]
    if new:
        con.executemany("insert into audit.run_log values (?, ?, ?, ?, ?)", new)
    return len(new)
