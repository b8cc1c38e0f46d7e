"""Where the dbt project lives and how it is described to dagster-dbt.

Why a module of its own: the set-up step (`orchestration.prepare`), the Dagster definitions and
the tests all need the same `DbtProject`; building it in one place keeps the paths in one place.
"""

from __future__ import annotations

from pathlib import Path

from dagster_dbt import DbtProject

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


#: Where runs write dbt's artifacts. Kept apart from `target/`, whose manifest.json the Dagster
#: definitions load: a run rewriting it must never be half-read by `dagster dev` or another run.
RUN_TARGET_DIR = DBT_PROJECT_DIR / "target" / "run"


def dbt_project() -> DbtProject:
    """The dbt project, with profiles.yml kept beside dbt_project.yml."""
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
