"""Run a snippet in a new interpreter: for process-wide state (dbt's schema and template
caches) that must not leak into the other tests' dbt runs."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def in_fresh_process(code: str, target: Path, header: str = "") -> dict:
    """Run `code` (with `target`, `json` and `header`'s imports at hand) in a new interpreter;
    its last printed line, as JSON."""
    script = "import json, sys\nfrom pathlib import Path\n" + textwrap.dedent(header)
    script += f"target = Path({str(target)!r})\n" + textwrap.dedent(code)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
