"""The suites as Dagster asset checks, in a job shaped like the nightly one: a failed blocking
expectation stops the downstream (publishing) asset; a failed warn expectation is recorded and
publishing goes on.

Why a toy job: it proves the wiring proposed to the orchestration (one multi-asset check per
layer, specs from `check_specs`, results from `check_results`) without the orchestration, and
pins the Dagster semantics the whole design relies on (only ERROR blocks).

No `from __future__ import annotations` here: Dagster 1.13 compares the `context` annotation of
an op with the class itself and refuses the string that the future import would leave there.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    AssetSelection,
    AssetSpec,
    Definitions,
    ExecuteInProcessResult,
    MaterializeResult,
    asset,
    define_asset_job,
    in_process_executor,
    multi_asset,
    multi_asset_check,
)
from dq_fixtures import SECOND, build_warehouse

from expectations import run_suites
from expectations.dagster_checks import check_results, check_specs

RAW_KEYS = [
    AssetKey(["raw", s]) for s in ("townships", "institutions", "quota_grants", "roster")
] + [AssetKey(["audit", "load_report"])]


def _run_job(db: Path, docs: Path) -> ExecuteInProcessResult:
    @multi_asset(specs=[AssetSpec(k) for k in RAW_KEYS], can_subset=False)
    def ingest() -> Iterator[MaterializeResult]:  # landing_batches: the file is loaded already
        for key in RAW_KEYS:
            yield MaterializeResult(asset_key=key)

    specs = check_specs("raw")

    @multi_asset_check(specs=specs)
    def dq_raw(context: AssetCheckExecutionContext) -> Iterator[AssetCheckResult]:
        # two suites keep the test fast; the other specs must still be answered (passed)
        results = run_suites(
            db, context.run.run_id, docs, layer="raw", suites=["raw_roster", "load_report"]
        )
        yield from check_results(results, specs)

    @asset(deps=RAW_KEYS)
    def published() -> None:
        """Stands for published_warehouse."""

    defs = Definitions(
        assets=[ingest, published],
        asset_checks=[dq_raw],
        jobs=[define_asset_job("nightly", AssetSelection.all(), executor_def=in_process_executor)],
    )
    return defs.resolve_job_def("nightly").execute_in_process(raise_on_error=False)


def _materialized(result: ExecuteInProcessResult) -> set[AssetKey]:
    return {e.asset_key for e in result.get_asset_materialization_events() if e.asset_key}


def _plant(sql: str) -> Callable[[duckdb.DuckDBPyConnection], None]:
    def mutate(con: duckdb.DuckDBPyConnection) -> None:
        con.execute(sql.format(b=f"date '{SECOND}'"))

    return mutate


@pytest.mark.parametrize(
    ("defect", "severity", "publishes"),
    [
        (  # a contract value ingest should have refused: blocking
            "update raw.roster set status = '退休' where batch_date = {b} and name = '人员010'",
            AssetCheckSeverity.ERROR,
            False,
        ),
        (  # a source-data problem the findings report anyway: warn
            "update raw.roster set birth_date = {b} + 10 "
            "where batch_date = {b} and name = '人员011'",
            AssetCheckSeverity.WARN,
            True,
        ),
    ],
)
def test_only_blocking_failures_stop_publishing(
    tmp_path: Path, defect: str, severity: AssetCheckSeverity, publishes: bool
) -> None:
    db = build_warehouse(tmp_path / "build.duckdb", after_marts=_plant(defect))
    result = _run_job(db, tmp_path / "dq_docs")
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == {s.name for s in check_specs("raw")}
    roster = evaluations["dq_raw_roster"]
    assert not roster.passed and roster.severity == severity
    assert all(e.passed for name, e in evaluations.items() if name != "dq_raw_roster")
    assert (AssetKey(["published"]) in _materialized(result)) is publishes


def test_specs_attach_to_the_asset_keys_the_orchestration_uses() -> None:
    specs = {s.name: s for s in check_specs("marts")}
    assert specs["dq_marts_findings"].asset_key == AssetKey(["marts", "findings"])
    assert specs["dq_headcount_change"].asset_key == AssetKey(["marts", "roster"])
    assert specs["dq_marts_findings"].blocking and not specs["dq_vacancy_rate"].blocking
    raw = {s.name: s.asset_key for s in check_specs("raw")}
    assert raw["dq_raw_roster"] == AssetKey(["raw", "roster"])
    assert raw["dq_load_report"] == AssetKey(["audit", "load_report"])
    mapped = check_specs("marts", asset_key_for=lambda t: AssetKey(t.split(".")[1]))
    assert {s.asset_key for s in mapped} >= {AssetKey("findings"), AssetKey("roster")}
