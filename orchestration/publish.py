"""Write-audit-publish: the only way the published warehouse file ever changes.

Why this shape: DuckDB lets no other process open a file while a writer holds it, not even
read-only. So a run never opens the published file for writing. It copies it to a build file
beside it, loads and builds and checks there, and only when every blocking check passed does it
checkpoint, close and `os.replace` the build file over the published one: an atomic rename on the
same file system. A crash at any point leaves the published file as it was; the next run starts
again from a fresh copy.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb

BATCH_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class RunLockedError(RuntimeError):
    """Another run holds the warehouse."""


@contextlib.contextmanager
def run_lock(warehouse: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the warehouse's run lock (one writer at a time) for the body.

    A second run waits up to `wait_seconds`, then refuses clearly. The lock is an advisory
    `flock` on a side file, released by the kernel when the process dies, so a killed run never
    leaves a stale lock behind.
    """
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise RunLockedError(
                        f"{warehouse}: another bianzhi run is in progress (lock {lock_path})"
                    ) from None
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)


def build_path_for(warehouse: Path) -> Path:
    """The build file of a warehouse: beside it, so that publishing is a same-disk rename."""
    return warehouse.with_name(warehouse.name + ".build")


class ForeignBuildError(RuntimeError):
    """The build file was not started by the run that wants to use it."""


def start_build(warehouse: Path, build: Path, run_id: str | None = None) -> None:
    """Start the run's build file as a copy of the published warehouse (history lives there),
    and note which run it belongs to."""
    discard_build(build)
    build.parent.mkdir(parents=True, exist_ok=True)
    if warehouse.exists():
        shutil.copyfile(warehouse, build)
    if run_id is not None:
        _owner(build).write_text(run_id, encoding="utf-8")


def require_own_build(build: Path, run_id: str) -> None:
    """Refuse to build on, check or publish a build file another run started.

    Why: a run that failed where nobody discards its build (a launched run, a crash) leaves the
    file behind; a later run of only some assets (the Dagster UI lets anyone materialize
    `published_warehouse` alone) would otherwise publish that unchecked leftover.
    """
    owner = _owner(build)
    found = owner.read_text(encoding="utf-8").strip() if owner.exists() else None
    if found != run_id or not build.exists():
        raise ForeignBuildError(
            f"{build}: not started by this run ({run_id}); the nightly job runs whole — "
            "materialize every asset of the job, or run `bianzhi run`"
        )


def _owner(build: Path) -> Path:
    return build.with_name(build.name + ".run")


def discard_build(build: Path) -> None:
    """Remove a build file, its write-ahead log and its owner note (a previous run's leftovers)."""
    for path in (build, build.with_name(build.name + ".wal"), _owner(build)):
        path.unlink(missing_ok=True)


def publish(build: Path, warehouse: Path) -> None:
    """Checkpoint the build file and atomically replace the published file with it.

    The caller must have closed every connection to the build file it holds.
    """
    con = duckdb.connect(str(build))
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()
    wal = build.with_name(build.name + ".wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise RuntimeError(f"{build}: write-ahead log not empty after checkpoint")
    wal.unlink(missing_ok=True)
    _fsync(build)
    os.replace(build, warehouse)
    _owner(build).unlink(missing_ok=True)
    _fsync(warehouse.parent)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def connect_readonly(
    path: Path, attempts: int = 20, pause: float = 0.1
) -> duckdb.DuckDBPyConnection:
    """Open a warehouse read-only, retrying briefly across the instant of a publish."""
    last: Exception | None = None
    for _ in range(attempts):
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:  # e.g. the file was being replaced at that instant
            last = exc
            time.sleep(pause)
    raise RuntimeError(f"{path}: cannot open the warehouse read-only ({last})")


def loaded_batches(db: Path) -> list[date]:
    """Batch dates a warehouse (published or build) already holds."""
    if not db.exists():
        return []
    con = connect_readonly(db)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'audit' and table_name = 'batches'"
        ).fetchone()
        if not exists or not exists[0]:
            return []
        rows = con.execute("select batch_date from audit.batches order by 1").fetchall()
        return [row[0] for row in rows]
    finally:
        con.close()


def landing_batches(landing: Path) -> list[date]:
    """Batch folders (named YYYY-MM-DD) in the landing folder, in date order."""
    if not landing.is_dir():
        return []
    found = []
    for entry in landing.iterdir():
        if entry.is_dir() and BATCH_DIR.match(entry.name):
            with contextlib.suppress(ValueError):
                found.append(date.fromisoformat(entry.name))
    return sorted(found)


def pending_batches(landing: Path, warehouse: Path) -> list[date]:
    """Batches in the landing folder that the published warehouse has not loaded yet."""
    done = set(loaded_batches(warehouse))
    return [d for d in landing_batches(landing) if d not in done]
