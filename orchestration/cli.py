"""The `bianzhi` command (warehouse.md): `run`, `export`, `report`.

`bianzhi run` executes the Dagster `nightly` job in-process — the same job the schedule and the
sensor launch — under the warehouse's run lock, and maps the outcome to exit codes 0 / 1 / 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration.config import ConfigError, load_rules_config
from orchestration.gc_policy import exit_without_final_collection, imports_without_collection
from orchestration.paths import PROJECT_ROOT
from orchestration.publish import (
    RunLockedError,
    build_path_for,
    discard_build,
    pending_batches,
    run_lock,
)
from orchestration.run_log import record_run

DEFAULT_CONFIG = PROJECT_ROOT / "config" / "rules.yml"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bianzhi", description="机构编制实名制 data warehouse")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="load new batches, build, check and publish")
    run.add_argument("--landing", required=True, type=Path)
    run.add_argument("--warehouse", required=True, type=Path)
    run.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    run.add_argument("--accept-anomalies", action="store_true")
    run.add_argument(
        "--wait", type=float, default=600.0, help="seconds to wait for a concurrent run (600)"
    )

    export = sub.add_parser("export", help="write the inspection workbook and manifest")
    export.add_argument("--warehouse", required=True, type=Path)
    export.add_argument("--out", required=True, type=Path)
    export.add_argument("--as-of", dest="as_of")
    scope = export.add_mutually_exclusive_group()
    scope.add_argument("--township")
    scope.add_argument("--institution")
    export.add_argument("--unmasked", action="store_true")

    report = sub.add_parser("report", help="write the written analysis report (Markdown, HTML)")
    report.add_argument("--warehouse", required=True, type=Path)
    report.add_argument("--out", required=True, type=Path)
    report.add_argument("--as-of", dest="as_of")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "run":
        return run_command(args)
    if args.command == "export":
        from exports.cli import export_command

        return export_command(args)
    from exports.cli import report_command

    return report_command(args)


def _fail(code: int, message: str) -> int:
    print(f"bianzhi: {message}", file=sys.stderr)
    return code


def run_command(args: argparse.Namespace) -> int:
    landing: Path = args.landing.resolve()
    warehouse: Path = args.warehouse.resolve()
    if not landing.is_dir():
        return _fail(2, f"{landing}: landing folder does not exist")
    try:
        load_rules_config(args.config)
    except ConfigError as exc:
        return _fail(2, str(exc))
    try:
        with run_lock(warehouse, wait_seconds=args.wait):
            return _run_locked(landing, warehouse, args.config.resolve(), args.accept_anomalies)
    except RunLockedError as exc:
        return _fail(2, str(exc))


def _run_locked(landing: Path, warehouse: Path, config: Path, accept: bool) -> int:
    pending = pending_batches(landing, warehouse)
    if not pending:
        print(f"bianzhi: nothing new in {landing}; {warehouse} unchanged")
        return 0
    print(f"bianzhi: loading {len(pending)} batch(es): {', '.join(map(str, pending))}")

    from expectations.worker import prestart

    prestart()  # Great Expectations imports in its own process while Dagster imports here
    with imports_without_collection("orchestration.execute"):
        from orchestration.execute import execute_nightly  # heavy imports only when there is work

    outcome, run_id = execute_nightly(landing, warehouse, config, accept)
    batches = [str(d) for d in pending]
    if outcome.exit_code != 0:
        discard_build(build_path_for(warehouse))
        record_run(warehouse, run_id, outcome.status, batches, outcome.message)
        return _fail(outcome.exit_code, f"{outcome.message}; {warehouse} unchanged")
    print(f"bianzhi: published {warehouse} (batches {', '.join(batches)})")
    return 0


def entry() -> None:
    """The `bianzhi` console script: `main`, then exit without the interpreter's final walk
    over every object Dagster and dbt created (~1 s at any scale; see gc_policy)."""
    exit_without_final_collection(main())


if __name__ == "__main__":
    entry()
