"""Prepare the dbt project once at set-up time (`make setup`).

Why: `@dbt_assets` needs dbt's manifest when Dagster loads the definitions, and parsing dbt
costs seconds. Parsing once at set-up — with the same `--vars` the nightly run passes, so that
dbt's partial parsing can reuse the result instead of re-parsing everything when it sees
different vars — keeps every run and every definitions load from paying for it.
"""

from __future__ import annotations

import os
import shutil
import sys

from orchestration.config import dbt_vars, load_rules_config
from orchestration.dbt_config import PROJECT_ROOT, dbt_project, project_target_dir, run_target_dir
from orchestration.settings import settings_from_env


def parse_args(rules_path: str) -> list[str]:
    """`dbt parse` with the vars of the given rules configuration."""
    import json

    vars_json = json.dumps(
        dbt_vars(load_rules_config(rules_path)), ensure_ascii=False, sort_keys=True
    )
    return ["parse", "--vars", vars_json]


def main() -> int:
    rules_path = os.environ.get("BIANZHI_CONFIG", str(PROJECT_ROOT / "config" / "rules.yml"))
    project = dbt_project()
    target = project_target_dir(project)
    # Parse against the default warehouse's build file: dbt's saved parse is valid only for
    # the connection details it was made with, so the first `make run` reuses it.
    settings = settings_from_env()
    os.environ["BIANZHI_DB_PATH"] = str(settings.build_path)
    from dbt.cli.main import dbtRunner

    from orchestration import dbt_startup

    dbt_startup.install()
    args = [
        *parse_args(rules_path),
        "--project-dir",
        str(project.project_dir),
        "--profiles-dir",
        str(project.profiles_dir),
        "--target-path",
        str(project.target_path),
        "--quiet",
    ]
    result = dbtRunner().invoke(args)
    if not result.success:
        print(f"dbt parse failed: {result.exception}", file=sys.stderr)
        return 1
    # Seed the default warehouse's dbt folder with this parse, so its first run reuses it.
    run_target = run_target_dir(settings.warehouse)
    run_target.mkdir(parents=True, exist_ok=True)
    # (only the parse state: the runs do not write or read manifest.json, see dbt_run.py)
    shutil.copyfile(target / "partial_parse.msgpack", run_target / "partial_parse.msgpack")
    # The JSON schemas the parse built, for every night's first dbt invocation (dbt_startup.py).
    dbt_startup.save(target)
    print(f"dbt manifest ready: {project.manifest_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
