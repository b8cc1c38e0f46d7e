"""The nightly job's assets: ingest, dbt models, checks, export, publish.

Why this split: each box of the architecture picture is one asset (or one dbt asset per model),
so the Dagster UI shows where a night stopped, and a blocking check upstream of `publish` is
enough to guarantee that nothing failed is ever published.
"""

import json
from collections.abc import Iterator

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
    multi_asset,
)
from dagster_dbt import DagsterDbtTranslator, dbt_assets

from ingest import UnreadableSourceError, load_landing
from orchestration import volume
from orchestration.config import dbt_build_args, load_rules_config
from orchestration.dbt_config import RUN_TARGET_DIR, dbt_project
from orchestration.dbt_run import dagster_events, invoke_dbt, selection_args
from orchestration.failpoints import failpoint
from orchestration.publish import loaded_batches, publish, start_build
from orchestration.run_log import RUN_LOG_DDL, import_run_log
from orchestration.settings import WarehouseSettings

SOURCES = ("townships", "institutions", "quota_grants", "roster")
RAW_KEYS = {source: AssetKey(["raw", source]) for source in SOURCES}
LOAD_REPORT_KEY = AssetKey(["audit", "load_report"])
BATCHES_KEY = AssetKey(["audit", "batches"])
QUARANTINE_KEY = AssetKey(["audit", "quarantine"])

#: Exit code a failure asks `bianzhi run` to return (metadata key on `Failure`).
EXIT_CODE_KEY = "bianzhi_exit_code"


@multi_asset(
    specs=[
        *(
            AssetSpec(key, group_name="ingest", description=f"Typed rows of the {s} source")
            for s, key in RAW_KEYS.items()
        ),
        AssetSpec(LOAD_REPORT_KEY, group_name="ingest", description="Rows per batch and file"),
        AssetSpec(BATCHES_KEY, group_name="ingest", description="Loaded batch dates"),
        AssetSpec(QUARANTINE_KEY, group_name="ingest", description="Row errors, as they arrived"),
    ],
    can_subset=False,
)
def landing_batches(
    context: AssetExecutionContext, settings: WarehouseSettings
) -> Iterator[MaterializeResult]:
    """Start the build file from the published warehouse and load every new landing batch."""
    start_build(settings.warehouse, settings.build_path)
    con = duckdb.connect(str(settings.build_path))
    try:
        con.execute(RUN_LOG_DDL)
        import_run_log(con, settings.warehouse)
        try:
            result = load_landing(con, settings.landing, settings.pii_key())
            failpoint("after-ingest")
        except UnreadableSourceError as exc:
            raise Failure(description=str(exc), metadata={EXIT_CODE_KEY: 2}) from exc
        batches = [str(b) for b in result.batches]
        report = con.execute(
            "select batch_date::varchar, source, file_name, rows_read, rows_loaded, "
            "rows_quarantined, rows_blank, rows_totals, carried_forward from audit.load_report "
            "where batch_date in (select unnest(?::date[])) order by 1, 2",
            [list(result.batches)],
        ).fetchall()
    finally:
        con.close()
    context.log.info(f"loaded batches: {', '.join(batches) or 'none'}")
    table = _markdown_table(
        ["batch", "source", "file", "read", "loaded", "quarantined", "blank", "totals", "carried"],
        report,
    )
    for source, key in RAW_KEYS.items():
        rows = sum(r[4] for r in report if r[1] == source)
        yield MaterializeResult(
            asset_key=key, metadata={"batches": batches, "rows_loaded": MetadataValue.int(rows)}
        )
    yield MaterializeResult(
        asset_key=LOAD_REPORT_KEY, metadata={"load_report": MetadataValue.md(table)}
    )
    yield MaterializeResult(asset_key=BATCHES_KEY, metadata={"batches": batches})
    yield MaterializeResult(
        asset_key=QUARANTINE_KEY,
        metadata={"rows_quarantined": MetadataValue.int(sum(r[5] for r in report))},
    )


@asset_check(asset=RAW_KEYS["roster"], blocking=True, description="Roster volume guard (20 %)")
def roster_volume(
    context: AssetCheckExecutionContext, settings: WarehouseSettings
) -> AssetCheckResult:
    """Block publishing when the roster's row count jumps against the last published batch."""
    rules = load_rules_config(settings.config_path)
    max_change = float(rules["volume_guard"]["max_change"])
    published = loaded_batches(settings.warehouse)
    con = duckdb.connect(str(settings.build_path))
    try:
        built = [
            r[0] for r in con.execute("select batch_date from audit.batches order by 1").fetchall()
        ]
        new = [b for b in built if b not in set(published)]
        previous = None
        if published:
            last = published[-1]
            previous = (last, volume.roster_rows(con, [last]).get(last, 0))
        changes = volume.volume_changes(previous, volume.roster_rows(con, new))
        bad = volume.violations(changes, max_change)
        if bad and settings.accept_anomalies:
            con.execute(
                "update audit.load_report set anomaly_accepted = true "
                "where source = 'roster' and batch_date in (select unnest(?::date[]))",
                [[c.batch_date for c in bad]],
            )
    finally:
        con.close()
    metadata = {
        "changes": [c.describe() for c in changes],
        "max_change": max_change,
        "accepted": settings.accept_anomalies and bool(bad),
    }
    passed = not bad or settings.accept_anomalies
    return AssetCheckResult(
        passed=passed,
        severity=AssetCheckSeverity.ERROR,
        metadata=metadata,
        description="; ".join(c.describe() for c in bad) or "roster volume within bounds",
    )


class BianzhiDbtTranslator(DagsterDbtTranslator):
    """dbt sources `raw.*` / `audit.*` map onto the ingest assets' keys (the default already
    does: [source_name, table]); models are grouped by their layer folder."""

    def get_group_name(self, dbt_resource_props):  # type: ignore[override]
        fqn = dbt_resource_props.get("fqn") or []
        if dbt_resource_props.get("resource_type") == "model" and len(fqn) > 2:
            return fqn[1]
        return super().get_group_name(dbt_resource_props)


DBT_PROJECT = dbt_project()
DBT_TRANSLATOR = BianzhiDbtTranslator()


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=DBT_TRANSLATOR,
)
def warehouse_models(context: AssetExecutionContext, settings: WarehouseSettings):
    """`dbt build` (models and their tests) on the run's build file, thresholds as vars.

    An error-severity dbt test that fails makes dbt skip what depends on it and fail the step,
    so nothing downstream — publishing included — runs.
    """
    rules = load_rules_config(settings.config_path)
    manifest = json.loads(DBT_PROJECT.manifest_path.read_text(encoding="utf-8"))
    args = dbt_build_args(rules) + selection_args(context, manifest, DBT_TRANSLATOR)
    invocation = invoke_dbt(DBT_PROJECT, args, settings.build_path)
    yield from dagster_events(invocation, manifest, DBT_TRANSLATOR, context, RUN_TARGET_DIR)
    if not invocation.success:
        detail = "; ".join(invocation.failures) or invocation.error or "dbt build failed"
        raise Failure(description=f"dbt build failed: {detail}")


@asset(
    deps=[warehouse_models],
    group_name="publish",
    description="Atomically replace the published warehouse with the checked build file",
)
def published_warehouse(
    context: AssetExecutionContext, settings: WarehouseSettings
) -> MaterializeResult:
    """The only write to the published file: checkpoint, close, os.replace."""
    con = duckdb.connect(str(settings.build_path))
    try:
        batches = [
            str(r[0]) for r in con.execute("select batch_date from audit.batches").fetchall()
        ]
        con.execute(
            "insert into audit.run_log values (?, current_timestamp, 'published', ?, ?)",
            [context.run_id, ",".join(batches), "published"],
        )
    finally:
        con.close()
    failpoint("before-publish")
    publish(settings.build_path, settings.warehouse)
    context.log.info(f"published {settings.warehouse}")
    return MaterializeResult(metadata={"path": str(settings.warehouse), "batches": batches})


def _markdown_table(header: list[str], rows: list[tuple]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
