"""What the Dagster UI shows of a night: the load report and the data-quality results as
materialization and asset-check metadata, the export and the publish as materializations.

In-process (not through `bianzhi run`) because the metadata lives in the run's events.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterEventType

from orchestration.definitions import build_resources, defs
from orchestration.paths import PROJECT_ROOT, run_target_dir
from orchestration.settings import WarehouseSettings


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory):
    import demo

    root = tmp_path_factory.mktemp("job_metadata")
    demo.generate(root / "landing", seed=11, people=200)
    settings = WarehouseSettings(
        landing_dir=str(root / "landing"),
        warehouse_path=str(root / "warehouse.duckdb"),
        config_path=str(PROJECT_ROOT / "config" / "rules.yml"),
    )
    result = defs.resolve_job_def("nightly").execute_in_process(
        resources=build_resources(settings), raise_on_error=False
    )
    return settings, result


def _job_for(settings: WarehouseSettings):
    """The nightly job bound to these settings, as `Definitions` binds it, so that a part of it
    can run: what the Dagster UI does when someone materializes a few assets."""
    from dagster import Definitions

    from orchestration import definitions

    return Definitions(
        assets=definitions.defs.assets,
        asset_checks=definitions.defs.asset_checks,
        jobs=[definitions.nightly_job],
        resources=build_resources(settings),
    ).resolve_job_def("nightly")


def _materialization(result, key: list[str]):
    events = [
        e
        for e in result.all_events
        if e.event_type == DagsterEventType.ASSET_MATERIALIZATION and e.asset_key == AssetKey(key)
    ]
    assert len(events) == 1, key
    return events[0].materialization.metadata


def test_night_publishes_under_its_own_lock(night) -> None:
    settings, result = night
    assert result.success
    assert settings.warehouse.exists() and not settings.build_path.exists()


def test_load_report_is_materialization_metadata(night) -> None:
    _, result = night
    table = _materialization(result, ["audit", "load_report"])["load_report"].value
    assert table.startswith("| batch | source | file |")
    assert table.count("| roster |") == 3  # one row per batch
    rows = _materialization(result, ["raw", "roster"])["rows_loaded"].value
    assert rows > 0


def test_data_quality_results_are_check_metadata(night) -> None:
    _, result = night
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    dq = {name: e for name, e in evaluations.items() if e.metadata.get("results") is not None}
    targets = {e.metadata["target"].value for e in dq.values()}
    assert {"raw.roster", "audit.load_report", "marts.findings"} <= targets
    roster = next(e for e in dq.values() if e.metadata["target"].value == "raw.roster")
    assert roster.asset_key == AssetKey(["raw", "roster"])
    assert roster.metadata["expectations"].value > 0
    assert "| " in roster.metadata["results"].value  # the per-expectation table
    # the demo plants grants for institutions that do not exist: a warning, not a block
    grants = next(e for e in dq.values() if e.metadata["target"].value == "raw.quota_grants")
    assert not grants.passed and grants.severity.value == "WARN"
    assert "institution_exists" in grants.metadata["failed_warn"].value


def test_export_is_a_materialization(night) -> None:
    settings, result = night
    meta = _materialization(result, ["county_export"])
    workbook = Path(meta["workbook"].value)
    assert workbook.is_file() and workbook.parent.parent == settings.warehouse.parent / "exports"
    assert "问题清单" in meta["sheets"].value
    published = _materialization(result, ["published_warehouse"])
    assert published["path"].value == str(settings.warehouse)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"nightly_export_max_people": 10}, "more than the nightly workbook's 10"),
        ({"nightly_export": "off"}, "BIANZHI_NIGHTLY_EXPORT=off"),
    ],
)
def test_export_step_skips_large_rosters_and_when_off(night, tmp_path: Path, change, reason):
    import uuid

    from orchestration.publish import start_build

    settings, _ = night
    copy = WarehouseSettings(
        landing_dir=settings.landing_dir,
        warehouse_path=str(tmp_path / "warehouse.duckdb"),
        config_path=settings.config_path,
        **change,
    )
    run_id = str(uuid.uuid4())
    start_build(settings.warehouse, copy.build_path, run_id)  # as the step finds it in a night
    result = _job_for(copy).execute_in_process(
        asset_selection=[AssetKey(["county_export"])], run_id=run_id
    )
    meta = result.asset_materializations_for_node("county_export")[0].metadata
    assert reason in meta["skipped"].value
    assert not (tmp_path / "exports").exists()
    if "nightly_export_max_people" in change:  # the people counted are the roster mart's
        con = duckdb.connect(str(copy.build_path), read_only=True)
        try:
            (people,) = con.execute(
                "select count(*) from marts.roster "
                "where as_of = (select max(batch_date) from audit.batches)"
            ).fetchone()
        finally:
            con.close()
        assert people > 10
        assert meta["skipped"].value.startswith(f"{people} people on the ")


def test_publishing_alone_refuses_a_build_another_run_left(night, tmp_path: Path) -> None:
    """A launched run that failed leaves its build file; materializing only
    `published_warehouse` afterwards (the UI allows it) must not publish that leftover."""
    import hashlib
    import shutil

    from orchestration.publish import start_build

    settings, _ = night
    copy = WarehouseSettings(
        landing_dir=settings.landing_dir,
        warehouse_path=str(tmp_path / "warehouse.duckdb"),
        config_path=settings.config_path,
    )
    shutil.copyfile(settings.warehouse, copy.warehouse)
    start_build(copy.warehouse, copy.build_path, "an-earlier-failed-run")
    before = hashlib.sha256(copy.warehouse.read_bytes()).hexdigest()
    result = _job_for(copy).execute_in_process(
        asset_selection=[AssetKey(["published_warehouse"])], raise_on_error=False
    )
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.user_failure_data
    assert "not started by this run" in failure.description
    assert hashlib.sha256(copy.warehouse.read_bytes()).hexdigest() == before


def test_dbt_writes_no_json_artifacts_and_no_statement_log(night) -> None:
    """The night's dbt is told what not to write (dbt_run.invocation_args): no manifest.json or
    run_results.json, and dbt.log without a debug line per statement."""
    settings, result = night
    assert result.success
    target = run_target_dir(Path(settings.warehouse_path))
    assert (target / "partial_parse.msgpack").exists()
    assert (target / "compiled").is_dir()
    assert not (target / "run_results.json").exists()
    assert not (target / "manifest.json").exists()
    log = target / "dbt.log"
    text = log.read_text("utf-8") if log.exists() else ""
    assert "[debug]" not in text and "On master" not in text
