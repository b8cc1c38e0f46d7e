"""Deterministic demo county (清溪县) for the 机构编制实名制 warehouse.

`demo.generate(out_dir, seed, people, fmt, batches)` writes landing folders exactly as
../shared/contract/README.md describes them and returns a `DemoSummary` of what it wrote
and what it planted; `python -m demo --out DIR --seed N --people N` does the same.

Why it is built the way it is:

- Two parts. A *bulk* generated column by column with numpy (millions of people in about a
  minute, no loop per person) that is clean on purpose, and a small *planted* part written out
  case by case (demo/planted.py) so that every rule of rules.md fires at least once, with
  near-misses that must not fire. Findings on the demo are therefore meaningful: apart from
  VACANT (grants leave some vacancy), each one is a planted case listed in the summary.
- Grants are derived from the roster after the roster of every batch is known (authorized =
  the highest occupancy over the batches plus a little vacancy), so the bulk never produces
  OVERSTAFFED or OVER_LEADERSHIP by accident; planted institutions get hand-written grants.
- Real-world mess (title rows, header synonyms, mixed date styles, GB18030, hidden sheets,
  Excel-damaged identity numbers, totals rows, …) is a sparse layer of per-cell overrides on
  top of clean columns, and the summary records, per file, which kinds are present and how
  many rows the loader must read, skip or quarantine.
- Determinism: every random draw comes from numpy generators spawned from the seed, and the
  xlsx metadata carry a fixed date, so the same seed and arguments give byte-identical files.
- Later batches change about 1 % of the bulk (leavers, hires, transfers) and omit sources (the
  second batch holds grants + roster, the third only the roster) so that carry-forward, the
  volume guard and findings that resolve or return are all exercised.
"""

from demo.generator import (
    DEFAULT_DATES,
    RULE_CODES,
    Built,
    DemoSummary,
    FileSummary,
    batch_dates,
    build,
    generate,
)
from demo.planted import PlantedCase

__all__ = [
    "DEFAULT_DATES",
    "RULE_CODES",
    "Built",
    "DemoSummary",
    "FileSummary",
    "PlantedCase",
    "batch_dates",
    "build",
    "generate",
]
