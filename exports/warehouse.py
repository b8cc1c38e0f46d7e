"""Read-only access to the published warehouse: batch dates, the as-of date, the scope.

Why one short-lived read-only connection: a run may replace the published file at any moment.
One connection reads one file (the one it opened), so every sheet of a workbook comes from the
same publish; and it is closed before the export writes anything, so an export never holds open
the file it is about to replace with its log row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from exports.errors import UsageError
from orchestration.publish import connect_readonly

#: Bytes 8–11 of every DuckDB database file.
DUCKDB_MAGIC = b"DUCK"

#: Tables the commands cannot work without (docs/interfaces.md).
REQUIRED_TABLES = (
    "marts.staffing_reconciliation",
    "marts.leadership_reconciliation",
    "marts.roster",
    "marts.findings_history",
    "marts.institutions",
    "marts.townships",
    "audit.batches",
)


@contextmanager
def open_warehouse(path: Path, extra: tuple[str, ...] = ()) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to a published warehouse, checked for the tables we read."""
    if not path.is_file():
        raise UsageError(f"{path}: no such warehouse file")
    with path.open("rb") as fh:
        header = fh.read(12)
    if header[8:12] != DUCKDB_MAGIC:  # fail at once rather than after connect_readonly's retries
        raise UsageError(f"{path}: not a DuckDB file, cannot open the warehouse")
    try:
        con = connect_readonly(path)
    except RuntimeError as exc:
        raise UsageError(str(exc)) from exc
    try:
        present = {
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        missing = [t for t in (*REQUIRED_TABLES, *extra) if t not in present]
        if missing:
            raise UsageError(f"{path}: not a published bianzhi warehouse (missing {missing[0]})")
        yield con
    finally:
        con.close()


def table_exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, name = qualified.split(".", 1)
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()
    return bool(row and row[0])


def existing_columns(con: duckdb.DuckDBPyConnection, qualified: str) -> set[str]:
    schema, name = qualified.split(".", 1)
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchall()
    return {r[0] for r in rows}


def batch_dates(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Every loaded batch date, oldest first."""
    rows = con.execute("select distinct batch_date from audit.batches order by 1").fetchall()
    return [r[0] for r in rows]


def resolve_as_of(con: duckdb.DuckDBPyConnection, wanted: date | None) -> date:
    """The batch to export: the one asked for (it must be loaded), else the newest."""
    dates = batch_dates(con)
    if not dates:
        raise UsageError("the warehouse holds no loaded batch")
    if wanted is None:
        return dates[-1]
    if wanted not in dates:
        known = ", ".join(str(d) for d in dates)
        raise UsageError(f"--as-of {wanted}: no batch of that date is loaded (batches: {known})")
    return wanted


def previous_batch(con: duckdb.DuckDBPyConnection, as_of: date) -> date | None:
    """The loaded batch just before `as_of`, if any."""
    earlier = [d for d in batch_dates(con) if d < as_of]
    return earlier[-1] if earlier else None


@dataclass(frozen=True)
class Scope:
    """What an export covers: the county, one township, or one institution.

    `institutions` lists the institution codes in scope (None for the whole county): the
    township's institutions, or the institution and its 内设机构. Every sheet filters by it, so
    all sheets of one workbook agree on what "in scope" means.
    """

    kind: str  # county | township | institution
    code: str | None
    name: str
    township_name: str | None
    institutions: tuple[str, ...] | None

    @property
    def key(self) -> str:
        """Scope as logged and written in the manifest: `county`, `township:CODE`, …"""
        return "county" if self.code is None else f"{self.kind}:{self.code}"

    @property
    def slug(self) -> str:
        """Scope as it appears in file names: ASCII, deterministic."""
        if self.code is None:
            return "county"
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.code)
        return f"{self.kind}-{safe}"

    @property
    def label(self) -> str:
        """Scope as it appears in a title: `牛佛镇`, `牛佛镇 牛佛镇人民政府`, or empty."""
        if self.kind == "county":
            return ""
        if self.kind == "institution" and self.township_name:
            return f"{self.township_name} {self.name}"
        return self.name


def resolve_scope(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    township: str | None,
    institution: str | None,
) -> Scope:
    """Check the township / institution code against the registry as of that batch."""
    if township and institution:
        raise UsageError("--township and --institution exclude each other")
    if township:
        row = con.execute(
            "select township_name from marts.townships where as_of = ? and township_code = ?",
            [as_of, township],
        ).fetchone()
        if row is None:
            raise UsageError(f"--township {township}: no such township in the batch of {as_of}")
        codes = con.execute(
            "select institution_code from marts.institutions "
            "where as_of = ? and township_code = ? order by 1",
            [as_of, township],
        ).fetchall()
        return Scope("township", township, row[0], row[0], tuple(c[0] for c in codes))
    if institution:
        row = con.execute(
            "select i.institution_name, t.township_name from marts.institutions i "
            "left join marts.townships t "
            "on t.as_of = i.as_of and t.township_code = i.township_code "
            "where i.as_of = ? and i.institution_code = ?",
            [as_of, institution],
        ).fetchone()
        if row is None:
            raise UsageError(
                f"--institution {institution}: no such institution in the batch of {as_of}"
            )
        children = con.execute(
            "select institution_code from marts.institutions "
            "where as_of = ? and parent_code = ? order by 1",
            [as_of, institution],
        ).fetchall()
        codes = (institution, *(c[0] for c in children))
        return Scope("institution", institution, row[0], row[1], codes)
    return Scope("county", None, "全县", None, None)
