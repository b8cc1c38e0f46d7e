"""The in-memory shape of a workbook sheet, between the queries and the xlsx writer.

Why a neutral shape: the queries decide *what* an inspector sees (rows, headers, types), the
writer decides *how* (formats, widths, frozen panes). Tests and the manifest read the same
objects the writer writes, so row counts are counted once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ColumnKind = Literal["text", "int", "num", "pct", "date", "bool"]


@dataclass(frozen=True)
class Column:
    header: str
    kind: ColumnKind = "text"


@dataclass
class Block:
    """One table on a sheet: an optional subtitle row, a header row, data rows."""

    columns: list[Column]
    rows: list[tuple[Any, ...]]
    subtitle: str | None = None


@dataclass
class Sheet:
    """A sheet: its name (Chinese), its blocks (the first one's header row is frozen)."""

    name: str
    blocks: list[Block] = field(default_factory=list)
    note: str | None = None  # shown in the title row, e.g. which batches a comparison spans

    @property
    def row_count(self) -> int:
        """Data rows over all blocks (titles, subtitles and header rows not counted)."""
        return sum(len(b.rows) for b in self.blocks)
