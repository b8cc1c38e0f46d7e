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

from orchestration.paths import PROJECT_ROOT

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
    # dbt's state lives beside the warehouse, so the next night's parse is reused
    assert (tmp_path / "warehouse.duckdb.dbt" / "partial_parse.msgpack").is_file()
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


def _roster_as_csv(batch: Path) -> Path:
    """The batch's roster as a utf-8 csv (converted from the sheet ingest reads if xlsx)."""
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
        return roster
    data = roster.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    roster.unlink()
    roster = roster.with_suffix(".csv")
    roster.write_text(text, encoding="utf-8")
    return roster


def _truncate_roster(batch: Path, keep: float) -> None:
    """Keep only the first share of the roster's lines."""
    roster = _roster_as_csv(batch)
    lines = roster.read_text(encoding="utf-8").splitlines()
    roster.write_text("\n".join(lines[: int(len(lines) * keep)]), encoding="utf-8")


def _name_with_identity_number(batch: Path) -> None:
    """A clerk pasted a person's identity number into the 姓名 cell of one roster row."""
    roster = _roster_as_csv(batch)
    rows = list(csv.reader(roster.open(encoding="utf-8", newline="")))

    def is_name(cell: str) -> bool:  # 姓名, 姓 名, 人员姓名 …
        return "姓名" in "".join(cell.split())

    header = next(i for i, row in enumerate(rows) if any(is_name(c) for c in row))
    name_col = next(j for j, cell in enumerate(rows[header]) if is_name(cell))
    target = rows[header + 1]
    target[name_col] = target[name_col] + "11010519491231002X"
    with roster.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)


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


def test_failing_error_severity_dbt_test_blocks_with_exit_1(
    county: Path, published_two: tuple[Path, Path], tmp_path: Path
) -> None:
    """An identity number in a name would reach marts.roster: the error-severity dbt test
    assert_marts_hold_no_identity_numbers fails, nothing is published."""
    landing, warehouse = fresh_copy(published_two, tmp_path)
    _name_with_identity_number(add_third_batch(county, landing))
    before = sha(warehouse)
    blocked = run(landing, warehouse)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "assert_marts_hold_no_identity_numbers" in blocked.stderr
    assert sha(warehouse) == before
    assert not warehouse.with_name(warehouse.name + ".build").exists()
    assert not (tmp_path / "exports").exists(), "a blocked night exported a workbook"


@pytest.mark.parametrize(
    ("override", "check"),
    [
        ("raw_quota_grants.institution_exists", "dq_raw"),
        ("marts_roster.slot_unit_resolves", "dq_marts"),
    ],
)
def test_blocking_data_quality_expectation_blocks_with_exit_1(
    override: str, check: str, county: Path, published_two: tuple[Path, Path], tmp_path: Path
) -> None:
    """The demo plants grants and people whose unit resolves to nothing: a warning by default;
    an operator who makes the expectation blocking holds the night back."""
    landing, warehouse = fresh_copy(published_two, tmp_path)
    add_third_batch(county, landing)
    default = (PROJECT_ROOT / "config" / "data_quality.yml").read_text(encoding="utf-8")
    assert "overrides: {}" in default
    dq_config = tmp_path / "data_quality.yml"
    dq_config.write_text(
        default.replace("overrides: {}", f"overrides:\n    {override}: blocking"),
        encoding="utf-8",
    )
    before = sha(warehouse)
    blocked = run(landing, warehouse, env={"BIANZHI_DQ_CONFIG": str(dq_config)})
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert override.split(".")[0] in blocked.stderr
    assert sha(warehouse) == before
    published = run(landing, warehouse)  # default severities: the same night publishes
    assert published.returncode == 0, published.stderr
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        failed = con.execute(
            "select severity from audit.dq_results where suite || '.' || expectation = ? "
            "and batch_date = (select max(batch_date) from audit.batches)",
            [override],
        ).fetchall()
        exports = con.execute(
            "select as_of::varchar, scope, unmasked from audit.export_log order by as_of"
        ).fetchall()
    finally:
        con.close()
    assert failed == [("warn",)]
    newest = batches_in(warehouse)[-1]
    assert exports[-1] == (newest, "county", False)  # the nightly workbook, logged and masked
    assert (tmp_path / "exports" / newest / f"bianzhi_county_{newest}.xlsx").is_file()


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
