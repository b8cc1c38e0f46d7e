"""Run settings, configured from environment variables in one place.

Why one place: the nightly schedule, the landing sensor, `dagster dev` and `bianzhi run` must all
resolve the same landing folder, warehouse file, rules config and PII key. Every other module
receives a `WarehouseSettings` resource and never reads the environment itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from expectations.memory import set_memory_limit
from orchestration.paths import PROJECT_ROOT
from orchestration.publish import build_path_for, run_lock

DEV_PII_KEY = "bianzhi-dev-key"

ENV_LANDING = "BIANZHI_LANDING"
ENV_WAREHOUSE = "BIANZHI_WAREHOUSE"
ENV_CONFIG = "BIANZHI_CONFIG"
ENV_PII_KEY = "BIANZHI_PII_KEY"
ENV_NIGHTLY_EXPORT = "BIANZHI_NIGHTLY_EXPORT"
ENV_DQ_CONFIG = "BIANZHI_DQ_CONFIG"
ENV_NIGHTLY_EXPORT_MAX_PEOPLE = "BIANZHI_NIGHTLY_EXPORT_MAX_PEOPLE"
ENV_DUCKDB_MEMORY_LIMIT = "BIANZHI_DUCKDB_MEMORY_LIMIT"

#: DuckDB's memory limit for the job's own connections and the data-quality suites (dbt has its
#: own, BIANZHI_DBT_MEMORY_LIMIT in dbt_project/profiles.yml). DuckDB's default is 80 % of the
#: machine: a province-sized night would take whatever the server has instead of spilling to
#: disk, and the job shares the server with the analysts' queries.
DEFAULT_DUCKDB_MEMORY_LIMIT = "2GB"


class WarehouseSettings(ConfigurableResource):
    """Where the run reads from and publishes to."""

    landing_dir: str
    warehouse_path: str
    config_path: str
    accept_anomalies: bool = False
    #: The nightly county workbook (masked) for the newest batch: "county" or "off".
    nightly_export: str = "county"
    #: Above this many people on the newest roster the nightly workbook is skipped: writing
    #: xlsx costs ~0.015 ms per person (exports/xlsx.py) — a workbook of more is rarely read.
    nightly_export_max_people: int = 100_000
    #: Data-quality severities and thresholds (None: the project's config/data_quality.yml).
    dq_config_path: str | None = None
    #: DuckDB `memory_limit` of the job's connections to the build file.
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT

    def connect_build(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """A connection to this run's build file, within the job's DuckDB memory limit."""
        con = duckdb.connect(str(self.build_path), read_only=read_only)
        set_memory_limit(con, self.duckdb_memory_limit)
        return con

    @property
    def dq_config(self) -> Path | None:
        return Path(self.dq_config_path) if self.dq_config_path else None

    @property
    def warehouse(self) -> Path:
        return Path(self.warehouse_path)

    @property
    def landing(self) -> Path:
        return Path(self.landing_dir)

    @property
    def build_path(self) -> Path:
        """The run's own build file, beside the published one (same file system: atomic rename)."""
        return build_path_for(self.warehouse)

    def pii_key(self) -> bytes:
        """The HMAC key for person_key. Read at use, never stored in run config or logs."""
        return pii_key_from_env()


class WarehouseLock(ConfigurableResource):
    """The warehouse's run lock, held for the whole run (resources of an in-process run are set
    up once, before the first step, and torn down after the last).

    Why a resource: a run the schedule or the sensor launches must exclude `bianzhi run` and
    `bianzhi export` exactly as they exclude each other, or two writers would share the build
    file. `bianzhi run` takes the lock itself before deciding whether there is work, then tells
    the job so (`held_by_caller`): `flock` would make the same process wait for itself.
    """

    settings: WarehouseSettings
    held_by_caller: bool = False
    wait_seconds: float = 600.0

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[WarehouseLock]:
        if self.held_by_caller:
            yield self
            return
        with run_lock(self.settings.warehouse, wait_seconds=self.wait_seconds):
            yield self


class DataQuality(ConfigurableResource):
    """Runs the Great Expectations suites for the job's two check steps.

    Why a resource: its worker process (expectations/worker.py) lives exactly as long as the run
    — started when the run's resources are set up, before the first step, so GX imports on the
    second core while ingest runs; closed after the last step, once the Data Docs it renders in
    the background are written. On two cores the worker forks a helper, and each step's suites
    are dealt between the two. `in_process` (`BIANZHI_DQ_WORKER=off`) runs the suites in the
    job's own process instead: slower, but one process to debug.
    """

    in_process: bool = False
    #: DuckDB `memory_limit` of the suites' connections (see DEFAULT_DUCKDB_MEMORY_LIMIT).
    memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT
    _worker: Any = PrivateAttr(default=None)

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[DataQuality]:
        if self.in_process:
            yield self
            return
        from expectations.worker import adopt_or_start

        self._worker = adopt_or_start()
        try:
            yield self
        finally:
            worker, self._worker = self._worker, None
            worker.close()

    def run_suites(self, db_path: Path, run_id: str, docs_dir: Path, **kwargs: Any) -> list[Any]:
        """`expectations.run_suites` without rendering the docs (see `render_docs`)."""
        kwargs["docs"] = "never"
        kwargs["memory_limit"] = self.memory_limit
        if self._worker is None:
            from expectations import run_suites

            return run_suites(db_path, run_id, docs_dir, **kwargs)
        return self._worker.run_suites(db_path, run_id, docs_dir, **kwargs)

    def render_docs(self, run_id: str, db_path: Path, docs_dir: Path) -> None:
        """The run's Data Docs: in the background with a worker, else now."""
        if self._worker is None:
            from expectations.runner import render_docs

            render_docs(run_id, db_path, docs_dir)
        else:
            self._worker.render_docs_later(run_id, db_path, docs_dir)


def pii_key_from_env(warn: bool = True) -> bytes:
    key = os.environ.get(ENV_PII_KEY)
    if not key:
        if warn:
            print(
                f"bianzhi: {ENV_PII_KEY} is not set; using the development key "
                "(person_key values are not secret)",
                file=sys.stderr,
            )
        key = DEV_PII_KEY
    return key.encode("utf-8")


def settings_from_env(
    accept_anomalies: bool = False,
    *,
    landing: Path | None = None,
    warehouse: Path | None = None,
    config: Path | None = None,
) -> WarehouseSettings:
    """Settings from the environment, with the project's defaults where unset; `bianzhi run`
    passes what its command line says instead."""
    return WarehouseSettings(
        landing_dir=str(landing or os.environ.get(ENV_LANDING, PROJECT_ROOT / "data" / "landing")),
        warehouse_path=str(
            warehouse or os.environ.get(ENV_WAREHOUSE, PROJECT_ROOT / "data" / "warehouse.duckdb")
        ),
        config_path=str(
            config or os.environ.get(ENV_CONFIG, PROJECT_ROOT / "config" / "rules.yml")
        ),
        accept_anomalies=accept_anomalies,
        nightly_export=os.environ.get(ENV_NIGHTLY_EXPORT, "county"),
        nightly_export_max_people=int(os.environ.get(ENV_NIGHTLY_EXPORT_MAX_PEOPLE, "100000")),
        dq_config_path=dq_config_from_env(),
        duckdb_memory_limit=os.environ.get(ENV_DUCKDB_MEMORY_LIMIT) or DEFAULT_DUCKDB_MEMORY_LIMIT,
    )


def dq_config_from_env() -> str | None:
    """Which expectations block is decided when the definitions load (a check is declared
    blocking or not), so the definitions and every run read the same variable."""
    return os.environ.get(ENV_DQ_CONFIG) or None
