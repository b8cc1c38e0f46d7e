"""`bianzhi run` end to end: exit codes, write-audit-publish, crashes, readers, concurrency.

Each test drives the real console script in a subprocess over a small generated county, because
what is promised (exit codes, a published file left byte-for-byte as it was, readers never
blocked) is a property of whole processes, not of functions.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.dbt_config import PROJECT_ROOT

BIANZHI = str(PROJECT_ROOT / ".venv" / "bin" / "bianzhi")
PEOPLE = 300


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def bianzhi(*args: str, env: dict[str, str] | None = None, timeout: float = 600):
    full_env = {**os.environ, "BIANZHI_PII_KEY": "test-pii-key", **(env or {})}
    return subprocess.run(
        [BIANZHI, *args], capture_output=True, text=True, env=full_env, timeout=timeout
    )


def run(landing: Path, warehouse: Path, *extra: str, env: dict[str, str] | None = None):
    return bianzhi("run", "--landing", str(landing), "--warehouse", str(warehouse), *extra, env=env)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo county: three batch folders, generated once for this module."""
    import demo

    landing = tmp_path_factory.mktemp("county") / "landing"
    demo.generate(landing, seed=7, people=PEOPLE)
    return landing


@pytest.fixture(scope="module")
def published_two(county: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A warehouse with the first two batches published (landing holds only those two)."""
    root = tmp_path_factory.mktemp("published_two")
    landing = root / "landing"
    batches = sorted(p.name for p in county.iterdir())
    for name in batches[:2]:
        shutil.copytree(county / name, landing / name)
    warehouse = root / "warehouse.duckdb"
    proc = run(landing, warehouse)
    assert proc.returncode == 0, proc.stderr
    return landing, warehouse


def fresh_copy(published_two: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    landing, warehouse = published_two
    shutil.copytree(landing, tmp_path / "landing")
    shutil.copyfile(warehouse, tmp_path / "warehouse.duckdb")
    return tmp_path / "landing", tmp_path / "warehouse.duckdb"


def add_third_batch(county: Path, landing: Path) -> Path:
    third = sorted(p.name for p in county.iterdir())[2]
    shutil.copytree(county / third, landing / third)
    return landing / third


def roster_file(batch: Path) -> Path:
    return next(p for p in batch.iterdir() if "花名册" in p.name or "roster" in p.name.lower())


def batches_in(warehouse: Path) -> list[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return [
            str(r[0])
            for r in con.execute("select batch_date from audit.batches order by 1").fetchall()
        ]
    finally:
        con.close()


def test_first_run_publishes_and_rerun_changes_nothing(county: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    first = run(county, warehouse)
    assert first.returncode == 0, first.stderr
    assert "published" in first.stdout
    assert len(batches_in(warehouse)) == 3
    before = sha(warehouse)
    again = run(county, warehouse)
    assert again.returncode == 0
    assert "nothing new" in again.stdout
    assert sha(warehouse) == before


def test_missing_pii_key_warns_and_uses_dev_key(tmp_path: Path) -> None:
    proc = subprocess.run(
        [BIANZHI, "run", "--landing", str(tmp_path), "--warehouse", str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "BIANZHI_PII_KEY"},
    )
    assert proc.returncode == 0  # empty landing: nothing new
    bad = bianzhi("run", "--landing", str(tmp_path / "nope"), "--warehouse", "w.duckdb")
    assert bad.returncode == 2 and "does not exist" in bad.stderr
    usage = bianzhi("run", "--landing", str(tmp_path))
    assert usage.returncode == 2


def test_corrupt_file_exit_2_and_published_file_unchanged(
    county: Path, published_two: tuple[Path, Path], tmp_path: Path
) -> None:
    landing, warehouse = fresh_copy(published_two, tmp_path)
    batch = add_third_batch(county, landing)
    roster = roster_file(batch)
    roster.unlink()
    (batch / "人员花名册.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    before = sha(warehouse)
    proc = run(landing, warehouse)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "人员花名册.xlsx" in proc.stderr
    assert sha(warehouse) == before
    assert not warehouse.with_name(warehouse.name + ".build").exists()
    log = warehouse.with_name(warehouse.name + ".runs.jsonl").read_text(encoding="utf-8")
    assert '"status": "unreadable"' in log


def _cell(value: object) -> str:
    """A workbook cell as the text an export tool would have written to csv."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _truncate_roster(batch: Path, keep: float) -> None:
    """Rewrite the batch's roster as a csv keeping only the first share of its data rows."""
    from python_calamine import CalamineWorkbook

    from ingest.read import choose_sheet
    from ingest.spec import ROSTER

    roster = roster_file(batch)
    if roster.suffix == ".xlsx":
        # the sheet ingest reads: the demo's last roster leads with a 汇总 sheet
        workbook = CalamineWorkbook.from_path(str(roster))
        sheet = choose_sheet(workbook.sheets_metadata, ROSTER.keywords)
        assert sheet is not None
        rows = workbook.get_sheet_by_name(sheet).to_python()
        roster.unlink()
        roster = batch / "人员花名册.csv"
        with roster.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows([[_cell(c) for c in row] for row in rows])
    data = roster.read_bytes()
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else None
    try:
        text = data.decode(encoding or "utf-8")
    except UnicodeDecodeError:
        encoding, text = "gb18030", data.decode("gb18030")
    lines = text.splitlines()
    keep_n = int(len(lines) * keep)
    roster.write_bytes("\n".join(lines[:keep_n]).encode(encoding or "utf-8"))


def test_volume_drop_blocks_with_exit_1_unless_accepted(
    county: Path, published_two: tuple[Path, Path], tmp_path: Path
) -> None:
    landing, warehouse = fresh_copy(published_two, tmp_path)
    _truncate_roster(add_third_batch(county, landing), keep=0.6)
    before = sha(warehouse)
    blocked = run(landing, warehouse)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "roster_volume" in blocked.stderr
    assert sha(warehouse) == before
    accepted = run(landing, warehouse, "--accept-anomalies")
    assert accepted.returncode == 0, accepted.stderr
    con = duckdb.connect(str(warehouse), read_only=True)
    flags = con.execute(
        "select batch_date::varchar, anomaly_accepted from audit.load_report "
        "where source = 'roster' order by 1"
    ).fetchall()
    run_log = con.execute("select status from audit.run_log order by recorded_at").fetchall()
    con.close()
    assert [f[1] for f in flags] == [False, False, True]
    assert ("blocked",) in run_log and ("published",) in run_log


@pytest.mark.parametrize("point", ["after-ingest", "during-dbt", "before-publish"])
def test_kill_9_leaves_published_file_and_next_run_publishes(
    point: str, county: Path, published_two: tuple[Path, Path], tmp_path: Path
) -> None:
    landing, warehouse = fresh_copy(published_two, tmp_path)
    add_third_batch(county, landing)
    before = sha(warehouse)
    killed = run(landing, warehouse, env={"BIANZHI_FAILPOINT": point})
    assert killed.returncode == -9, killed.stdout + killed.stderr
    assert sha(warehouse) == before
    assert len(batches_in(warehouse)) == 2
    after = run(landing, warehouse)
    assert after.returncode == 0, after.stderr
    assert len(batches_in(warehouse)) == 3


READER = """
import sys, time, duckdb
from orchestration.publish import connect_readonly
from pathlib import Path
path, stop = Path(sys.argv[1]), Path(sys.argv[2])
states, errors, n = set(), [], 0
while not stop.exists() or n < 5:
    n += 1
    try:
        con = connect_readonly(path)
        batches = con.execute("select count(*) from audit.batches").fetchone()[0]
        asof = con.execute("select count(distinct as_of) from marts.staffing_reconciliation")
        states.add((batches, asof.fetchone()[0]))
        con.close()
    except Exception as exc:
        errors.append(repr(exc))
    time.sleep(0.02)
print(repr((sorted(states), errors, n)))
"""


def test_reader_in_a_loop_never_fails_and_sees_only_complete_states(
    county: Path, published_two: tuple[Path, Path], tmp_path: Path
) -> None:
    landing, warehouse = fresh_copy(published_two, tmp_path)
    add_third_batch(county, landing)
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
    )
    time.sleep(0.5)
    proc = run(landing, warehouse)
    stop.touch()
    out, err = reader.communicate(timeout=120)
    assert proc.returncode == 0, proc.stderr
    states, errors, n = eval(out)  # noqa: S307 - our own reader's repr
    assert errors == []
    assert n > 10
    assert set(states) <= {(2, 2), (3, 3)}
    assert (3, 3) in states


def test_two_runs_at_once_one_waits_or_refuses(
    county: Path, published_two: tuple[Path, Path], tmp_path: Path
) -> None:
    landing, warehouse = fresh_copy(published_two, tmp_path)
    add_third_batch(county, landing)
    env = {**os.environ, "BIANZHI_PII_KEY": "test-pii-key"}
    args = ["run", "--landing", str(landing), "--warehouse", str(warehouse)]
    first = subprocess.Popen(
        [BIANZHI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(1.5)
    refused = subprocess.run(
        [BIANZHI, *args, "--wait", "0"], env=env, capture_output=True, text=True
    )
    waiting = subprocess.Popen(
        [BIANZHI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    out1, err1 = first.communicate(timeout=600)
    out3, err3 = waiting.communicate(timeout=600)
    assert first.returncode == 0, err1
    assert refused.returncode == 2 and "in progress" in refused.stderr
    assert waiting.returncode == 0, err3
    assert "nothing new" in out3
    assert len(batches_in(warehouse)) == 3
