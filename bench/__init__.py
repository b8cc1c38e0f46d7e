"""Benchmark harness for bianzhi: `python -m bench` (see docs/benchmarks.md).

Why a package of its own: a benchmark must measure whole processes (start-up, imports and
subprocesses are the main cost at county scale, see ../shared/performance-notes.md), so every
measured thing runs in a fresh subprocess (`bench.worker`) that this package starts, times and
whose peak memory it reads back from the kernel.
"""
