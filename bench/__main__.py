"""`python -m bench [--scales S,M,L] [--runs 3] [--out bench/results.json]` (also `make bench`).

Results of scales measured earlier stay in the results file unless `--fresh` is given, so S and
M can be measured now and L later, and the document still shows all three, each with its own
measured_at time. Measuring some stages of a scale again (`--stages raw,pandas`) replaces those
stages only; raw and pandas then reuse the csv export of the scale's last pipeline run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.harness import PROJECT_ROOT, Config, bench_scale, merge_records
from bench.report import evaluate_targets, machine_info, render, update_doc
from bench.scales import DEFAULT_SCALES, XL_ENV, parse_scales, xl_allowed

ALL_STAGES = ("pipeline", "incremental", "raw", "pandas")
DOC_TEMPLATE = """# Benchmarks

How to run: `make bench` (= `.venv/bin/python -m bench`), see bench/__main__.py for options.

## Results
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    default_scales = ",".join(DEFAULT_SCALES + (("XL",) if xl_allowed() else ()))
    p.add_argument(
        "--scales",
        default=default_scales,
        help=f"comma list (default {default_scales};"
        f" XL only with {XL_ENV}=1; tiny = 300 people for smoke tests)",
    )
    p.add_argument("--runs", type=int, default=3, help="runs per measured thing (median)")
    p.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench" / "results.json")
    p.add_argument(
        "--doc",
        type=Path,
        default=PROJECT_ROOT / "docs" / "benchmarks.md",
        help="Markdown file whose generated block is rewritten",
    )
    p.add_argument("--no-doc", action="store_true", help="do not touch the Markdown file")
    p.add_argument(
        "--work",
        type=Path,
        default=PROJECT_ROOT / "bench" / "out",
        help="landing folders, warehouses, logs (cached landing per scale)",
    )
    p.add_argument(
        "--stages", default=",".join(ALL_STAGES), help=f"subset of {','.join(ALL_STAGES)}"
    )
    p.add_argument("--seed", type=int, default=20261120)
    p.add_argument(
        "--batches",
        type=int,
        default=1,
        help="batches of the generated county loaded by the first night (default 1)",
    )
    p.add_argument(
        "--profile",
        dest="profile",
        action="store_true",
        default=None,
        help="profile one run of the first scale (default: on when S is measured)",
    )
    p.add_argument("--no-profile", dest="profile", action="store_false")
    p.add_argument("--config", type=Path, help="rules config passed to bianzhi run")
    p.add_argument("--timeout", type=float, default=7200.0, help="seconds per process")
    p.add_argument(
        "--max-rss-gib",
        type=float,
        default=None,
        help="stop a measured process tree above this RSS (default: 80 %% of the machine's "
        "memory; 0: no limit)",
    )
    p.add_argument("--fresh", action="store_true", help="drop earlier scales from --out")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        scales = parse_scales(args.scales)
    except ValueError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    if any(s.name == "XL" for s in scales) and not xl_allowed():
        print(f"bench: XL is only run with {XL_ENV}=1; skipping it", file=sys.stderr)
        scales = [s for s in scales if s.name != "XL"]
    stages = tuple(s.strip() for s in args.stages.split(",") if s.strip())
    if unknown := [s for s in stages if s not in ALL_STAGES]:
        print(f"bench: unknown stage(s) {unknown}", file=sys.stderr)
        return 2
    if args.runs < 1:
        print("bench: --runs must be at least 1", file=sys.stderr)
        return 2

    results: dict[str, Any] = {"schema": 1, "scales": {}}
    if args.out.exists() and not args.fresh:
        results = json.loads(args.out.read_text("utf-8"))
        results.setdefault("scales", {})

    def log(message: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)

    failed = False
    for i, scale in enumerate(scales):
        if args.profile is None:
            profile = scale.name == "S"
        else:
            profile = args.profile and i == 0
        cfg = Config(
            work=args.work.resolve(),
            runs=args.runs,
            seed=args.seed,
            batches=args.batches,
            stages=stages,
            profile=profile,
            timeout=args.timeout,
            config_file=args.config.resolve() if args.config else None,
            log=log,
        )
        if args.max_rss_gib is not None:
            cfg.rss_limit_mib = args.max_rss_gib * 1024 if args.max_rss_gib > 0 else None
        record = bench_scale(scale, cfg)
        if "profile" in record:
            results["profile"] = record.pop("profile")
        record = merge_records(results["scales"].get(scale.name), record)
        results["scales"][scale.name] = record
        failed |= _failed(record)
        log(_headline(record))
        results["machine"] = machine_info(PROJECT_ROOT)
        results["xl"] = "measured" if "XL" in results["scales"] else f"not run (needs {XL_ENV}=1)"
        results["targets"] = evaluate_targets(results)
        _write(args.out, results)  # after every scale: a crash later keeps what was measured
    if not args.no_doc:
        update_doc(args.doc, render(results), DOC_TEMPLATE)
    log(f"wrote {args.out}" + ("" if args.no_doc else f" and {args.doc}"))
    return 1 if failed else 0


def _write(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", "utf-8")
    tmp.replace(path)


def _failed(record: dict[str, Any]) -> bool:
    """A stage that failed, or engines that disagree, make `python -m bench` exit 1."""
    if record.get("error"):
        return True
    if any(not s.get("ok") for s in record.get("stages", {}).values()):
        return True
    return any(a.get("ok") is False for a in record.get("agreement", {}).values())


def _headline(record: dict[str, Any]) -> str:
    st = record.get("stages", {})
    parts = [f"[{record['scale']}]"]
    for name in ALL_STAGES:
        if name in st:
            parts.append(f"{name} {st[name].get('median_wall_s')} s")
    for name, a in record.get("agreement", {}).items():
        parts.append(f"{name}={a.get('ok')}")
    return " ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
