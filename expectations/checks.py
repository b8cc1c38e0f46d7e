"""The vocabulary of the suites: a named, kinded expectation and the suite that holds it.

Why plain dataclasses instead of GX objects here: the orchestration must know, when Dagster loads
its definitions, which suites exist, which asset each attaches to and whether it can block —
without paying the 4 s Great Expectations import. So suites are described as data (the GX class
name and its keyword arguments) and turned into GX expectations only inside `run_suites`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

Layer = Literal["raw", "marts"]


@dataclass(frozen=True)
class Check:
    """One expectation: a stable name, a kind (which decides its default severity), the GX
    expectation class and its arguments, and a sentence that says why it exists."""

    name: str
    kind: str
    expectation: str
    kwargs: Mapping[str, Any]
    why: str

    @property
    def column(self) -> str | None:
        """The column(s) the expectation reads, as one text (None for table-level ones)."""
        kw = self.kwargs
        if "column" in kw:
            return str(kw["column"])
        if "column_A" in kw:
            return f"{kw['column_A']},{kw['column_B']}"
        if "column_list" in kw:
            return ",".join(kw["column_list"])
        return None


@dataclass(frozen=True)
class SuiteSpec:
    """One GX suite evaluated on one query asset (the rows of one table for one batch, or a
    measure computed from it), attached to the Dagster asset of `target`."""

    name: str
    target: str  # schema.table
    layer: Layer
    query: str
    checks: tuple[Check, ...]
    batch_date: date
    index_columns: tuple[str, ...] = ()
    description: str = ""

    @property
    def asset_key(self) -> tuple[str, ...]:
        """The Dagster asset key of the target: ["raw", source] / ["audit", table] for the
        ingest assets, ["marts", model] for dbt marts (dagster-dbt's key for a model whose
        schema is configured, as orchestration's translator keeps it)."""
        schema, table = self.target.split(".", 1)
        return (schema, table)


@dataclass(frozen=True)
class BatchWindow:
    """The batch a suite evaluates, the one before it (for comparisons), and the newest loaded."""

    batch: date
    previous: date | None
    newest: date

    @property
    def b(self) -> str:
        """The batch date as a SQL literal."""
        return sql_date(self.batch)

    @property
    def p(self) -> str:
        """The previous batch date as a SQL literal (NULL where there is none: comparisons then
        select no rows and pass vacuously)."""
        return sql_date(self.previous)

    @property
    def n(self) -> str:
        return sql_date(self.newest)


def sql_date(value: date | None) -> str:
    return "cast(null as date)" if value is None else f"date '{value.isoformat()}'"


def sql_list(values: Iterable[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# --- constructors: one line per expectation in the suites --------------------------------------


def columns_present(columns: Sequence[str]) -> Check:
    return Check(
        "columns_present",
        "schema",
        "ExpectTableColumnsToMatchSet",
        {"column_set": list(columns), "exact_match": False},
        "every column of the interface (docs/interfaces.md) is there",
    )


def not_empty(
    why: str = "a batch without rows here means a lost export or a failed build",
) -> Check:
    return Check("not_empty", "schema", "ExpectTableRowCountToBeBetween", {"min_value": 1}, why)


def not_null(name: str, column: str, why: str, kind: str = "required") -> Check:
    return Check(name, kind, "ExpectColumnValuesToNotBeNull", {"column": column}, why)


def unique(name: str, column: str, why: str, kind: str = "required") -> Check:
    return Check(name, kind, "ExpectColumnValuesToBeUnique", {"column": column}, why)


def unique_together(name: str, columns: Sequence[str], why: str) -> Check:
    return Check(
        name, "required", "ExpectCompoundColumnsToBeUnique", {"column_list": list(columns)}, why
    )


def in_set(
    name: str, column: str, values: Iterable[Any], why: str = "", kind: str = "enumeration"
) -> Check:
    return Check(
        name,
        kind,
        "ExpectColumnValuesToBeInSet",
        {"column": column, "value_set": list(values)},
        why or f"{column} holds only the contract's values",
    )


def holds(name: str, kind: str, why: str, mostly: float | None = None) -> Check:
    """A boolean column `dq_<name>` computed by the suite's query is true on every row (NULL rows
    are not counted: a condition that does not apply to a row leaves it NULL)."""
    kwargs: dict[str, Any] = {"column": f"dq_{name}", "value_set": [True]}
    if mostly is not None and mostly < 1:
        kwargs["mostly"] = mostly
    return Check(name, kind, "ExpectColumnValuesToBeInSet", kwargs, why)


def between(
    name: str,
    column: str,
    why: str,
    kind: str = "range",
    min_value: Any = None,
    max_value: Any = None,
    strict: bool = False,
) -> Check:
    kwargs: dict[str, Any] = {"column": column}
    if min_value is not None:
        kwargs["min_value"] = min_value
        kwargs["strict_min"] = strict
    if max_value is not None:
        kwargs["max_value"] = max_value
        kwargs["strict_max"] = strict
    return Check(name, kind, "ExpectColumnValuesToBeBetween", kwargs, why)


def not_before(name: str, later: str, earlier: str, why: str, kind: str = "date_range") -> Check:
    return Check(
        name,
        kind,
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {
            "column_A": later,
            "column_B": earlier,
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        },
        why,
    )
