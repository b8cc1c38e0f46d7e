"""Where the time of a run goes: cProfile and `-X importtime` summaries.

Why summaries by package: a county-sized run is dominated by fixed costs spread over thousands
of functions in dagster, dbt, jinja, sqlglot and friends; the useful question is "which library
and which call", so the summaries attribute self time to the top-level package a function
lives in and list the heaviest call sites by cumulative time.
"""

from __future__ import annotations

import pstats
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_BUILTIN_OWNER = re.compile(r"of '([A-Za-z_][\w.]*)'")
_IMPORTTIME = re.compile(r"^import time:\s+(\d+)\s*\|\s*(\d+)\s*\|(\s*)(\S+)")

#: Named pieces of a run: (label, file suffix, function). Cumulative seconds of the outermost
#: call; pieces overlap (dbt parse is inside the dbt invocation) and thread time adds up.
BUCKETS: tuple[tuple[str, str, str], ...] = (
    ("imports (every module, first use)", "<frozen importlib._bootstrap>", "_find_and_load"),
    ("Dagster instance (ephemeral) start", "orchestration/execute.py", "_instance"),
    ("ingest: load_landing", "ingest/load.py", "load_landing"),
    ("dbt: dbtRunner.invoke (whole dbt build)", "dbt/cli/main.py", "invoke"),
    ("dbt: parse / load manifest", "dbt/parser/manifest.py", "parse_manifest"),
    ("dbt: write manifest / partial-parse state", "dbt/parser/manifest.py", "write_manifest"),
    ("dbt: node runners (2 threads, summed)", "dbt/task/runnable.py", "call_runner"),
    ("dbt: compile nodes (Jinja)", "dbt/compilation.py", "compile_node"),
    ("dbt: unit tests", "dbt/task/test.py", "execute_unit_test"),
    ("dbt: data tests", "dbt/task/test.py", "execute_data_test"),
    (
        "dbt: DuckDB execute (the SQL itself)",
        "dbt/adapters/duckdb/environments/local.py",
        "execute",
    ),
    ("dagster-dbt: events from dbt results", "orchestration/dbt_run.py", "dagster_events"),
    ("publish: checkpoint + replace", "orchestration/publish.py", "publish"),
)


WAITING = "(blocked: locks, queues, select)"
_WAITING_OWNERS = {"thread", "queue", "select"}


def package_of(filename: str, funcname: str) -> str:
    """The top-level package a profiled function belongs to (waits in threads apart)."""
    if filename == "~":  # a C function: "<method 'execute' of '_duckdb.DuckDBPyConnection'>"
        match = _BUILTIN_OWNER.search(funcname)
        if match:
            owner = match.group(1).split(".")[0].lstrip("_") or "builtins"
            return WAITING if owner in _WAITING_OWNERS else owner
        return "builtins"
    if filename.startswith("<"):  # <frozen importlib._bootstrap>, <string>, <template>
        return "(import system)" if "importlib" in filename else "(generated code)"
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    try:
        rel = Path(filename).resolve().relative_to(PROJECT_ROOT)
        return f"(project) {rel.parts[0]}"
    except (ValueError, OSError):
        pass
    return "(stdlib)"


def summarise(stats_path: Path, top: int = 25) -> dict[str, Any]:
    """Self time by package, and the top call sites by cumulative time."""
    stats = pstats.Stats(str(stats_path))
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    by_package: dict[str, float] = defaultdict(float)
    total = 0.0
    for (filename, _line, funcname), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        by_package[package_of(filename, funcname)] += tottime
        total += tottime
    cumulative = sorted(raw.items(), key=lambda kv: kv[1][3], reverse=True)
    sites = []
    for (filename, line, funcname), (_cc, ncalls, tottime, cumtime, _callers) in cumulative:
        if len(sites) >= top:
            break
        if package_of(filename, funcname) in ("(stdlib)", "builtins", WAITING):
            continue  # thread bootstraps, next(), waits: they hold everything, say nothing
        if "bench/" in filename:
            continue
        sites.append(
            {
                "function": f"{_short(filename)}:{line}({funcname})",
                "package": package_of(filename, funcname),
                "calls": ncalls,
                "self_s": round(tottime, 3),
                "cumulative_s": round(cumtime, 3),
            }
        )
    packages = sorted(by_package.items(), key=lambda kv: kv[1], reverse=True)
    buckets = []
    for label, suffix, func in BUCKETS:
        matches = [
            (v[1], v[3]) for (f, _l, name), v in raw.items() if f.endswith(suffix) and name == func
        ]
        if matches:
            buckets.append(
                {
                    "piece": label,
                    "calls": sum(n for n, _ in matches),
                    "cumulative_s": round(sum(c for _, c in matches), 3),
                }
            )
    return {
        "buckets": buckets,
        "profile_total_self_s": round(total, 3),
        "self_by_package": [{"package": p, "self_s": round(s, 3)} for p, s in packages[:20]],
        "top_cumulative": sites,
    }


def _short(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1]
    try:
        return str(Path(filename).resolve().relative_to(PROJECT_ROOT))
    except (ValueError, OSError):
        return filename


def parse_importtime(stderr: str, top: int = 15) -> dict[str, Any]:
    """`python -X importtime` output → self import time per top-level package (seconds)."""
    by_root: dict[str, int] = defaultdict(int)
    total_us = 0
    for line in stderr.splitlines():
        match = _IMPORTTIME.match(line)
        if not match:
            continue
        self_us = int(match.group(1))
        root = match.group(4).split(".")[0]
        by_root[root] += self_us
        total_us += self_us
    ranked = sorted(by_root.items(), key=lambda kv: kv[1], reverse=True)[:top]
    return {
        "import_total_s": round(total_us / 1e6, 3),
        "modules_imported": sum(1 for line in stderr.splitlines() if _IMPORTTIME.match(line)),
        "import_self_by_package": [
            {"package": name, "self_s": round(us / 1e6, 3)} for name, us in ranked
        ],
    }
