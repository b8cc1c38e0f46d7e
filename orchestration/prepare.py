"""Prepare the dbt project once at set-up time (`make setup`).

Why: `@dbt_assets` needs dbt's manifest when Dagster loads the definitions, and parsing dbt
costs seconds. Parsing once at set-up (and again only when the project changes, thanks to
partial parsing) keeps every run and every definitions load from paying for it.
"""

from __future__ import annotations

import sys

from orchestration.dbt_config import dbt_project


def main() -> int:
    project = dbt_project()
    project.preparer.prepare(project)
    print(f"dbt manifest ready: {project.manifest_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
