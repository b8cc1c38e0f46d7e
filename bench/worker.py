"""One measured thing per process: `python -m bench.worker STAGE --result FILE ...`.

Why a fresh process each time: at county scale most of a run is interpreter start-up, imports
and first-use costs (performance-notes.md); timing a second run inside a warm process would hide
exactly what users pay. The parent (bench.harness) times the whole process and reads its peak
RSS from the kernel; this module only does the work and writes what it learned to `--result`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

T_START = time.perf_counter()


def stage_generate(args: argparse.Namespace) -> dict[str, Any]:
    """The project's demo generator (demo.generate), as `make demo` would run it."""
    import demo

    summary = demo.generate(
        Path(args.out), seed=args.seed, people=args.people, fmt=args.fmt, batches=args.batches
    )
    return {"summary": _plain(summary)}


def _plain(obj: Any) -> Any:
    """A JSON-friendly view of a result object (dataclass, mapping or anything else)."""
    import dataclasses

    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(obj).items()}
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, int | float | str | bool) or obj is None:
        return obj
    return str(obj)


def run_pipeline_captured(argv: list[str]) -> tuple[int, Any]:
    """`bianzhi run` (orchestration.cli.main) in this process, keeping the Dagster result.

    `execute_nightly` returns only the outcome; to read the step durations we wrap
    `orchestration.execute.outcome_of`, which it calls with the ExecuteInProcessResult. Nothing
    else of the run changes. (A public `step_timings` there would make this wrapper unnecessary.)
    The wrapping imports Dagster, so the data-quality worker is started first, where `bianzhi
    run` starts it (before its Dagster import); the command's own `prestart` is then a no-op.
    """
    from expectations.worker import prestart

    prestart()
    from orchestration.gc_policy import imports_without_collection

    with imports_without_collection("orchestration.execute"):  # as `bianzhi run` imports them
        import orchestration.assets as assets
        import orchestration.execute as execute
    from orchestration.cli import main

    captured: dict[str, Any] = {}
    original = execute.outcome_of
    original_invoke = assets.invoke_dbt

    def capture(result: Any) -> Any:
        captured["result"] = result
        return original(result)

    def invoke_watching_parse(*args: Any, **kwargs: Any) -> Any:
        captured["dbt_parse"] = watch_dbt_parse()
        return original_invoke(*args, **kwargs)

    execute.outcome_of = capture  # type: ignore[assignment]
    assets.invoke_dbt = invoke_watching_parse  # type: ignore[assignment]
    try:
        code = main(argv)
    finally:
        execute.outcome_of = original  # type: ignore[assignment]
        assets.invoke_dbt = original_invoke  # type: ignore[assignment]
    LAST_PARSE.clear()
    LAST_PARSE.update(captured.get("dbt_parse", {}))
    return code, captured.get("result")


#: How dbt parsed the project in the last captured run: mode full / partial / skipped + reasons.
LAST_PARSE: dict[str, Any] = {}


def watch_dbt_parse() -> dict[str, Any]:
    """Record whether dbt reused its partial-parse state, and why not, for the next dbt call.

    Parsing is most of a county-sized `dbt build` (full parse vs partial differ by seconds), and
    whether it is partial depends on dbt's saved state in the shared target folder: a run is
    only interpretable with this recorded. Imported here, inside the dbt step, as the run would.
    The hooks are installed once; each call returns a fresh dict that the next parse fills.
    """
    import dbt.parser.manifest as manifest

    info: dict[str, Any] = {"mode": None, "reasons": []}
    _PARSE_WATCH["current"] = info
    if _PARSE_WATCH.get("installed"):
        return info
    real_event = manifest.UnableToPartialParse
    real_load = manifest.ManifestLoader.load

    def event(*args: Any, **kwargs: Any) -> Any:
        _PARSE_WATCH["current"]["reasons"].append(str(kwargs.get("reason", "")))
        return real_event(*args, **kwargs)

    def load(self: Any) -> Any:
        result = real_load(self)
        if self.skip_parsing:
            mode = "skipped"
        else:
            mode = "partial" if self.partially_parsing else "full"
        _PARSE_WATCH["current"]["mode"] = mode
        return result

    manifest.UnableToPartialParse = event  # type: ignore[assignment,misc]
    manifest.ManifestLoader.load = load  # type: ignore[method-assign]
    _PARSE_WATCH["installed"] = True
    return info


_PARSE_WATCH: dict[str, Any] = {}


def step_durations(result: Any) -> dict[str, float | None]:
    """Seconds per Dagster step from STEP_SUCCESS events (None for a step that failed)."""
    from dagster import DagsterEventType

    steps: dict[str, float | None] = {}
    if result is None:
        return steps
    for event in result.all_events:
        if event.event_type == DagsterEventType.STEP_SUCCESS:
            steps[event.step_key] = event.event_specific_data.duration_ms / 1000.0
        elif event.event_type == DagsterEventType.STEP_FAILURE:
            steps[event.step_key] = None
    return steps


def dbt_node_seconds(result: Any) -> dict[str, Any]:
    """dbt's own duration per node, from dagster-dbt's event metadata: sums by type, slowest 10.

    At county scale dbt's per-node overhead dominates; at province scale one slow model does.
    Both show here without a second dbt run.
    """
    from dagster import DagsterEventType

    seconds: dict[str, float] = {}
    for event in result.all_events if result is not None else []:
        data = event.event_specific_data
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            metadata = data.materialization.metadata
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            metadata = data.metadata
        else:
            continue
        uid, duration = metadata.get("unique_id"), metadata.get("Execution Duration")
        if uid is None or duration is None:
            continue
        seconds[str(getattr(uid, "value", uid))] = float(getattr(duration, "value", duration))
    by_type: dict[str, float] = {}
    for uid, value in seconds.items():
        kind = uid.split(".", 1)[0]
        by_type[kind] = by_type.get(kind, 0.0) + value
    slowest = sorted(seconds.items(), key=lambda kv: kv[1], reverse=True)[:10]
    return {
        "nodes": len(seconds),
        "seconds_by_type": {k: round(v, 3) for k, v in sorted(by_type.items())},
        "slowest": [[uid, round(value, 3)] for uid, value in slowest],
    }


def stage_pipeline(args: argparse.Namespace) -> dict[str, Any]:
    """`bianzhi run` end to end, with the per-step split read from the Dagster run."""
    argv = ["run", "--landing", args.landing, "--warehouse", args.warehouse, "--wait", "0"]
    if args.config:
        argv += ["--config", args.config]
    t0 = time.perf_counter()
    code, result = run_pipeline_captured(argv)
    t1 = time.perf_counter()
    return {
        "exit_code": code,
        "steps": step_durations(result),
        "in_process_seconds": t1 - t0,
        "start_to_main_seconds": t0 - T_START,
        "dbt_parse": dict(LAST_PARSE),
        "dbt_nodes": dbt_node_seconds(result),
    }


def stage_ingest(args: argparse.Namespace) -> dict[str, Any]:
    """ingest.load_landing alone into a fresh file, then the csv export for raw and pandas."""
    import duckdb

    import ingest
    from bench.rawdata import export_raw_csv
    from orchestration.settings import pii_key_from_env

    db = Path(args.db)
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    try:
        t0 = time.perf_counter()
        ingest.load_landing(con, Path(args.landing), pii_key_from_env(warn=False))
        t1 = time.perf_counter()
        rows_read = con.execute("select coalesce(sum(rows_read), 0) from audit.load_report")
        read = int(rows_read.fetchone()[0])
        exported = export_raw_csv(con, Path(args.csv_dir))
    finally:
        con.close()
    return {"ingest_seconds": t1 - t0, "rows_read": read, "exported": exported}


def stage_raw(args: argparse.Namespace) -> dict[str, Any]:
    """bench.raw_engine: plain DuckDB, csv → .duckdb."""
    from bench.raw_engine import reconcile

    t0 = time.perf_counter()
    counts = reconcile(Path(args.csv_dir), Path(args.out))
    return {"outputs": counts, "in_process_seconds": time.perf_counter() - t0}


def stage_pandas(args: argparse.Namespace) -> dict[str, Any]:
    """bench.pandas_engine: the analyst's script, csv → parquet."""
    from bench.pandas_engine import reconcile

    t0 = time.perf_counter()
    counts = reconcile(Path(args.csv_dir), Path(args.out))
    return {"outputs": counts, "in_process_seconds": time.perf_counter() - t0}


def stage_profile(args: argparse.Namespace) -> dict[str, Any]:
    """cProfile of a whole `bianzhi run`, imports included, summarised by bench.profiling."""
    import contextlib
    import cProfile
    import pstats

    from bench.profiling import summarise

    argv = ["run", "--landing", args.landing, "--warehouse", args.warehouse, "--wait", "0"]
    if args.config:
        argv += ["--config", args.config]
    profiler = cProfile.Profile()
    thread_profiles = profile_threads()
    t0 = time.perf_counter()
    profiler.enable()
    code, result = run_pipeline_captured(argv)
    profiler.disable()
    wall = time.perf_counter() - t0
    stats = pstats.Stats(profiler)
    for thread_profile in thread_profiles:
        with contextlib.suppress(TypeError):  # a thread that never ran has no stats
            stats.add(thread_profile)
    stats.dump_stats(args.stats)
    return {
        "exit_code": code,
        "profiled_seconds": wall,
        "steps": step_durations(result),
        "dbt_parse": dict(LAST_PARSE),
        **summarise(Path(args.stats)),
    }


def profile_threads() -> list[Any]:
    """Give every thread started from now on its own cProfile; return the growing list.

    cProfile sees only the thread that enabled it, and dbt runs its models in a thread pool: a
    main-thread profile shows dbt's time as waiting on a queue. The thread profiles are merged
    into the main one, so self times of work done in parallel add up (CPU, not wall, seconds).
    """
    import cProfile
    import threading

    profiles: list[Any] = []
    original_run = threading.Thread.run

    def run(self: threading.Thread) -> None:
        profile = cProfile.Profile()
        profiles.append(profile)
        profile.enable()
        try:
            original_run(self)
        finally:
            profile.disable()

    threading.Thread.run = run  # type: ignore[method-assign]
    return profiles


def stage_dbt(args: argparse.Namespace) -> dict[str, Any]:
    """dbt alone, in one warm process, on a copy of a published warehouse: what each part costs.

    Why: the pipeline's dbt step mixes dbt's import, its parse (full or reused, depending on
    the shared partial-parse state), unit tests and the models' SQL. Here each is timed apart,
    in a target folder of the bench's own, so the recommendations rest on clean numbers.
    """
    import os

    t0 = time.perf_counter()
    from dbt.cli.main import dbtRunner

    from orchestration.config import dbt_vars, load_rules_config
    from orchestration.dbt_config import DBT_PROJECT_DIR, PROJECT_ROOT

    t_import = time.perf_counter() - t0
    config = Path(args.config) if args.config else PROJECT_ROOT / "config" / "rules.yml"
    variables = json.dumps(dbt_vars(load_rules_config(config)), ensure_ascii=False, sort_keys=True)
    common = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    common += ["--target-path", args.out, "--vars", variables, "--quiet"]
    os.environ["BIANZHI_DB_PATH"] = args.db
    out: dict[str, Any] = {"dbt_import_s": round(t_import, 3)}

    def timed(name: str, command: list[str]) -> Any:
        info = watch_dbt_parse()
        start = time.perf_counter()
        result = dbtRunner().invoke([*command, *common])
        out[name] = {
            "s": round(time.perf_counter() - start, 3),
            "success": bool(result.success),
            "parse": info,
        }
        return result

    timed("parse_first", ["parse"])
    timed("parse_again", ["parse"])
    for name, extra in (
        ("build", []),
        ("build_without_unit_tests", ["--exclude-resource-type", "unit_test"]),
    ):
        result = timed(name, ["build", *extra])
        by_type: dict[str, float] = {}
        for node_result in getattr(result.result, "results", []) or []:
            kind = str(getattr(node_result.node, "resource_type", "?"))
            by_type[kind] = by_type.get(kind, 0.0) + float(node_result.execution_time or 0)
        out[name]["node_seconds_by_type"] = {k: round(v, 3) for k, v in by_type.items()}
        out[name]["nodes"] = len(getattr(result.result, "results", []) or [])
    return out


def stage_probe(args: argparse.Namespace) -> dict[str, Any]:
    """bench.probe: the machine's speed right now (the night's libraries imported first, in
    this fresh process, then fixed Python and DuckDB work)."""
    t0 = time.perf_counter()
    import dagster  # noqa: F401 - the import is what is timed
    import dagster_dbt  # noqa: F401
    import dbt.cli.main  # noqa: F401
    import pyarrow  # noqa: F401

    import_seconds = time.perf_counter() - t0
    from bench.probe import run_probe

    return run_probe(import_seconds)


STAGES = {
    "generate": stage_generate,
    "probe": stage_probe,
    "pipeline": stage_pipeline,
    "ingest": stage_ingest,
    "raw": stage_raw,
    "pandas": stage_pandas,
    "profile": stage_profile,
    "dbt": stage_dbt,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    parser.add_argument("stage", choices=sorted(STAGES))
    parser.add_argument("--result", required=True)
    for name in ("out", "landing", "warehouse", "config", "db", "csv_dir", "stats", "fmt"):
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--people", type=int, default=0)
    parser.add_argument("--batches", type=int, default=1)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    payload = STAGES[args.stage](args)
    Path(args.result).write_text(json.dumps(payload, ensure_ascii=False, indent=1), "utf-8")
    code = payload.get("exit_code", 0)
    return int(code) if isinstance(code, int) else 0


#: Stages that are `bianzhi run`: they leave the process as its console script does.
BIANZHI_STAGES = {"pipeline", "profile"}


def entry(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    code = main(args)
    if args and args[0] in BIANZHI_STAGES:
        from orchestration.gc_policy import exit_without_final_collection

        exit_without_final_collection(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
