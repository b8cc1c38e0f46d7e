"""The rules configuration file and the dbt arguments built from it.

Why pure functions: the thresholds an operator edits in `config/rules.yml` reach SQL only as dbt
vars. Building the argument list without side effects lets the tests pin exactly what dbt is
asked to do, and keeps every number out of the SQL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from orchestration.paths import DBT_PROJECT_DIR

#: The dbt project's macros, whose text the batch fingerprint covers (`macros_digest`).
MACRO_DIR = DBT_PROJECT_DIR / "macros"
#: The generic data tests: macros too (`{% test %}`), covered by the same digest, which the
#: tests' fingerprints use (dbt_project/macros/tested_batches.sql).
GENERIC_TEST_DIR = DBT_PROJECT_DIR / "tests" / "generic"

#: Every threshold the rules read, as (section, key). A config missing one is refused early.
REQUIRED_THRESHOLDS: tuple[tuple[str, str], ...] = (
    ("leader_ratio", "max_ratio"),
    ("leader_ratio", "min_staff"),
    ("seconded", "escalate_after_days"),
    ("township_leadership", "max_posts"),
    ("township_leadership", "max_posts_large"),
    ("township_leadership", "large_population"),
    ("township_leadership", "large_area_km2"),
    ("institution_limit", "max_internal_offices"),
    ("institution_limit", "max_public_units"),
    ("volume_guard", "max_change"),
)


class ConfigError(ValueError):
    """The rules configuration cannot be used (a usage error: exit code 2)."""


def load_rules_config(path: Path) -> dict[str, Any]:
    """Read and validate the rules configuration file."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the rules configuration ({exc})") from exc
    return validate_rules_config(data, source=str(path))


def validate_rules_config(data: Any, source: str = "rules config") -> dict[str, Any]:
    """Check every threshold is present and a non-negative number."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: expected a mapping of rule sections")
    for section, key in REQUIRED_THRESHOLDS:
        value = (data.get(section) or {}).get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"{source}: {section}.{key} must be a non-negative number")
    return {section: dict(values) for section, values in data.items()}


def macros_digest(macro_dir: Path = MACRO_DIR, generic_test_dir: Path = GENERIC_TEST_DIR) -> str:
    """16 hex characters of SHA-256 over every macro file under `macro_dir` and every generic
    test under `generic_test_dir` (relative path and bytes, in path order).

    Why: an incremental model rebuilds a batch when its fingerprint changes
    (dbt_project/macros/incremental_batches.sql). dbt gives Jinja the checksums of the models
    and seeds but not of the macros, so a changed macro (a rule's SQL, the unit resolution) went
    unnoticed and old batches kept the old logic. Passed as a var, any macro change makes every
    batch pending once: the error is towards rebuilding too much, never too little. The same
    holds for a data test that checks by batch: a changed generic test checks every batch again.
    """
    digest = hashlib.sha256()
    for label, folder in (("macros", macro_dir), ("tests", generic_test_dir)):
        for path in sorted(folder.rglob("*.sql")):
            name = f"{label}/{path.relative_to(folder).as_posix()}"
            digest.update(name.encode("utf-8") + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def dbt_vars(rules: Mapping[str, Any], macro_dir: Path = MACRO_DIR) -> dict[str, Any]:
    """The dbt vars for a run: the whole rules configuration under `rules`, and the digest of
    the project's macros under `macros_digest` (see `macros_digest`)."""
    return {"rules": dict(rules), "macros_digest": macros_digest(macro_dir)}


def dbt_build_args(
    rules: Mapping[str, Any], select: Sequence[str] = (), macro_dir: Path = MACRO_DIR
) -> list[str]:
    """Arguments of the nightly `dbt build`, thresholds (and the macros' digest) passed as vars."""
    variables = dbt_vars(rules, macro_dir)
    args = ["build", "--vars", json.dumps(variables, ensure_ascii=False, sort_keys=True)]
    # dbt unit tests check SQL logic on fixed inputs, not the night's data: `make test` runs
    # them (tests/dbt); the night runs the data tests that guard what it publishes.
    args += ["--exclude-resource-type", "unit_test"]
    if select:
        args += ["--select", *select]
    return args
