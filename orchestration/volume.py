"""The roster volume guard (blocking check of warehouse.md).

Why it blocks: a roster export whose row count jumps or drops by more than the configured share
against the last published batch is almost always a partial or duplicated export, and publishing
it would make every reconciliation wrong at once.

Reading taken (documented in README): every new batch of a run is compared with the newest batch
of the *published* warehouse at the start of the run, as warehouse.md words it; the first ever
load has nothing to compare against and passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb


@dataclass(frozen=True)
class VolumeChange:
    batch_date: date
    previous_batch: date
    previous_rows: int
    rows: int

    @property
    def change(self) -> float:
        if self.previous_rows == 0:
            return float("inf") if self.rows else 0.0
        return abs(self.rows - self.previous_rows) / self.previous_rows

    def describe(self) -> str:
        return (
            f"roster of batch {self.batch_date}: {self.rows} rows loaded vs {self.previous_rows} "
            f"in published batch {self.previous_batch} ({self.change:.1%} change)"
        )


def volume_changes(
    previous: tuple[date, int] | None, new_batches: dict[date, int]
) -> list[VolumeChange]:
    """Each new batch's roster count against the newest published batch."""
    if previous is None:
        return []
    prev_date, prev_rows = previous
    return [VolumeChange(d, prev_date, prev_rows, rows) for d, rows in sorted(new_batches.items())]


def violations(changes: list[VolumeChange], max_change: float) -> list[VolumeChange]:
    """Changes strictly above the threshold ("more than 20 %")."""
    return [c for c in changes if c.change > max_change]


def roster_rows(con: duckdb.DuckDBPyConnection, batches: list[date]) -> dict[date, int]:
    """Roster rows loaded per batch, from the load report (carried-forward rows excluded)."""
    if not batches:
        return {}
    rows = con.execute(
        "select batch_date, sum(rows_loaded) from audit.load_report "
        "where source = 'roster' and not carried_forward and batch_date in "
        "(select unnest(?::date[])) group by 1",
        [batches],
    ).fetchall()
    return {d: int(n) for d, n in rows}
