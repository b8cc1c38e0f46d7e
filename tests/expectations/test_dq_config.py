"""config/data_quality.yml: defaults written down, overrides checked, the catalogue follows it.

Why: which failures stop a night is an operator's decision. A typo in an override must be
refused loudly (not silently ignored), and the suites' blocking flags — which the orchestration
reads when Dagster loads — must follow the file.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from expectations import DataQualityConfigError, load_config, suite_catalog
from expectations.config import DEFAULT_CONFIG_PATH, KINDS, PROJECT_ROOT


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "dq.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _project() -> dict:
    return yaml.safe_load(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))


def test_project_defaults_block_on_integrity_and_warn_on_distributions() -> None:
    defaults = load_config().defaults
    assert set(defaults) == set(KINDS)
    for kind in ("schema", "required", "enumeration", "consistency", "referential"):
        assert defaults[kind] == "blocking", kind
    for kind in ("identifier", "date_range", "resolution", "distribution"):
        assert defaults[kind] == "warn", kind


def test_every_default_is_commented_in_the_file() -> None:
    lines = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8").splitlines()
    for kind in KINDS:
        line = next(x for x in lines if x.strip().startswith(f"{kind}:"))
        assert "#" in line, f"severity default of {kind} has no comment"


def test_override_changes_one_expectation_only(tmp_path: Path) -> None:
    data = _project()
    data["severity"]["overrides"] = {"headcount_change.headcount_change_within_bounds": "blocking"}
    config = load_config(_write(tmp_path, data))
    assert config.severity(
        "headcount_change", "headcount_change_within_bounds", "distribution"
    ) == ("blocking")
    assert config.severity("vacancy_rate", "vacancy_rate_plausible", "distribution") == "warn"


def test_catalog_blocking_flags_follow_the_config(tmp_path: Path) -> None:
    default = {s.name: s for s in suite_catalog()}
    assert not default["headcount_change"].blocking  # distribution only: warn
    assert default["raw_roster"].blocking
    data = _project()
    data["severity"]["overrides"] = {"headcount_change.headcount_change_within_bounds": "blocking"}
    data["severity"]["defaults"] = {k: "warn" for k in KINDS}
    custom = {s.name: s for s in suite_catalog(_write(tmp_path, data))}
    assert custom["headcount_change"].blocking
    assert not custom["raw_roster"].blocking


def test_catalog_names_the_asset_of_each_suite() -> None:
    keys = {s.name: s.asset_key for s in suite_catalog()}
    assert keys["raw_roster"] == ("raw", "roster")
    assert keys["load_report"] == ("audit", "load_report")
    assert keys["marts_findings"] == ("marts", "findings")
    assert keys["headcount_change"] == ("marts", "roster")
    assert {s.layer for s in suite_catalog(layer="raw")} == {"raw"}
    assert {s.name for s in suite_catalog(layer="raw")} == {
        "raw_townships",
        "raw_institutions",
        "raw_quota_grants",
        "raw_roster",
        "load_report",
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["severity"]["overrides"].update({"raw_roster.no_such": "warn"}), "no_such"),
        (lambda d: d["severity"]["overrides"].update({"raw_roster": "warn"}), "raw_roster"),
        (lambda d: d["severity"]["defaults"].update({"schema": "fatal"}), "fatal"),
        (lambda d: d["severity"]["defaults"].pop("referential"), "referential"),
        (lambda d: d["thresholds"].update({"min_age": -1}), "min_age"),
        (lambda d: d["thresholds"].update({"max_ratio": 1}), "max_ratio"),
    ],
)
def test_bad_config_is_refused_naming_the_key(
    tmp_path: Path, change: Callable[[dict], object], message: str
) -> None:
    data = _project()
    data["severity"]["overrides"] = dict(data["severity"].get("overrides") or {})
    change(data)
    with pytest.raises(DataQualityConfigError, match=message):
        suite_catalog(_write(tmp_path, data))


def test_thresholds_are_read(tmp_path: Path) -> None:
    data = _project()
    data["thresholds"]["headcount_change"] = {"max_change": 0.5, "min_headcount": 20}
    config = load_config(_write(tmp_path, data))
    assert (config.thresholds.headcount_max_change, config.thresholds.headcount_min_headcount) == (
        0.5,
        20,
    )


def test_catalog_does_not_import_great_expectations() -> None:
    """Dagster loads the definitions on every `bianzhi run` and in the UI: listing the suites
    must not cost the 4 s GX import."""
    code = (
        "import sys, expectations; expectations.suite_catalog(); "
        "sys.exit(1 if 'great_expectations' in sys.modules else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, timeout=120)
    assert proc.returncode == 0
