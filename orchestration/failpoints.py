"""Fail points: named places where a test can make a run die as `kill -9` would.

Why in the code: "a crash at any point leaves the published file as it was" is only believable
if a test kills real runs at the risky instants (mid-ingest, mid-dbt, just before the rename).
Timing a signal from outside is flaky; a named point is exact. With `BIANZHI_FAILPOINT` unset
(always, outside tests) a fail point is one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

ENV = "BIANZHI_FAILPOINT"


def failpoint(name: str) -> None:
    """SIGKILL this process if the environment names this point."""
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
