"""When Python's cyclic garbage collector runs in the one-shot `bianzhi` process.

Why this exists: `bianzhi run` imports ~3,000 modules (Dagster, dbt, dagster-dbt) and ends with
~430,000 live objects. The collector's full passes walk every one of them: measured at S
(20,000 people, 2026-12-07) ~0.4 s of collections during the imports, ~0.9 s of full passes
during the night, and ~1.1 s after `main` returned, while the interpreter shut down (the
process ended 1.1 s after its last line ran). Nothing of this frees memory that matters: the
imported modules live until the process ends.

- While the heavy imports run, the collector is off; then everything they created is frozen
  (`gc.freeze`: moved out of the collector's generations, still freed by reference counting),
  so the night's collections walk only the night's own objects.
- Before the process exits, everything is frozen, so shutdown does not walk it again.

Both only touch objects that exist at that moment; cycles made later are collected as usual.
The data-quality worker imports Great Expectations the same way (expectations/worker.py), and
ingest pauses the collector while it builds a worksheet's cells (`collection_paused`).
A/B at S, incremental night, alternated, 4 rounds: 15.5 s → 13.8 s (median).

Only the standard library here, so ingest and expectations use it without pulling in Dagster.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """The collector off for the `with` body, then as it was: for work that allocates many
    acyclic containers (a sheet's cells, a framework's modules), where a collection walks the
    whole heap and finds nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def imports_without_collection(module: str) -> Iterator[None]:
    """Run the `with` body (the import of `module`) with the collector off, then freeze what it
    created. A no-op when `module` is already imported: only the first import pays, and a
    process that runs many nights (the test suite, `dagster dev`) freezes once."""
    if module in sys.modules:
        yield
        return
    with collection_paused():
        try:
            yield
        finally:
            gc.freeze()


def exit_without_final_collection(code: int) -> None:
    """Freeze every object, then leave with `code` (atexit handlers still run)."""
    gc.freeze()
    raise SystemExit(code)
