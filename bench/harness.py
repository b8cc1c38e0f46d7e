"""Run the benchmark of one scale: generate, pipeline, incremental night, raw, pandas, compare.

Why this order and shape:
- the landing folder is generated once per scale and cached (at L it takes minutes and is not
  what is measured); its cache key includes the generator's source, so a changed generator
  regenerates;
- the N runs of each measured thing are interleaved (pipeline 1, incremental 1, raw 1, pandas
  1, pipeline 2, …) so that a colleague's load on a shared machine hits all of them alike;
- every night uses the same warehouse path (deleted before a first night, kept for the
  incremental night after it), as production does: dbt's partial-parse state is only valid for
  the profile it was parsed with, and the profile holds the build file's path, so a new path per
  run would force a full dbt parse that no real night pays (the worker records the parse mode);
- every measured thing is a fresh subprocess (bench.worker), timed from spawn to exit. Its
  peak RSS is the peak of the *sum* of resident memory over the child's process tree, sampled
  from /proc every 50 ms: the nightly job runs its data-quality suites in a worker process of
  its own and a helper the worker forks, so no single process holds what the night holds (the
  sum counts the pages the helper shares with the worker twice: an upper bound). Not
  wait4(2)'s ru_maxrss: Linux
  carries the forking parent's high-water mark across exec into the child's figure (a child
  running /bin/true from this harness "peaked" at 1.5 GB), and it reports one process only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from bench import compare
from bench.landing import incremental_landing
from bench.profiling import parse_importtime
from bench.rawdata import export_raw_csv
from bench.scales import Scale

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_PII_KEY = "bench-pii-key"
#: A measured process tree holding more than this share of the machine's memory is stopped
#: (`run_measured`): the pandas baseline at XL grew past 22 GiB on a 23.5 GiB machine, where the
#: kernel's out-of-memory killer may pick any process, the harness's own included.
RSS_LIMIT_SHARE = 0.8


def default_rss_limit_mib() -> float | None:
    """RSS_LIMIT_SHARE of the machine's memory (None where /proc/meminfo is unreadable)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024.0 * RSS_LIMIT_SHARE
    except OSError:
        pass
    return None


@dataclass
class Config:
    """What `python -m bench` was asked to do."""

    work: Path
    runs: int = 3
    seed: int = 20261120
    batches: int = 1
    stages: tuple[str, ...] = ("pipeline", "incremental", "raw", "pandas")
    profile: bool = False
    timeout: float = 7200.0
    config_file: Path | None = None
    #: stop a measured process tree above this RSS (MiB); None: no limit
    rss_limit_mib: float | None = field(default_factory=default_rss_limit_mib)
    log: Any = field(default=print)


@dataclass
class Measured:
    """One subprocess: wall seconds from spawn to exit, peak RSS, exit code, its payload."""

    wall_s: float
    peak_rss_mib: float
    returncode: int
    payload: dict[str, Any]
    stderr_tail: str
    load_before: float
    #: the RSS limit (MiB) the process tree went over, when the harness stopped it for that
    stopped_over_mib: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "wall_s": round(self.wall_s, 3),
            "peak_rss_mib": round(self.peak_rss_mib, 1),
            "returncode": self.returncode,
            "load_avg_1m_before": round(self.load_before, 2),
            **({"stderr_tail": self.stderr_tail} if self.returncode else {}),
            **(
                {"stopped_over_rss_mib": round(self.stopped_over_mib)}
                if self.stopped_over_mib is not None
                else {}
            ),
            **self.payload,
        }


def child_env() -> dict[str, str]:
    """The environment of every measured process: no persistent Dagster instance, fixed key,
    and Python's bytecode cache on, as wherever `bianzhi run` is installed: a shell that sets
    PYTHONDONTWRITEBYTECODE (this machine's does) made every night compile the project's own
    modules again, ~0.1 s at S (A/B, 4 rounds: 9.73 vs 9.60 s)."""
    env = dict(os.environ)
    env.pop("DAGSTER_HOME", None)  # `bianzhi run` then uses an ephemeral instance (cli default)
    env.setdefault("BIANZHI_PII_KEY", BENCH_PII_KEY)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_measured(
    argv: list[str],
    log_dir: Path,
    name: str,
    timeout: float,
    result_file: Path | None = None,
    rss_limit_mib: float | None = None,
) -> Measured:
    """Run `argv` in a fresh process; wall time, peak RSS (process tree) and its JSON. A tree
    holding more than `rss_limit_mib` is killed (`Measured.stopped_over_mib`)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log_dir / f"{name}.out", log_dir / f"{name}.err"
    if result_file is not None:
        result_file.unlink(missing_ok=True)
    load = os.getloadavg()[0]
    with out_path.open("wb") as out, err_path.open("wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, cwd=PROJECT_ROOT, env=child_env())
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        limit_kib = None if rss_limit_mib is None else int(rss_limit_mib * 1024)
        sampler = TreeRssSampler(proc.pid, limit_kib=limit_kib)
        sampler.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
            sampler.stop()
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    payload: dict[str, Any] = {}
    if result_file is not None and result_file.exists():
        payload = json.loads(result_file.read_text("utf-8"))
    tail = ""
    if proc.returncode:
        tail = err_path.read_text("utf-8", errors="replace")[-2000:]
    peak = sampler.peak_kib / 1024.0 or usage.ru_maxrss / 1024.0  # a child too short to sample
    stopped = rss_limit_mib if sampler.stopped else None
    if stopped is not None:
        tail = f"stopped by the harness: RSS over {stopped:,.0f} MiB\n{tail}"
    return Measured(wall, peak, proc.returncode, payload, tail, load, stopped)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as f:
                found += [int(c) for c in f.read().split()]
    except OSError:  # gone, or a kernel without the children file
        pass
    return found


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kib(pid: int) -> int:
    """Resident memory of `pid` and all its descendants, now (KiB)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += _rss_kib(current)
        todo += _children(current)
    return total


class TreeRssSampler(threading.Thread):
    """Samples the process tree's summed RSS every `interval` seconds; `peak_kib` is the max.
    With `limit_kib`, a tree that holds more is killed (`stopped` is then True)."""

    def __init__(self, pid: int, interval: float = 0.05, limit_kib: int | None = None) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kib = pid, interval, 0
        self.limit_kib, self.stopped = limit_kib, False
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.peak_kib = max(self.peak_kib, tree_rss_kib(self.pid))
            if self.limit_kib is not None and self.peak_kib > self.limit_kib and not self.stopped:
                self.stopped = True
                _kill_tree(self.pid)
            self._done.wait(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join()


def _kill_tree(pid: int) -> None:
    """SIGKILL `pid` and its descendants (children first listed, so none is orphaned alive)."""
    todo, found = [pid], []
    while todo:
        current = todo.pop()
        found.append(current)
        todo += _children(current)
    for each in reversed(found):
        with contextlib.suppress(OSError):
            os.kill(each, signal.SIGKILL)


def worker(stage: str, result: Path, **options: Any) -> list[str]:
    argv = [sys.executable, "-m", "bench.worker", stage, "--result", str(result)]
    for key, value in options.items():
        if value is not None:
            argv += [f"--{key.replace('_', '-')}", str(value)]
    return argv


def _source_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_landing(scale: Scale, cfg: Config, root: Path) -> dict[str, Any]:
    """The scale's landing folder, generated by demo.generate unless an identical one exists."""
    landing = root / "landing"
    stamp_path = root / "landing.json"
    key = {
        "people": scale.people,
        "fmt": scale.fmt,
        "seed": cfg.seed,
        "batches": cfg.batches,
        "demo_source": _source_hash(PROJECT_ROOT / "demo"),
    }
    if stamp_path.exists() and landing.exists():
        stamp = json.loads(stamp_path.read_text("utf-8"))
        if stamp.get("key") == key:
            return {**stamp["generate"], "cached": True}
    if landing.exists():
        shutil.rmtree(landing)
    stamp_path.unlink(missing_ok=True)
    result = root / "generate.json"
    cfg.log(f"[{scale.name}] generating {scale.people:,} people ({scale.fmt}) into {landing}")
    m = run_measured(
        worker(
            "generate",
            result,
            out=landing,
            seed=cfg.seed,
            people=scale.people,
            fmt=scale.fmt,
            batches=cfg.batches,
        ),
        root / "logs",
        "generate",
        cfg.timeout,
        result,
        rss_limit_mib=cfg.rss_limit_mib,
    )
    info = m.as_dict()
    if m.returncode == 0:
        stamp_path.write_text(json.dumps({"key": key, "generate": info}, ensure_ascii=False))
    return {**info, "cached": False}


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def _phase(step_key: str) -> str:
    """Dagster step → phase of the issue's split (dbt tests run inside the dbt build step)."""
    if "landing_batches" in step_key:
        return "ingest"
    if "warehouse_models" in step_key:
        return "dbt_build"
    if "published_warehouse" in step_key or "county_export" in step_key:
        return "publish"  # the nightly county workbook, then the atomic replace
    return "checks"


def _load_report(warehouse: Path, batches: list[str] | None) -> dict[str, int]:
    """Rows read (all sources) and roster rows loaded, from the published audit.load_report."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        where = "where batch_date::varchar in (select unnest(?::varchar[]))" if batches else ""
        params = [batches] if batches else []
        row = con.execute(
            "select coalesce(sum(rows_read), 0), "
            "coalesce(sum(rows_loaded) filter (where source = 'roster'), 0) "
            f"from audit.load_report {where}",
            params,
        ).fetchone()
    finally:
        con.close()
    return {"rows_read": int(row[0]), "roster_rows": int(row[1])}


def summarise_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median wall, max peak RSS, median split (pipeline), over the successful runs."""
    ok = [r for r in runs if r["returncode"] == 0]
    summary: dict[str, Any] = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "commit": _git_commit(),
        "runs": runs,
        "ok": bool(ok) and len(ok) == len(runs),
        "median_wall_s": _median([r["wall_s"] for r in ok]),
        "peak_rss_mib": max((r["peak_rss_mib"] for r in ok), default=None),
    }
    if not summary["ok"]:
        failed = next((r for r in runs if r["returncode"] != 0), None)
        if failed is not None and failed.get("stopped_over_rss_mib"):
            summary["error"] = f"stopped: RSS over {failed['stopped_over_rss_mib']:,} MiB"
            summary["stopped_over_rss_mib"] = failed["stopped_over_rss_mib"]
        elif failed is not None:
            summary["error"] = failed.get("stderr_tail", "")[-800:] or "failed"
    if ok and "steps" in ok[0]:
        split: dict[str, list[float]] = {}
        for r in ok:
            phases: dict[str, float] = {
                "ingest": 0.0,
                "dbt_build": 0.0,
                "checks": 0.0,
                "publish": 0.0,
            }
            for key, seconds in r["steps"].items():
                phases[_phase(key)] += seconds or 0.0
            phases["other"] = r["wall_s"] - sum(phases.values())
            for name, seconds in phases.items():
                split.setdefault(name, []).append(seconds)
        summary["split_median_s"] = {k: _median(v) for k, v in split.items()}
        summary["dbt_parse_modes"] = [(r.get("dbt_parse") or {}).get("mode") for r in ok]
        nodes = [r.get("dbt_nodes") or {} for r in ok]
        kinds = sorted({k for n in nodes for k in n.get("seconds_by_type", {})})
        summary["dbt_node_seconds_median"] = {
            k: _median([n.get("seconds_by_type", {}).get(k, 0.0) for n in nodes]) for k in kinds
        }
        summary["dbt_slowest_nodes_last_run"] = nodes[-1].get("slowest", []) if nodes else []
    return summary


def _rate(rows: int | None, seconds: float | None) -> float | None:
    if not rows or not seconds:
        return None
    return round(rows / seconds, 1)


def bench_scale(scale: Scale, cfg: Config) -> dict[str, Any]:
    """Every stage of one scale; never raises for a failing stage (it is recorded instead)."""
    root = cfg.work / scale.name
    root.mkdir(parents=True, exist_ok=True)
    logs = root / "logs"
    record: dict[str, Any] = {
        "scale": scale.name,
        "people": scale.people,
        "institutions_nominal": scale.institutions,
        "format": scale.fmt,
        "batches": cfg.batches,
        "runs_requested": cfg.runs,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "commit": _git_commit(),
    }
    gen = ensure_landing(scale, cfg, root)
    record["generate"] = gen
    if gen["returncode"] != 0:
        record["error"] = f"demo.generate failed: {gen.get('stderr_tail', '')[-800:]}"
        return record
    landing = root / "landing"

    # Raw input of the raw and pandas engines: the raw tables of the first published warehouse,
    # exported to csv (not timed); ingest alone in its own process only without a pipeline run.
    csv_dir = root / "rawcsv"
    raw_input: dict[str, Any] = {}
    want_engines = bool({"raw", "pandas"} & set(cfg.stages))

    def prepare_raw_input(warehouse: Path | None) -> bool:
        if raw_input or not want_engines:
            return raw_input.get("ok", False)
        shutil.rmtree(csv_dir, ignore_errors=True)
        if warehouse is not None:
            t0 = time.perf_counter()
            con = duckdb.connect(str(warehouse), read_only=True)
            try:
                exported = export_raw_csv(con, csv_dir)
            finally:
                con.close()
            raw_input.update(
                ok=True,
                source="raw.* of the first published warehouse",
                exported=exported,
                export_s=round(time.perf_counter() - t0, 3),
            )
            _save_raw_input(root, raw_input)
            return True
        cfg.log(f"[{scale.name}] ingest alone + csv export for raw/pandas")
        result = root / "ingest.json"
        m = run_measured(
            worker("ingest", result, landing=landing, db=root / "ingest.duckdb", csv_dir=csv_dir),
            logs,
            "ingest",
            cfg.timeout,
            result,
            rss_limit_mib=cfg.rss_limit_mib,
        )
        (root / "ingest.duckdb").unlink(missing_ok=True)
        raw_input.update(ok=m.returncode == 0, source="ingest.load_landing alone", **m.as_dict())
        if raw_input["ok"]:
            _save_raw_input(root, raw_input)
        return raw_input["ok"]

    if "pipeline" not in cfg.stages and want_engines:
        saved = _saved_raw_input(root)  # the export of an earlier pipeline run, same landing
        if saved is not None:
            raw_input.update(saved, reused=True)
        else:
            prepare_raw_input(None)

    inc_landing = root / "landing_incremental"
    if "incremental" in cfg.stages:
        record["incremental_batch"] = incremental_landing(landing, inc_landing)

    runs: dict[str, list[dict[str, Any]]] = {s: [] for s in cfg.stages}
    warehouse = root / "warehouse" / "warehouse.duckdb"  # one path for every night of the scale
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    last_warehouse: Path | None = None
    if "pipeline" not in cfg.stages and warehouse.exists():
        last_warehouse = warehouse  # published by an earlier run: still good for the marts check
    last_raw: Path | None = None
    last_pandas: Path | None = None
    probe = {"before": host_probe(root, logs, "probe-before", cfg.timeout)}
    for i in range(cfg.runs):
        run_dir = root / f"run-{i}"
        shutil.rmtree(run_dir, ignore_errors=True)
        run_dir.mkdir(parents=True)
        if "pipeline" in cfg.stages:
            cfg.log(f"[{scale.name}] run {i + 1}/{cfg.runs}: bianzhi run (fresh warehouse)")
            _remove_database(warehouse)
            result = run_dir / "pipeline.json"
            m = run_measured(
                worker(
                    "pipeline", result, landing=landing, warehouse=warehouse, config=cfg.config_file
                ),
                logs,
                f"pipeline-{i}",
                cfg.timeout,
                result,
                rss_limit_mib=cfg.rss_limit_mib,
            )
            entry = m.as_dict()
            published = m.returncode == 0 and warehouse.exists()
            if published:
                entry.update(_load_report(warehouse, None))
                last_warehouse = warehouse
            prepare_raw_input(warehouse if published else None)
            runs["pipeline"].append(entry)
            if "incremental" in cfg.stages and published:
                # the next night on the same warehouse file, as in production (see module doc)
                cfg.log(f"[{scale.name}] run {i + 1}/{cfg.runs}: incremental night")
                result = run_dir / "incremental.json"
                m = run_measured(
                    worker(
                        "pipeline",
                        result,
                        landing=inc_landing,
                        warehouse=warehouse,
                        config=cfg.config_file,
                    ),
                    logs,
                    f"incremental-{i}",
                    cfg.timeout,
                    result,
                    rss_limit_mib=cfg.rss_limit_mib,
                )
                entry = m.as_dict()
                if m.returncode == 0:
                    entry.update(_load_report(warehouse, [record["incremental_batch"]["batch"]]))
                runs["incremental"].append(entry)
        if "raw" in cfg.stages and raw_input.get("ok"):
            cfg.log(f"[{scale.name}] run {i + 1}/{cfg.runs}: raw DuckDB")
            out = run_dir / "raw.duckdb"
            result = run_dir / "raw.json"
            m = run_measured(
                worker("raw", result, csv_dir=csv_dir, out=out),
                logs,
                f"raw-{i}",
                cfg.timeout,
                result,
                rss_limit_mib=cfg.rss_limit_mib,
            )
            runs["raw"].append(m.as_dict())
            if m.returncode == 0:
                last_raw = out
        if "pandas" in cfg.stages and raw_input.get("ok"):
            cfg.log(f"[{scale.name}] run {i + 1}/{cfg.runs}: pandas")
            out = run_dir / "pandas"
            result = run_dir / "pandas.json"
            m = run_measured(
                worker("pandas", result, csv_dir=csv_dir, out=out),
                logs,
                f"pandas-{i}",
                cfg.timeout,
                result,
                rss_limit_mib=cfg.rss_limit_mib,
            )
            runs["pandas"].append(m.as_dict())
            if m.returncode == 0:
                last_pandas = out

    probe["after"] = host_probe(root, logs, "probe-after", cfg.timeout)
    stages: dict[str, Any] = {}
    for name, stage_runs in runs.items():
        if stage_runs:
            stages[name] = summarise_runs(stage_runs)
            stages[name]["host_probe"] = probe
        elif name in ("raw", "pandas"):
            stages[name] = {
                "ok": False,
                "error": "no raw input (ingest failed): "
                + str(raw_input.get("stderr_tail", ""))[-800:],
            }
    record["raw_input"] = raw_input
    record["stages"] = stages
    _derive(record, raw_input)

    agreement: dict[str, Any] = {}
    if last_raw is not None and last_pandas is not None:
        agreement["raw_vs_pandas"] = compare.raw_vs_pandas(last_raw, last_pandas)
    if last_raw is not None and last_warehouse is not None:
        agreement["raw_vs_marts"] = compare.raw_vs_marts(last_raw, last_warehouse)
    elif last_raw is not None:
        agreement["raw_vs_marts"] = {"ok": None, "skipped": "no published warehouse"}
    record["agreement"] = agreement

    if cfg.profile:
        record["profile"] = profile_run(scale, cfg, landing, root)
    return record


def host_probe(root: Path, logs: Path, name: str, timeout: float) -> dict[str, Any] | None:
    """bench.probe in a fresh process: the machine's speed beside a scale's runs (None when
    the probe itself failed — the runs are still measured)."""
    result = root / f"{name}.json"
    m = run_measured(worker("probe", result), logs, name, timeout, result)
    if m.returncode != 0 or "total_s" not in m.payload:
        return None
    return {k: m.payload[k] for k in ("import_s", "python_s", "duckdb_s", "total_s")}


def _git_commit() -> str | None:
    """The checkout's HEAD (numbers belong to a commit; uncommitted work of others aside)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _landing_key(root: Path) -> Any:
    stamp = root / "landing.json"
    return json.loads(stamp.read_text("utf-8")).get("key") if stamp.exists() else None


def _save_raw_input(root: Path, raw_input: dict[str, Any]) -> None:
    """Remember which landing the csv export in rawcsv/ came from (for `--stages raw,…`)."""
    payload = {"landing_key": _landing_key(root), "raw_input": raw_input}
    (root / "raw_input.json").write_text(json.dumps(payload, ensure_ascii=False), "utf-8")


def _saved_raw_input(root: Path) -> dict[str, Any] | None:
    path = root / "raw_input.json"
    if not path.exists() or not (root / "rawcsv" / "roster.csv").exists():
        return None
    payload = json.loads(path.read_text("utf-8"))
    if payload.get("landing_key") != _landing_key(root):
        return None
    return dict(payload["raw_input"])


def merge_records(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """A scale measured again for some stages keeps the other stages of its earlier record.

    Why: a stage can be re-measured alone (e.g. `--scales L --stages raw,pandas` after fixing a
    baseline) without re-running the expensive pipeline; each stage records when it ran.
    """
    if not old or old.get("generate", {}).get("summary") != new.get("generate", {}).get("summary"):
        return new
    keep = ("stages", "agreement", "measured_at", "commit")  # the record keeps its first stamp
    merged = {**old, **{k: v for k, v in new.items() if k not in keep}}
    merged["stages"] = {**old.get("stages", {}), **new.get("stages", {})}
    merged["agreement"] = {**old.get("agreement", {}), **new.get("agreement", {})}
    if not new.get("raw_input"):
        merged["raw_input"] = old.get("raw_input", {})
    for key in ("incremental_batch",):
        if key not in new and key in old:
            merged[key] = old[key]
    _derive(merged, merged.get("raw_input") or {})
    return merged


def _derive(record: dict[str, Any], raw_input: dict[str, Any]) -> None:
    """rows/s, ratios and ingest throughput from the stage medians."""
    stages = record["stages"]
    pipe = stages.get("pipeline", {})
    roster_rows = None
    for run in pipe.get("runs", []):
        roster_rows = run.get("roster_rows") or roster_rows
    if roster_rows is None and raw_input.get("ok"):
        roster_rows = raw_input.get("exported", {}).get("roster")
    record["roster_rows"] = roster_rows
    for name, stage in stages.items():
        rows = roster_rows
        if name == "incremental":
            rows = next(
                (r.get("roster_rows") for r in stage.get("runs", []) if r.get("roster_rows")), None
            )
        stage["rows_per_s"] = _rate(rows, stage.get("median_wall_s"))
    p = pipe.get("median_wall_s")
    for base in ("raw", "pandas"):
        b = stages.get(base, {}).get("median_wall_s")
        record[f"pipeline_over_{base}"] = round(p / b, 2) if p and b else None
    rows_read = next((r.get("rows_read") for r in pipe.get("runs", []) if r.get("rows_read")), None)
    ingest_s = pipe.get("split_median_s", {}).get("ingest")
    record["ingest_rows_per_s"] = _rate(rows_read, ingest_s)
    record["ingest_rows_per_s_basis"] = "pipeline ingest step (median)"
    alone = raw_input.get("source", "").startswith("ingest") and raw_input.get("ok")
    if record["ingest_rows_per_s"] is None and alone:
        record["ingest_rows_per_s"] = _rate(
            raw_input.get("rows_read"), raw_input.get("ingest_seconds")
        )
        record["ingest_rows_per_s_basis"] = "ingest.load_landing alone"


def profile_run(scale: Scale, cfg: Config, landing: Path, root: Path) -> dict[str, Any]:
    """cProfile of one in-process `bianzhi run`, and `-X importtime` of its imports."""
    cfg.log(f"[{scale.name}] profiling one bianzhi run (cProfile) and its imports")
    prof_dir = root / "profile"
    shutil.rmtree(prof_dir, ignore_errors=True)
    prof_dir.mkdir(parents=True)
    result = prof_dir / "profile.json"
    warehouse = root / "warehouse" / "warehouse.duckdb"  # the nights' path: same dbt profile
    _remove_database(warehouse)
    m = run_measured(
        worker(
            "profile",
            result,
            landing=landing,
            warehouse=warehouse,
            config=cfg.config_file,
            stats=prof_dir / "run.pstats",
        ),
        root / "logs",
        "profile",
        cfg.timeout,
        result,
        rss_limit_mib=cfg.rss_limit_mib,
    )
    out = {"scale": scale.name, **m.as_dict()}
    if m.returncode == 0 and warehouse.exists():
        # dbt alone on a copy of what the run published: import, parse full / reused, build
        # with and without unit tests, in a target folder of our own (bench.worker.stage_dbt)
        diag = prof_dir / "dbt"
        shutil.rmtree(diag, ignore_errors=True)
        diag.mkdir()
        shutil.copyfile(warehouse, diag / "build.duckdb")
        result = diag / "dbt.json"
        cfg.log(f"[{scale.name}] dbt alone: parse full / reused, build with / without unit tests")
        d = run_measured(
            worker(
                "dbt",
                result,
                db=diag / "build.duckdb",
                out=diag / "target",
                config=cfg.config_file,
            ),
            root / "logs",
            "dbt-diagnostic",
            cfg.timeout,
            result,
            rss_limit_mib=cfg.rss_limit_mib,
        )
        out["dbt_alone"] = d.as_dict()
        (diag / "build.duckdb").unlink(missing_ok=True)
    code = "import orchestration.cli, orchestration.execute"
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=PROJECT_ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    out["importtime"] = {
        "statement": code,
        "wall_s": round(time.perf_counter() - t0, 3),
        "returncode": proc.returncode,
        **parse_importtime(proc.stderr),
    }
    return out


def _remove_database(path: Path) -> None:
    for suffix in ("", ".wal", ".build", ".build.wal", ".lock"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
