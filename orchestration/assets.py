"""The nightly job's assets: ingest, dbt models, checks, export, publish.

Why this split: each box of the architecture picture is one asset (or one dbt asset per model),
so the Dagster UI shows where a night stopped, and a blocking check upstream of `publish` is
enough to guarantee that nothing failed is ever published.
"""

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

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
    multi_asset_check,
)
from dagster_dbt import DagsterDbtTranslator, dbt_assets, get_asset_key_for_model

from expectations import docs_due
from expectations.dagster_checks import check_results, check_specs
from ingest import UnreadableSourceError, load_landing
from orchestration import volume
from orchestration.config import dbt_build_args, load_rules_config
from orchestration.dbt_config import dbt_project, run_target_dir
from orchestration.dbt_run import dagster_events, invoke_dbt, selection_args
from orchestration.failpoints import failpoint
from orchestration.publish import (
    ForeignBuildError,
    loaded_batches,
    publish,
    require_own_build,
    start_build,
)
from orchestration.run_log import RUN_LOG_DDL, import_run_log
from orchestration.settings import (
    ENV_NIGHTLY_EXPORT,
    ENV_NIGHTLY_EXPORT_MAX_PEOPLE,
    DataQuality,
    WarehouseLock,
    WarehouseSettings,
    dq_config_from_env,
)

SOURCES = ("townships", "institutions", "quota_grants", "roster")
RAW_KEYS = {source: AssetKey(["raw", source]) for source in SOURCES}
LOAD_REPORT_KEY = AssetKey(["audit", "load_report"])
BATCHES_KEY = AssetKey(["audit", "batches"])
QUARANTINE_KEY = AssetKey(["audit", "quarantine"])


def _own_build(context, settings: WarehouseSettings) -> None:  # noqa: ANN001 - any context
    """Every step after ingest works on the build file its own run started, or not at all."""
    try:
        require_own_build(settings.build_path, context.run.run_id)
    except ForeignBuildError as exc:
        raise Failure(description=str(exc)) from exc


def _published_and_new(settings: WarehouseSettings) -> tuple[list[date], list[date]]:
    """(batches of the published warehouse, batches this run's build file adds), in date order:
    the checks judge only what the night adds."""
    published = loaded_batches(settings.warehouse)
    known = set(published)
    return published, [b for b in loaded_batches(settings.build_path) if b not in known]


#: Rows one xlsx worksheet holds, the header row included (the roster sheet's limit).
XLSX_MAX_ROWS = 1_048_575

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
    context: AssetExecutionContext, settings: WarehouseSettings, warehouse_lock: WarehouseLock
) -> Iterator[MaterializeResult]:
    """Start the build file from the published warehouse and load every new landing batch."""
    start_build(settings.warehouse, settings.build_path, context.run.run_id)
    con = settings.connect_build()
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
    context: AssetCheckExecutionContext, settings: WarehouseSettings, warehouse_lock: WarehouseLock
) -> AssetCheckResult:
    """Block publishing when the roster's row count jumps against the last published batch."""
    _own_build(context, settings)
    rules = load_rules_config(settings.config_path)
    max_change = float(rules["volume_guard"]["max_change"])
    published, new = _published_and_new(settings)
    con = settings.connect_build()
    try:
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
def warehouse_models(
    context: AssetExecutionContext, settings: WarehouseSettings, warehouse_lock: WarehouseLock
):
    """`dbt build` (models and their tests) on the run's build file, thresholds as vars.

    An error-severity dbt test that fails makes dbt skip what depends on it and fail the step,
    so nothing downstream — publishing included — runs.
    """
    _own_build(context, settings)
    rules = load_rules_config(settings.config_path)
    manifest = json.loads(DBT_PROJECT.manifest_path.read_text(encoding="utf-8"))
    args = dbt_build_args(rules) + selection_args(context, manifest, DBT_TRANSLATOR)
    target = run_target_dir(settings.warehouse)
    invocation = invoke_dbt(DBT_PROJECT, args, settings.build_path, target)
    yield from dagster_events(invocation, manifest, DBT_TRANSLATOR, context, target)
    if not invocation.success:
        detail = "; ".join(invocation.failures) or invocation.error or "dbt build failed"
        raise Failure(description=f"dbt build failed: {detail}")


def dq_asset_key(target: str) -> AssetKey:
    """The asset a suite checks: ingest tables by schema/table, marts as the dbt assets say."""
    schema, table = target.split(".", 1)
    if schema == "marts":
        return get_asset_key_for_model([warehouse_models], table)
    return AssetKey([schema, table])


_DQ_CONFIG = dq_config_from_env()
DQ_RAW_SPECS = check_specs(
    "raw", Path(_DQ_CONFIG) if _DQ_CONFIG else None, asset_key_for=dq_asset_key
)
DQ_MART_SPECS = check_specs(
    "marts", Path(_DQ_CONFIG) if _DQ_CONFIG else None, asset_key_for=dq_asset_key
)


def _dq(
    context: AssetCheckExecutionContext,
    settings: WarehouseSettings,
    data_quality: DataQuality,
    layer: str,
    specs,  # noqa: ANN001 - list[AssetCheckSpec]
):
    """Run one layer's suites on the batches this run adds. The Data Docs (both layers' results)
    are rendered after the marts layer, or after the raw layer when it blocks the night: in the
    background, while the night goes on."""
    _own_build(context, settings)
    _, new = _published_and_new(settings)
    docs_dir = settings.warehouse.parent / "dq_docs"
    results = data_quality.run_suites(
        settings.build_path,
        context.run.run_id,
        docs_dir,
        config_path=settings.dq_config,
        layer=layer,
        batch_dates=new or None,
    )
    if docs_due(layer, results):
        data_quality.render_docs(context.run.run_id, settings.build_path, docs_dir)
    yield from check_results(results, specs, dq_asset_key)


@multi_asset_check(specs=DQ_RAW_SPECS, name="dq_raw")
def dq_raw(
    context: AssetCheckExecutionContext,
    settings: WarehouseSettings,
    warehouse_lock: WarehouseLock,
    data_quality: DataQuality,
):
    """Great Expectations suites on the sources as loaded (blocking ones stop dbt)."""
    yield from _dq(context, settings, data_quality, "raw", DQ_RAW_SPECS)


@multi_asset_check(specs=DQ_MART_SPECS, name="dq_marts")
def dq_marts(
    context: AssetCheckExecutionContext,
    settings: WarehouseSettings,
    warehouse_lock: WarehouseLock,
    data_quality: DataQuality,
):
    """Great Expectations suites on the built marts (blocking ones stop export and publish)."""
    yield from _dq(context, settings, data_quality, "marts", DQ_MART_SPECS)


@asset(
    deps=[warehouse_models],
    group_name="publish",
    description="The county's masked inspection workbook for the newest batch (bianzhi export)",
)
def county_export(
    context: AssetExecutionContext, settings: WarehouseSettings, warehouse_lock: WarehouseLock
) -> MaterializeResult:
    """The workbook 编办 inspectors take, written from the checked build file and logged in its
    `audit.export_log`, so the log row is published together with the batch it exports."""
    if settings.nightly_export == "off":
        return MaterializeResult(metadata={"skipped": f"{ENV_NIGHTLY_EXPORT}=off"})
    _own_build(context, settings)
    from exports.export import run_export
    from exports.export_log import append_entry

    con = settings.connect_build(read_only=True)
    try:
        newest = con.execute("select max(batch_date) from audit.batches").fetchone()[0]
        # the roster's rows as loaded: marts.roster has one row per roster row, but as a view
        # over the roster and its resolved units it resolves them to count them (0.2 s at L)
        people = con.execute(
            "select count(*) from raw.roster where batch_date = ?", [newest]
        ).fetchone()[0]
    finally:
        con.close()
    if newest is None:
        return MaterializeResult(metadata={"skipped": "no batch loaded"})
    if people > min(settings.nightly_export_max_people, XLSX_MAX_ROWS):
        reason = (
            f"{people} people on the {newest} roster: more than the nightly workbook's "
            f"{settings.nightly_export_max_people} ({ENV_NIGHTLY_EXPORT_MAX_PEOPLE}); "
            "bianzhi export --township writes one township"
        )
        context.log.info(f"county_export skipped: {reason}")
        return MaterializeResult(metadata={"skipped": reason})

    def log_in_build(entry) -> None:  # noqa: ANN001 - exports.export_log.ExportLogEntry
        log_con = settings.connect_build()
        try:
            append_entry(log_con, entry)
        finally:
            log_con.close()

    result = run_export(
        settings.build_path,
        settings.warehouse.parent / "exports" / newest.isoformat(),
        as_of=newest,
        log=log_in_build,
        published_as=settings.warehouse,
    )
    context.log.info(f"exported {result.workbook}")
    return MaterializeResult(
        metadata={
            "workbook": MetadataValue.path(str(result.workbook)),
            "as_of": newest.isoformat(),
            "sheets": [sheet.name for sheet in result.sheets],
        }
    )


@asset(
    deps=[warehouse_models, county_export],
    group_name="publish",
    description="Atomically replace the published warehouse with the checked build file",
)
def published_warehouse(
    context: AssetExecutionContext, settings: WarehouseSettings, warehouse_lock: WarehouseLock
) -> MaterializeResult:
    """The only write to the published file: checkpoint, close, os.replace."""
    _own_build(context, settings)
    con = settings.connect_build()
    try:
        batches = [
            str(r[0]) for r in con.execute("select batch_date from audit.batches").fetchall()
        ]
        con.execute(
            "insert into audit.run_log values (?, current_timestamp, 'published', ?, ?)",
            [context.run.run_id, ",".join(batches), "published"],
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
