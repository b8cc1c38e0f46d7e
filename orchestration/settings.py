"""Run settings, configured from environment variables in one place.

Why one place: the nightly schedule, the landing sensor, `dagster dev` and `bianzhi run` must all
resolve the same landing folder, warehouse file, rules config and PII key. Every other module
receives a `WarehouseSettings` resource and never reads the environment itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster import ConfigurableResource

from orchestration.dbt_config import PROJECT_ROOT

DEV_PII_KEY = "bianzhi-dev-key"

ENV_LANDING = "BIANZHI_LANDING"
ENV_WAREHOUSE = "BIANZHI_WAREHOUSE"
ENV_CONFIG = "BIANZHI_CONFIG"
ENV_PII_KEY = "BIANZHI_PII_KEY"


class WarehouseSettings(ConfigurableResource):
    """Where the run reads from and publishes to."""

    landing_dir: str
    warehouse_path: str
    config_path: str
    accept_anomalies: bool = False

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


def build_path_for(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".build")


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


def settings_from_env(accept_anomalies: bool = False) -> WarehouseSettings:
    """Settings for the Dagster definitions, with the project's defaults where unset."""
    return WarehouseSettings(
        landing_dir=os.environ.get(ENV_LANDING, str(PROJECT_ROOT / "data" / "landing")),
        warehouse_path=os.environ.get(
            ENV_WAREHOUSE, str(PROJECT_ROOT / "data" / "warehouse.duckdb")
        ),
        config_path=os.environ.get(ENV_CONFIG, str(PROJECT_ROOT / "config" / "rules.yml")),
        accept_anomalies=accept_anomalies,
    )
