"""Data tests by batch (dbt_project/macros/tested_batches.sql): a test on a per-batch relation
checks only the batches it has not passed yet, and every batch again when what it reads changed.

How the tests show it: two defects the data tests must catch are planted in the loaded roster —
a roster row listed twice (the roster mart's grain test) and an identity number as a person's
name (assert_marts_hold_no_identity_numbers). Planted in a batch that already passed, the next
night does not read it again and passes; planted in the night's own batch, the night fails; and
`--full-refresh` or a changed fingerprint read every batch again and fail on the old one.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from dbt_builder import add_batches, drop_batch, write_warehouse
from dbt_harness import RULES, DbtRun, failures, rows_of, run_dbt
from dbt_scenario import B1, B2, scenario

BUILD = ["build", "--exclude-resource-type", "unit_test"]
TARGET = "pytest_tested_batches"  # own partial-parse state
MACROS = "digest-of-this-release"
ROSTER_GRAIN = "unique_combination_of_columns_roster_as_of__file_name__source_row_number"
NO_ID_NUMBERS = "assert_marts_hold_no_identity_numbers"
LEDGER = "intermediate.dbt_batches_tested"


def _build(path: Path, *extra: str, macros: str = MACROS) -> DbtRun:
    return run_dbt(path, [*BUILD, *extra], RULES, TARGET, {"macros_digest": macros})


def _plant_defects(path: Path, batch: str) -> None:
    """A roster row of `batch` listed twice, and a person of `batch` named by an identity
    number (18 characters: what a mis-mapped column would put there)."""
    con = duckdb.connect(str(path))
    try:
        day = date.fromisoformat(batch)
        con.execute(
            "insert into raw.roster select * from raw.roster where batch_date = ? "
            "order by row_number limit 1",
            [day],
        )
        con.execute(
            "update raw.roster set name = '51102519800101001X' where batch_date = ? "
            "and row_number = (select max(row_number) from raw.roster where batch_date = ?)",
            [day, day],
        )
    finally:
        con.close()


def _failed(run: DbtRun) -> set[str]:
    """The names of the data tests that failed (hash suffix dropped)."""
    return {line.split(":")[0].split(".")[2] for line in failures(run)}


@pytest.fixture(scope="module")
def old_defects(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, DbtRun]]:
    """B1 built and passed; then both defects planted in B1; then B2's night."""
    batches = scenario()
    path = tmp_path_factory.mktemp("dbt_tested_batches") / "build.duckdb"
    write_warehouse(path, {B1: batches[B1]})
    first = _build(path)
    assert first.success, failures(first) or first.exception
    _plant_defects(path, B1)
    add_batches(path, {B2: batches[B2]})
    yield path, _build(path)


def test_a_night_does_not_read_again_the_batches_its_tests_passed(old_defects) -> None:
    _, night = old_defects
    assert night.success, failures(night) or night.exception


def test_the_ledger_holds_the_tests_that_check_by_batch(old_defects) -> None:
    path, night = old_defects
    filtered = {
        r.node.unique_id
        for r in night.results
        if r.node.resource_type == "test" and LEDGER.split(".")[1] in (r.node.compiled_code or "")
    }
    ledger = rows_of(
        path, f"select test_id, batch_date, count(distinct fingerprint) from {LEDGER} group by all"
    )
    assert {t for t, _, _ in ledger} == filtered
    assert {str(d) for _, d, _ in ledger} == {B1, B2}
    assert all(n == 1 for _, _, n in ledger)
    names = {t.split(".")[2] for t in filtered}
    # by batch: a grain test with the batch column, row tests, the singular test that opts in
    assert {ROSTER_GRAIN, NO_ID_NUMBERS, "not_null_roster_person_key"} <= names
    # read whole: a model that is not per batch, and `unique` on a column
    assert "unique_findings_finding_id" not in names
    assert not {n for n in names if n.startswith("unique_stg_audit__batches")}


def test_a_full_refresh_tests_every_batch_again(old_defects, tmp_path: Path) -> None:
    path = tmp_path / "build.duckdb"
    shutil.copyfile(old_defects[0], path)
    run = _build(path, "--full-refresh")
    assert not run.success
    assert {ROSTER_GRAIN, NO_ID_NUMBERS} <= _failed(run)


def test_a_changed_fingerprint_tests_every_batch_again(old_defects, tmp_path: Path) -> None:
    path = tmp_path / "build.duckdb"
    shutil.copyfile(old_defects[0], path)
    run = _build(path, macros="digest-of-the-next-release")
    assert not run.success
    assert {ROSTER_GRAIN, NO_ID_NUMBERS} <= _failed(run)


def test_a_defect_in_the_nights_batch_fails_the_night(tmp_path: Path) -> None:
    batches = scenario()
    path = tmp_path / "build.duckdb"
    write_warehouse(path, {B1: batches[B1]})
    first = _build(path)
    assert first.success, failures(first) or first.exception
    add_batches(path, {B2: batches[B2]})
    _plant_defects(path, B2)
    run = _build(path)
    assert not run.success
    assert {ROSTER_GRAIN, NO_ID_NUMBERS} <= _failed(run)
    # a failed test is not recorded: the next night reads the batch again
    recorded = rows_of(path, f"select test_id from {LEDGER} where batch_date = date '{B2}'")
    assert not [t for (t,) in recorded if ROSTER_GRAIN in t or NO_ID_NUMBERS in t]


def test_a_reloaded_batch_tests_it_and_every_later_batch(tmp_path: Path) -> None:
    """An earlier batch loaded again rebuilds the later batches of findings_history, whose
    loaded_at did not change: the tests read every batch from the reloaded one onwards."""
    batches = scenario()
    path = tmp_path / "build.duckdb"
    write_warehouse(path, {B1: batches[B1], B2: batches[B2]})
    first = _build(path)
    assert first.success, failures(first) or first.exception
    _plant_defects(path, B2)
    drop_batch(path, B1)
    add_batches(path, {B1: batches[B1]})
    run = _build(path)
    assert not run.success
    assert {ROSTER_GRAIN, NO_ID_NUMBERS} <= _failed(run)
