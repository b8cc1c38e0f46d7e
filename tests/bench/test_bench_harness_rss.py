"""Peak memory of a measured process counts its children too (the nightly job's data-quality
worker is a second process): the harness samples the whole process tree."""

from __future__ import annotations

import sys
from pathlib import Path

from bench.harness import run_measured

CHILD = "b = bytearray(150 << 20); import time; time.sleep(0.6)"
PARENT = (
    "import subprocess, sys; a = bytearray(150 << 20); "
    f"subprocess.run([sys.executable, '-c', {CHILD!r}], check=True)"
)


def test_peak_rss_is_the_sum_over_the_process_tree(tmp_path: Path) -> None:
    measured = run_measured([sys.executable, "-c", PARENT], tmp_path, "tree", timeout=60)
    assert measured.returncode == 0
    # each process alone peaks at ~160 MiB (what wait4 reports); together they hold ~300
    assert measured.peak_rss_mib > 280, measured.peak_rss_mib


def test_a_tree_over_the_rss_limit_is_stopped(tmp_path: Path) -> None:
    """The harness stops a measured process tree that holds more than its limit (the pandas
    baseline at XL outgrew the machine) and says so; under the limit nothing happens."""
    grow = (
        "import time; b = bytearray(400 << 20); b[::4096] = b'x' * len(b[::4096]); time.sleep(30)"
    )
    stopped = run_measured(
        [sys.executable, "-c", grow], tmp_path, "over", timeout=60, rss_limit_mib=150
    )
    assert stopped.returncode != 0 and stopped.stopped_over_mib == 150
    assert stopped.wall_s < 20  # killed, not timed out after 30 s of sleep
    assert stopped.as_dict()["stopped_over_rss_mib"] == 150
    assert "RSS over 150 MiB" in stopped.stderr_tail
    small = run_measured(
        [sys.executable, "-c", "pass"], tmp_path, "under", timeout=60, rss_limit_mib=150
    )
    assert small.returncode == 0 and small.stopped_over_mib is None


def test_a_stopped_stage_is_reported_as_stopped() -> None:
    from bench.harness import summarise_runs
    from bench.report import _peak

    run = {"wall_s": 3.0, "peak_rss_mib": 151.0, "returncode": -9, "stopped_over_rss_mib": 150}
    stage = summarise_runs([run])
    assert not stage["ok"] and stage["error"] == "stopped: RSS over 150 MiB"
    assert _peak(stage) == "stopped > 150"
