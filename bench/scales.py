"""The benchmark scales: a county (S) up to a province and beyond (XL).

Why fixed numbers: the issue's targets are stated per scale, and results are only comparable
across machines and commits when every run means the same county size and input format.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

#: Environment variable that must be `1` before the XL scale is run at all.
XL_ENV = "BENCH_XL"


@dataclass(frozen=True)
class Scale:
    """One benchmark size: people per batch, nominal institutions, landing file format."""

    name: str
    people: int
    institutions: int
    fmt: str  # demo.generate(fmt=...): "xlsx" | "csv" | "mixed"


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", 300, 12, "xlsx"),
    "S": Scale("S", 20_000, 800, "xlsx"),
    "M": Scale("M", 200_000, 8_000, "csv"),
    "L": Scale("L", 2_000_000, 80_000, "csv"),
    "XL": Scale("XL", 20_000_000, 800_000, "csv"),
}

DEFAULT_SCALES = ("S", "M", "L")


def xl_allowed() -> bool:
    """XL writes tens of GiB and runs for a long time: only when explicitly asked for."""
    return os.environ.get(XL_ENV) == "1"


def parse_scales(text: str) -> list[Scale]:
    """`S,M,L` → scales, in the order given; unknown names are a usage error."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in SCALES]
    if unknown:
        raise ValueError(f"unknown scale(s) {', '.join(unknown)}; known: {', '.join(SCALES)}")
    return [SCALES[n] for n in names]
