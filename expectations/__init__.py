"""Data-quality suites (Great Expectations) for the bianzhi warehouse.

The orchestration calls `run_suites` on the run's build file — once with layer="raw" after
ingest, once with layer="marts" after dbt, same run_id — and turns each `SuiteResult` into a
Dagster asset check on `SuiteResult.asset_key`. `suite_catalog` lists the suites (target asset,
blocking or not) without importing Great Expectations, for the definitions.

Importing this package is cheap; Great Expectations is imported on the first `run_suites`.
"""

from expectations.config import (
    DEFAULT_CONFIG_PATH,
    DataQualityConfig,
    DataQualityConfigError,
    load_config,
)
from expectations.runner import (
    ExpectationResult,
    SuiteInfo,
    SuiteResult,
    batch_windows,
    docs_due,
    run_suites,
    suite_catalog,
)

__all__ = [
    "DEFAULT_CONFIG_PATH",
    "DataQualityConfig",
    "DataQualityConfigError",
    "ExpectationResult",
    "SuiteInfo",
    "SuiteResult",
    "batch_windows",
    "docs_due",
    "load_config",
    "run_suites",
    "suite_catalog",
]
