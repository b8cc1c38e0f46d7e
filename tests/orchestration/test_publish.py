"""Write-audit-publish primitives: the run lock, the atomic replacement, pending batches."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.publish import (
    RunLockedError,
    landing_batches,
    loaded_batches,
    pending_batches,
    publish,
    run_lock,
    start_build,
)


def _warehouse(path: Path, batches: list[str]) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema audit; create table audit.batches (batch_date date)")
    for b in batches:
        con.execute("insert into audit.batches values (?)", [b])
    con.close()


def test_second_lock_refuses_clearly(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    with run_lock(wh):
        code = (
            "import sys; from pathlib import Path; from orchestration.publish import run_lock\n"
            "try:\n  with run_lock(Path(sys.argv[1]), wait_seconds=0.3): pass\n"
            "except Exception as e: print(type(e).__name__, e); sys.exit(3)\n"
        )
        proc = subprocess.run([sys.executable, "-c", code, str(wh)], capture_output=True, text=True)
        assert proc.returncode == 3
        assert "RunLockedError" in proc.stdout and "in progress" in proc.stdout
    with run_lock(wh, wait_seconds=0):  # released: taken again at once
        pass


def test_lock_in_same_process_is_exclusive_too(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    with run_lock(wh), pytest.raises(RunLockedError), run_lock(wh, wait_seconds=0.2):
        pass


def test_publish_replaces_whole_file_and_keeps_history(tmp_path: Path) -> None:
    wh, build = tmp_path / "w.duckdb", tmp_path / "w.duckdb.build"
    _warehouse(wh, ["2026-10-20"])
    start_build(wh, build)
    con = duckdb.connect(str(build))
    con.execute("insert into audit.batches values ('2026-11-20')")
    con.close()
    assert loaded_batches(wh) == [date(2026, 10, 20)]  # untouched until publish
    publish(build, wh)
    assert not build.exists()
    assert loaded_batches(wh) == [date(2026, 10, 20), date(2026, 11, 20)]


def test_start_build_discards_a_crashed_runs_leftovers(tmp_path: Path) -> None:
    wh, build = tmp_path / "w.duckdb", tmp_path / "w.duckdb.build"
    _warehouse(wh, ["2026-10-20"])
    build.write_bytes(b"half-written garbage")
    (tmp_path / "w.duckdb.build.wal").write_bytes(b"junk")
    start_build(wh, build)
    assert build.read_bytes() == wh.read_bytes()
    assert not (tmp_path / "w.duckdb.build.wal").exists()


def test_pending_batches(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    for name in ["2026-11-20", "2026-10-20", "notes", "2026-13-01"]:
        (landing / name).mkdir(parents=True)
    (landing / "2026-12-01.txt").write_text("not a folder")
    assert landing_batches(landing) == [date(2026, 10, 20), date(2026, 11, 20)]
    wh = tmp_path / "w.duckdb"
    assert pending_batches(landing, wh) == [date(2026, 10, 20), date(2026, 11, 20)]
    _warehouse(wh, ["2026-10-20"])
    assert pending_batches(landing, wh) == [date(2026, 11, 20)]
