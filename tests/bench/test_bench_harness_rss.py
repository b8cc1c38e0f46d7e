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
