"""Where the dbt project lives and how it is described to dagster-dbt.

Why a module of its own: the set-up step (`orchestration.prepare`), the Dagster definitions and
the tests all need the same `DbtProject`; building it in one place keeps the paths in one place.
"""

from __future__ import annotations

from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.paths import DBT_PROJECT_DIR, PROJECT_ROOT, run_target_dir

__all__ = ["DBT_PROJECT_DIR", "PROJECT_ROOT", "dbt_project", "project_target_dir", "run_target_dir"]

# Runs write dbt's artifacts into `run_target_dir(warehouse)`, apart from `target/`, whose
# manifest.json the Dagster definitions load: a run rewriting it must never be half-read by
# `dagster dev` or another run.


def dbt_project() -> DbtProject:
    """The dbt project, with profiles.yml kept beside dbt_project.yml."""
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def project_target_dir(project: DbtProject) -> Path:
    """The project's own target folder (manifest.json, the parse `orchestration.prepare` made,
    the kept JSON schemas); an absolute target path stays absolute."""
    return Path(project.project_dir) / project.target_path
