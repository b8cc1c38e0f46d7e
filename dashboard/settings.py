"""Where the dashboard finds the warehouse and the rules configuration.

Why a module: `make dashboard` passes `--warehouse FILE` after streamlit's `--`, an operator may
set `BIANZHI_WAREHOUSE` instead, and tests run the app in-process where `sys.argv` is pytest's.
Resolving both in one pure function keeps the precedence (argument, then environment, then the
project default) testable. The leader-ratio threshold is read from the one rules configuration
file (`BIANZHI_CONFIG` or `config/rules.yml`), never written into the dashboard.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from orchestration.config import load_rules_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_WAREHOUSE = "BIANZHI_WAREHOUSE"
ENV_CONFIG = "BIANZHI_CONFIG"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "data" / "warehouse.duckdb"
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "rules.yml"


def warehouse_path(argv: Sequence[str], env: Mapping[str, str]) -> Path:
    """`--warehouse FILE` from the script's arguments, else `BIANZHI_WAREHOUSE`, else default."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--warehouse")
    known, _ = parser.parse_known_args(list(argv))
    if known.warehouse:
        return Path(known.warehouse)
    if env.get(ENV_WAREHOUSE):
        return Path(env[ENV_WAREHOUSE])
    return DEFAULT_WAREHOUSE


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """The rules configuration file: `BIANZHI_CONFIG`, else the project's `config/rules.yml`."""
    env = os.environ if env is None else env
    return Path(env[ENV_CONFIG]) if env.get(ENV_CONFIG) else DEFAULT_CONFIG


def leader_ratio_threshold(path: Path) -> float:
    """`leader_ratio.max_ratio` of the rules configuration (LEADER_RATIO fires strictly above)."""
    return float(load_rules_config(path)["leader_ratio"]["max_ratio"])
