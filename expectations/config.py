"""`config/data_quality.yml`: which expectations block publishing, and the thresholds.

Why a file of its own (not rules.yml): rules.yml holds the thresholds of the reconciliation rules,
which produce findings for inspectors. This file decides what stops a night from publishing — an
operational decision with a different owner and a different rhythm of change. Severity is given
per *kind* of expectation with per-expectation overrides, so that a new expectation gets a
sensible severity without anyone remembering to list it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG_PATH = PROJECT_ROOT / "config" / "data_quality.yml"

Severity = Literal["blocking", "warn", "off"]
SEVERITIES: tuple[str, ...] = ("blocking", "warn", "off")

#: Every kind an expectation may have; the config must give each a default severity.
KINDS: tuple[str, ...] = (
    "schema",
    "required",
    "enumeration",
    "range",
    "consistency",
    "referential",
    "identifier",
    "contract_rule",
    "date_range",
    "resolution",
    "distribution",
)


class DataQualityConfigError(ValueError):
    """The data-quality configuration cannot be used (a usage error)."""


@dataclass(frozen=True)
class Thresholds:
    """Numbers the suites compare against (documented in config/data_quality.yml)."""

    max_invalid_id_share: float = 0.02
    max_invalid_uscc_share: float = 0.0
    min_age: int = 16
    max_age: int = 80
    max_future_event_days: int = 366
    max_township_leader_ratio: float = 0.5
    max_vacancy_rate: float = 0.30
    max_vacancy_rate_shift: float = 0.10
    headcount_max_change: float = 0.30
    headcount_min_headcount: int = 10
    max_quarantine_share: float = 0.05


@dataclass(frozen=True)
class DataQualityConfig:
    """Severity defaults by kind, per-expectation overrides, thresholds."""

    defaults: Mapping[str, str]
    overrides: Mapping[str, str] = field(default_factory=dict)
    thresholds: Thresholds = field(default_factory=Thresholds)

    def severity(self, suite: str, expectation: str, kind: str) -> str:
        """The configured severity of one expectation: its override, else its kind's default."""
        return self.overrides.get(f"{suite}.{expectation}") or self.defaults[kind]


def load_config(path: Path | None = None) -> DataQualityConfig:
    """Read and validate the configuration (the project's file when `path` is None)."""
    path = Path(path) if path is not None else DEFAULT_CONFIG_PATH
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataQualityConfigError(
            f"{path}: cannot read the data-quality config ({exc})"
        ) from exc
    return parse_config(data, source=str(path))


def parse_config(data: Any, source: str = "data-quality config") -> DataQualityConfig:
    """Validate a parsed YAML document; every error names the offending key."""
    if not isinstance(data, Mapping):
        raise DataQualityConfigError(f"{source}: expected a mapping with `severity`")
    severity = data.get("severity")
    if not isinstance(severity, Mapping):
        raise DataQualityConfigError(f"{source}: `severity` must be a mapping")
    defaults = dict(severity.get("defaults") or {})
    missing = [k for k in KINDS if k not in defaults]
    if missing:
        raise DataQualityConfigError(f"{source}: severity.defaults lacks {', '.join(missing)}")
    unknown = [k for k in defaults if k not in KINDS]
    if unknown:
        raise DataQualityConfigError(f"{source}: unknown kind(s) {', '.join(unknown)}")
    overrides = dict(severity.get("overrides") or {})
    for key, value in [*defaults.items(), *overrides.items()]:
        if value not in SEVERITIES:
            raise DataQualityConfigError(
                f"{source}: severity of {key} must be one of {', '.join(SEVERITIES)}, not {value!r}"
            )
    for key in overrides:
        if not isinstance(key, str) or key.count(".") != 1:
            raise DataQualityConfigError(
                f"{source}: override {key!r} must be named `<suite>.<expectation>`"
            )
    return DataQualityConfig(
        defaults=defaults,
        overrides=overrides,
        thresholds=_thresholds(data.get("thresholds") or {}, source),
    )


def _thresholds(data: Mapping[str, Any], source: str) -> Thresholds:
    if not isinstance(data, Mapping):
        raise DataQualityConfigError(f"{source}: `thresholds` must be a mapping")
    flat = {k: v for k, v in data.items() if k != "headcount_change"}
    for key, value in dict(data.get("headcount_change") or {}).items():
        flat[f"headcount_{key}"] = value
    known = Thresholds.__dataclass_fields__
    unknown = [k for k in flat if k not in known]
    if unknown:
        raise DataQualityConfigError(f"{source}: unknown threshold(s) {', '.join(unknown)}")
    for key, value in flat.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise DataQualityConfigError(f"{source}: threshold {key} must be a number >= 0")
    return Thresholds(**flat)
