"""How fast the machine is right now: a fixed workload timed beside every scale's runs.

Why: the machine is shared, and the same commit measured 1.6–2× slower on some days than on
others (docs/benchmarks.md). A number in the results table then says as much about the day as
about the code, and "reproducible within noise" cannot be checked. The probe is the same work
every time, of the three kinds a night is made of — importing the night's modules in a fresh
interpreter, plain Python, and DuckDB on both cores — run in a fresh process right before a
scale's runs and right after. Two reports can be compared where their probes agree; where
they do not, every stage moves roughly with the probe.

The work is sized to take about a second of each kind on the machine this was written on; it
does not depend on the project's data or code other than the import.
"""

from __future__ import annotations

import time
from typing import Any

#: Pure-Python part: dict and string work on this many keys (the interpreter-bound share of a
#: night: imports, Jinja, Dagster and dbt bookkeeping).
PYTHON_KEYS = 600_000
#: DuckDB part: a grouped aggregate over this many generated rows, on two threads.
DUCKDB_ROWS = 40_000_000


def python_seconds(keys: int = PYTHON_KEYS) -> float:
    """Seconds of a fixed dict/str workload (one core, GIL-bound)."""
    t0 = time.perf_counter()
    table = {f"k{i:08d}": i for i in range(keys)}
    total = 0
    for key, value in table.items():
        if key.endswith("7"):
            total += value
    ordered = sorted(table, key=lambda k: k[::-1])
    assert ordered and total >= 0
    return time.perf_counter() - t0


def duckdb_seconds(rows: int = DUCKDB_ROWS) -> float:
    """Seconds of a fixed aggregate in an in-memory DuckDB with two threads."""
    import duckdb

    con = duckdb.connect(":memory:", config={"threads": 2})
    try:
        t0 = time.perf_counter()
        con.execute(
            f"select i % 1009 as g, count(*), sum(hash(i)) from range({rows}) t(i) group by g"
        ).fetchall()
        return time.perf_counter() - t0
    finally:
        con.close()


def run_probe(import_seconds: float) -> dict[str, Any]:
    """The probe's three timings (seconds, 3 decimals) and their sum; `import_seconds` is
    measured by the caller, a fresh process, before anything else is imported."""
    result = {
        "import_s": round(import_seconds, 3),
        "python_s": round(python_seconds(), 3),
        "duckdb_s": round(duckdb_seconds(), 3),
    }
    result["total_s"] = round(sum(result.values()), 3)
    return result


def probe_total(probe: dict[str, Any] | None) -> float | None:
    """Mean probe total of a stage's `host_probe` ({"before": …, "after": …}), None when absent."""
    if not probe:
        return None
    totals = [p["total_s"] for p in (probe.get("before"), probe.get("after")) if p]
    return round(sum(totals) / len(totals), 2) if totals else None
