"""The Dagster definitions: they load, validate, and the schedule and sensor decide correctly."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
from dagster import (
    AssetKey,
    RunRequest,
    SkipReason,
    build_schedule_context,
    build_sensor_context,
)

from orchestration.definitions import (
    RETRY_TAGS,
    defs,
    landing_sensor,
    nightly_job,
    nightly_schedule,
)
from orchestration.paths import PROJECT_ROOT
from orchestration.publish import run_lock
from orchestration.settings import WarehouseLock, WarehouseSettings


def _settings(tmp_path: Path) -> WarehouseSettings:
    return WarehouseSettings(
        landing_dir=str(tmp_path / "landing"),
        warehouse_path=str(tmp_path / "warehouse.duckdb"),
        config_path=str(PROJECT_ROOT / "config" / "rules.yml"),
    )


def _publish_batches(settings: WarehouseSettings, batches: list[str]) -> None:
    con = duckdb.connect(settings.warehouse_path)
    con.execute("create schema audit; create table audit.batches (batch_date date)")
    con.executemany("insert into audit.batches values (?)", [[b] for b in batches])
    con.close()


def test_dagster_definitions_validate() -> None:
    proc = subprocess.run(
        [
            str(PROJECT_ROOT / ".venv/bin/dagster"),
            "definitions",
            "validate",
            "-m",
            "orchestration.definitions",
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_job_covers_ingest_models_checks_and_publish() -> None:
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    for key in (
        ["raw", "roster"],
        ["audit", "load_report"],
        ["marts", "findings"],
        ["marts", "staffing_reconciliation"],
        ["published_warehouse"],
        ["county_export"],
    ):
        assert AssetKey(key) in keys, key
    checks = {c.name for c in graph.asset_check_keys}
    assert "roster_volume" in checks
    # the data-quality suites: one check per suite, on the asset the suite reads
    check_keys = {(c.asset_key.path[0], c.name) for c in graph.asset_check_keys}
    assert any(schema == "raw" and "roster" in name for schema, name in check_keys)
    assert any(schema == "marts" and "findings" in name for schema, name in check_keys)
    assert graph.get(AssetKey(["published_warehouse"])).parent_keys >= {AssetKey(["county_export"])}
    assert any(name.startswith(("not_null", "unique", "accepted_values")) for name in checks)
    # the singular test over two marts is a check on the one its meta names (not an
    # observation logged with a warning every night)
    assert ("marts", "findings", "assert_marts_hold_no_identity_numbers") in {
        (*c.asset_key.path, c.name) for c in graph.asset_check_keys
    }
    assert nightly_job.tags == RETRY_TAGS
    assert RETRY_TAGS["dagster/retry_on_asset_or_op_failure"] == "false"


def test_a_launched_run_takes_the_run_lock(tmp_path: Path) -> None:
    """A run the schedule or sensor launches (no caller holding the lock) waits for the lock a
    `bianzhi run` or `bianzhi export` holds, then fails without touching the build file."""
    settings = _settings(tmp_path)
    (tmp_path / "landing" / "2026-11-20").mkdir(parents=True)
    resources = {
        "settings": settings,
        "warehouse_lock": WarehouseLock(settings=settings, wait_seconds=0.3),
    }
    with run_lock(settings.warehouse):
        result = nightly_job.resolve(
            asset_graph=defs.resolve_asset_graph(), resource_defs={}
        ).execute_in_process(resources=resources, raise_on_error=False)
    assert not result.success
    failures = [e.event_specific_data for e in result.all_events if e.is_failure]
    assert "another bianzhi run is in progress" in repr(failures)
    assert not settings.build_path.exists()
    assert not [e for e in result.all_events if e.is_step_start], "a step ran without the lock"


def test_schedule_is_0200_shanghai_and_skips_without_new_batches(tmp_path: Path) -> None:
    assert nightly_schedule.cron_schedule == "0 2 * * *"
    assert nightly_schedule.execution_timezone == "Asia/Shanghai"
    settings = _settings(tmp_path)
    (tmp_path / "landing" / "2026-11-20").mkdir(parents=True)
    when = datetime(2026, 11, 21, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    ctx = build_schedule_context(resources={"settings": settings}, scheduled_execution_time=when)
    request = nightly_schedule(ctx)
    assert isinstance(request, RunRequest)
    assert request.tags["bianzhi/batches"] == "2026-11-20"
    _publish_batches(settings, ["2026-11-20"])
    ctx = build_schedule_context(resources={"settings": settings}, scheduled_execution_time=when)
    assert isinstance(nightly_schedule(ctx), SkipReason)


def test_sensor_fires_on_a_new_batch_folder_only(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    (tmp_path / "landing").mkdir()
    ctx = build_sensor_context(resources={"settings": settings})
    assert isinstance(landing_sensor(ctx), SkipReason)
    (tmp_path / "landing" / "2026-11-20").mkdir()
    (tmp_path / "landing" / "readme.txt").write_text("not a batch")
    first = landing_sensor(build_sensor_context(resources={"settings": settings}))
    assert isinstance(first, RunRequest)
    assert first.run_key == "landing:2026-11-20"
    (tmp_path / "landing" / "2026-11-21").mkdir()
    second = landing_sensor(build_sensor_context(resources={"settings": settings}))
    assert second.run_key == "landing:2026-11-20,2026-11-21"


def test_dagster_ui_serves_the_nightly_job(tmp_path: Path) -> None:
    """What `make ui` starts: the webserver loads the definitions and lists the job."""
    import json
    import os
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    webserver = PROJECT_ROOT / ".venv" / "bin" / "dagster-webserver"
    proc = subprocess.Popen(
        [str(webserver), "-m", "orchestration.definitions", "-h", "127.0.0.1", "-p", str(port)],
        env={**os.environ, "DAGSTER_HOME": str(tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    query = json.dumps(
        {
            "query": "{ repositoriesOrError { ... on RepositoryConnection "
            "{ nodes { jobs { name } } } } }"
        }
    ).encode()
    try:
        deadline, jobs = time.monotonic() + 120, None
        while time.monotonic() < deadline and jobs is None:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/graphql",
                    data=query,
                    headers={"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(request, timeout=5) as response:
                    body = json.load(response)
                nodes = body["data"]["repositoriesOrError"].get("nodes") or []
                jobs = {job["name"] for node in nodes for job in node["jobs"]} or None
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                time.sleep(0.5)
        assert jobs is not None and "nightly" in jobs
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_failure_sensor_writes_the_failed_night_into_the_run_log(tmp_path: Path) -> None:
    """A launched run that fails (here: an unreadable roster) is recorded beside the warehouse;
    the next publishing run copies it into audit.run_log."""
    import json

    from dagster import DagsterInstance, build_run_status_sensor_context

    from orchestration.definitions import build_resources, record_failure
    from orchestration.run_log import run_log_path

    settings = _settings(tmp_path)
    batch = tmp_path / "landing" / "2026-11-20"
    batch.mkdir(parents=True)
    (batch / "人员花名册.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("nightly").execute_in_process(
            instance=instance,
            resources=build_resources(settings),
            raise_on_error=False,
            tags={"bianzhi/batches": "2026-11-20"},
        )
        assert not result.success
        context = build_run_status_sensor_context(
            sensor_name="record_failure",
            dagster_instance=instance,
            dagster_run=result.dagster_run,
            dagster_event=result.get_run_failure_event(),
            resources={"settings": settings},
        ).for_run_failure()
        record_failure(context)
    lines = run_log_path(settings.warehouse).read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[-1])
    assert entry["run_id"] == result.run_id
    assert entry["status"] == "failed" and entry["batches"] == "2026-11-20"
    assert entry["message"].startswith("landing_batches: ")
    assert "missing: townships" in entry["message"]  # the step's own words
    assert not settings.warehouse.exists(), "a failed run published something"
