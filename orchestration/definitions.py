"""The one `Definitions` of bianzhi: the nightly job, its schedule, sensors and resources.

`bianzhi run` executes `nightly_job` from here in-process, so the command line, the schedule and
the landing sensor share one code path.
"""

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    RunFailureSensorContext,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    in_process_executor,
    run_failure_sensor,
    schedule,
    sensor,
)

from expectations.worker import enabled as dq_worker_enabled
from orchestration.assets import (
    county_export,
    dq_marts,
    dq_raw,
    landing_batches,
    published_warehouse,
    roster_volume,
    warehouse_models,
)
from orchestration.publish import pending_batches
from orchestration.run_log import record_run
from orchestration.settings import (
    DataQuality,
    WarehouseLock,
    WarehouseSettings,
    settings_from_env,
)

#: Run retries restart a run whose process crashed; a failed step or check is not retried
#: (a blocked batch stays blocked until an operator acts).
RETRY_TAGS = {"dagster/max_retries": "2", "dagster/retry_on_asset_or_op_failure": "false"}

nightly_job = define_asset_job(
    name="nightly",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    tags=RETRY_TAGS,
    description="Load new landing batches, build and check the warehouse, publish it.",
)


def _pending_request(settings: WarehouseSettings, reason: str) -> RunRequest | SkipReason:
    pending = pending_batches(settings.landing, settings.warehouse)
    if not pending:
        return SkipReason(f"no new batch in {settings.landing}")
    key = ",".join(str(d) for d in pending)
    return RunRequest(run_key=f"{reason}:{key}", tags={"bianzhi/batches": key})


@schedule(
    job=nightly_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.RUNNING,
)
def nightly_schedule(context: ScheduleEvaluationContext, settings: WarehouseSettings):
    """02:00 Asia/Shanghai every night; skips when the landing folder holds nothing new."""
    return _pending_request(settings, f"nightly-{context.scheduled_execution_time:%Y-%m-%d}")


@sensor(job=nightly_job, minimum_interval_seconds=60, default_status=DefaultSensorStatus.RUNNING)
def landing_sensor(context: SensorEvaluationContext, settings: WarehouseSettings):
    """Start a run when a new batch folder appears in the landing folder."""
    return _pending_request(settings, "landing")


@run_failure_sensor(monitored_jobs=[nightly_job], default_status=DefaultSensorStatus.RUNNING)
def record_failure(context: RunFailureSensorContext, settings: WarehouseSettings) -> None:
    """Write a failed night into the run log that the next published load report carries."""
    message = context.failure_event.message or "run failed"
    steps = [
        f"{event.step_key}: {_failure_text(event)}" for event in context.get_step_failure_events()
    ]
    if steps:
        message = "; ".join(steps)
    batches = context.dagster_run.tags.get("bianzhi/batches", "")
    record_run(
        settings.warehouse, context.dagster_run.run_id, "failed", batches.split(","), message
    )


def _failure_text(event) -> str:  # noqa: ANN001 - a DagsterEvent of type STEP_FAILURE
    """The step's own words: a Failure's description, else the error's message."""
    data = event.step_failure_data
    if data.user_failure_data is not None and data.user_failure_data.description:
        return data.user_failure_data.description
    return data.error.message.strip() if data.error else "step failed"


def build_resources(settings: WarehouseSettings, lock_held: bool = False) -> dict[str, object]:
    """The run's resources; `lock_held` when the caller (`bianzhi run`) holds the run lock."""
    return {
        "settings": settings,
        "warehouse_lock": WarehouseLock(settings=settings, held_by_caller=lock_held),
        "data_quality": DataQuality(
            in_process=not dq_worker_enabled(), memory_limit=settings.duckdb_memory_limit
        ),
    }


defs = Definitions(
    assets=[landing_batches, warehouse_models, county_export, published_warehouse],
    asset_checks=[roster_volume, dq_raw, dq_marts],
    jobs=[nightly_job],
    schedules=[nightly_schedule],
    sensors=[landing_sensor, record_failure],
    resources=build_resources(settings_from_env()),
)
