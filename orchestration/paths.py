"""Where the project's files live, without importing anything heavy.

Why a module of its own: `bianzhi` resolves its default config from here before it knows
whether there is any work; importing `dagster_dbt` for a path would cost the command seconds.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


def run_target_dir(warehouse: Path) -> Path:
    """dbt's target folder for the runs of one warehouse (artifacts, partial-parse state).

    Why per warehouse: dbt keeps its saved parse only while the profile's connection details
    are unchanged, and they include the build file's path. One shared folder made every run
    against another warehouse (a test, a benchmark, a second county) force the next night to
    parse everything again (~4 s); beside the warehouse the state stays valid night after night.
    """
    return warehouse.with_name(warehouse.name + ".dbt")
