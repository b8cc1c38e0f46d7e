"""Execute the nightly job in-process and read its outcome (used by `bianzhi run`)."""

from __future__ import annotations

import os
from pathlib import Path

from dagster import DagsterEventType, DagsterInstance, ExecuteInProcessResult

from orchestration.assets import EXIT_CODE_KEY
from orchestration.definitions import build_resources, defs
from orchestration.outcome import FailedCheck, Outcome, StepFailure, decide
from orchestration.settings import settings_from_env

#: The command line shows Dagster's step-level messages, not its per-event debug stream.
CONSOLE_INFO = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def _instance() -> DagsterInstance:
    """The persistent instance when DAGSTER_HOME is set (runs then show in the UI)."""
    if os.environ.get("DAGSTER_HOME"):
        return DagsterInstance.get()
    return DagsterInstance.ephemeral()


def execute_nightly(
    landing: Path, warehouse: Path, config: Path, accept_anomalies: bool
) -> tuple[Outcome, str]:
    settings = settings_from_env(
        accept_anomalies, landing=landing, warehouse=warehouse, config=config
    )
    job = defs.resolve_job_def("nightly")
    with _instance() as instance:
        result = job.execute_in_process(
            run_config=CONSOLE_INFO,
            instance=instance,
            resources=build_resources(settings, lock_held=True),  # `bianzhi run` holds it
            raise_on_error=False,
        )
    return outcome_of(result), result.run_id


def outcome_of(result: ExecuteInProcessResult) -> Outcome:
    failures = []
    for event in result.get_step_failure_events():
        data = event.step_failure_data
        user = data.user_failure_data
        code = None
        message = data.error.message.strip() if data.error else "step failed"
        if user is not None:
            message = user.description or message
            meta = user.metadata.get(EXIT_CODE_KEY)
            code = int(meta.value) if meta is not None else None
        failures.append(StepFailure(event.step_key or "?", message, code))
    failed_checks = [
        FailedCheck(e.check_name, e.description or "")
        for e in result.get_asset_check_evaluations()
        if not e.passed and e.severity.value == "ERROR"
    ]
    published = any(
        e.event_type == DagsterEventType.ASSET_MATERIALIZATION
        and e.asset_key is not None
        and e.asset_key.path == ["published_warehouse"]
        for e in result.all_events
    )
    return decide(published, failures, failed_checks)
