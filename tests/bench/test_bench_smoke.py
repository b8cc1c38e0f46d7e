"""Smoke test of `python -m bench` at a few hundred people: one run of pipeline, raw, pandas.

Why: the harness is only run for real rarely (minutes to hours), so a broken harness would be
found late. This runs it end to end at the `tiny` scale in a temporary folder, checks the shape
of results.json and that raw and pandas agree — which can fail — and asserts no timing at all.
It skips, saying why, while the demo generator, ingest or the pipeline cannot run yet.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.harness import PROJECT_ROOT
from bench.probe import probe_total
from bench.report import BEGIN, END

RUN_KEYS = {"wall_s", "peak_rss_mib", "returncode", "load_avg_1m_before"}


def _last_line(text: str | None) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no message"


def _check_stage(stage: dict[str, Any]) -> None:
    assert {"runs", "ok", "median_wall_s", "peak_rss_mib", "rows_per_s"} <= set(stage)
    assert len(stage["runs"]) == 1
    assert RUN_KEYS <= set(stage["runs"][0])
    if stage["ok"]:
        assert stage["median_wall_s"] > 0 and stage["peak_rss_mib"] > 0


def test_bench_tiny_end_to_end(tmp_path: Path) -> None:
    demo = pytest.importorskip("demo", reason="the demo generator is not importable yet")
    if not hasattr(demo, "generate"):
        pytest.skip("demo.generate does not exist yet")
    out, doc = tmp_path / "results.json", tmp_path / "benchmarks.md"
    cmd = [
        sys.executable, "-m", "bench", "--scales", "tiny", "--runs", "1", "--out", str(out),
        "--doc", str(doc), "--work", str(tmp_path / "work"), "--no-profile",
        "--stages", "pipeline,raw,pandas",
    ]  # fmt: skip
    proc = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert out.exists(), proc.stdout + proc.stderr
    results = json.loads(out.read_text("utf-8"))

    # structure, whatever ran
    assert {"schema", "machine", "scales", "targets", "xl"} <= set(results)
    assert {"cores", "memory_gib", "cpu_model", "python", "versions"} <= set(results["machine"])
    assert len(results["targets"]) == 8
    assert all(t["status"] for t in results["targets"])
    tiny = results["scales"]["tiny"]
    assert tiny["people"] == 300 and tiny["format"] == "xlsx"
    text = doc.read_text("utf-8")
    assert BEGIN in text and END in text and "| tiny |" in text

    if tiny["generate"]["returncode"] != 0:
        pytest.skip(f"demo.generate cannot run yet: {_last_line(tiny.get('error'))}")
    stages = tiny["stages"]
    assert set(stages) == {"pipeline", "raw", "pandas"}
    _check_stage(stages["pipeline"])
    if not tiny["raw_input"].get("ok"):
        pytest.skip(f"ingest cannot run yet: {_last_line(tiny['raw_input'].get('stderr_tail'))}")
    _check_stage(stages["raw"])
    _check_stage(stages["pandas"])

    # raw and pandas compute the same numbers (this is the check that can fail)
    assert stages["raw"]["ok"], stages["raw"].get("error")
    assert stages["pandas"]["ok"], stages["pandas"].get("error")
    agree = tiny["agreement"]["raw_vs_pandas"]
    assert agree["ok"] is True, json.dumps(agree, ensure_ascii=False)[:2000]
    assert agree["tables"]["staffing"]["rows"][0] > 0

    if not stages["pipeline"]["ok"]:
        pytest.skip(f"the pipeline cannot run yet: {_last_line(stages['pipeline'].get('error'))}")
    probe = stages["pipeline"]["host_probe"]  # the machine's speed beside the runs
    assert probe == stages["raw"]["host_probe"]  # one probe for all stages of the scale
    for when in ("before", "after"):
        assert probe[when] is not None, "bench.probe failed"
        assert probe[when]["total_s"] > probe[when]["import_s"] > 0
    assert f"| {probe_total(probe):.2f} |" in text
    split = stages["pipeline"]["split_median_s"]
    assert set(split) == {"ingest", "dbt_build", "checks", "publish", "other"}
    assert split["ingest"] > 0 and split["dbt_build"] > 0
    assert tiny["roster_rows"] > 0 and tiny["pipeline_over_raw"] > 0
    assert tiny["raw_input"]["exported"]["roster"] == tiny["roster_rows"]
    marts = tiny["agreement"]["raw_vs_marts"]
    assert marts["ok"] is not False, json.dumps(marts, ensure_ascii=False)[:2000]
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
