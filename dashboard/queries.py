"""Every query the dashboard runs, as plain functions of a connection factory.

Why this shape: the pages stay thin (widgets and layout only) and every number on the screen comes
from one function here, which tests call directly against a small hand-built warehouse or the
demo county. A function opens its own read-only connection through the factory and closes it
before returning, so the dashboard never holds the published file open between queries and a
publish (an atomic file replacement) is picked up on the next query.

The functions read only `marts.*` and `audit.*` columns that hold no identity number;
`audit.quarantine.raw` is never selected.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.publish import connect_readonly

#: Opens a connection for one query and closes it afterwards.
Connect = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]

#: The contract's quota types, in the order the 编办 reads them.
QUOTA_TYPES = ("行政编制", "政法专项编制", "事业编制", "工勤编制")
LEADERSHIP_KINDS = ("正职", "副职", "内设机构正职", "内设机构副职")
SEVERITIES = ("error", "warn", "info")
STATUSES = ("open", "resolved")
SOURCES = ("townships", "institutions", "quota_grants", "roster")


def _order_by(column: str, values: Sequence[str]) -> str:
    """A sort key placing `column` in the contract's order (constants, never user input)."""
    listed = ", ".join(f"'{v}'" for v in values)
    return f"list_position([{listed}], {column})"


_QUOTA_ORDER = _order_by("quota_type", QUOTA_TYPES)
_KIND_ORDER = _order_by("leadership_kind", LEADERSHIP_KINDS)
_SEVERITY_ORDER = _order_by("severity", SEVERITIES)

#: Identity-number look-alikes: 18 characters (17 digits + digit/X), the old 15-digit form, and
#: the scientific notation Excel turns them into. Masked in any text the dashboard shows from
#: audit tables written by other parts (quarantine reasons, dq results, run messages).
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])|\d\.\d+[Ee]\+1[4-7]")
ID_MASK = "［身份证号已隐藏］"

#: Columns of audit tables whose content may be a source value (an identity number) rather than
#: a description: never shown.
_RAW_COLUMN = re.compile(
    r"raw|unexpected_(?:list|values|rows|index)|sample|id_number|identity", re.IGNORECASE
)


def readonly(path: Path) -> Connect:
    """A connection factory over the published file: read-only, retried across a publish."""

    @contextlib.contextmanager
    def connect() -> Iterator[duckdb.DuckDBPyConnection]:
        con = connect_readonly(path)
        try:
            yield con
        finally:
            con.close()

    return connect


def _df(connect: Connect, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    with connect() as con:
        return con.execute(sql, list(params)).df()


def mask_identity_numbers(df: pd.DataFrame) -> pd.DataFrame:
    """Drop raw-value columns and mask identity-number look-alikes in every text column."""
    keep = [c for c in df.columns if not _RAW_COLUMN.search(str(c))]
    out = df[keep].copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: _ID_LIKE.sub(ID_MASK, v) if isinstance(v, str) else v
            )
    return out


def table_exists(connect: Connect, schema: str, table: str) -> bool:
    """Whether the published file has a table (optional tables of other parts)."""
    with connect() as con:
        row = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()
    return bool(row and row[0])


# ── 总览 ─────────────────────────────────────────────────────────────────────────────────────


def batches(connect: Connect) -> list[date]:
    """Loaded batch dates (as_of) of the marts, oldest first."""
    with connect() as con:
        rows = con.execute(
            "select distinct as_of from marts.staffing_reconciliation order by 1"
        ).fetchall()
    return [row[0] for row in rows]


def county_totals(connect: Connect, as_of: date) -> pd.DataFrame:
    """County totals per quota type: 核定, 实有, 空编 and 超编 summed over institutions.

    空编 and 超编 are sums of each institution's own vacancy / overstaffing, not the net
    difference: a vacancy in one unit does not cancel overstaffing in another.
    """
    return _df(
        connect,
        "select quota_type, sum(authorized)::bigint as authorized, "
        "sum(occupied)::bigint as occupied, sum(vacancy)::bigint as vacancy, "
        "sum(overstaffed_by)::bigint as overstaffed_by "
        "from marts.staffing_reconciliation where as_of = ? "
        f"group by quota_type order by {_QUOTA_ORDER} nulls last, quota_type",
        [as_of],
    )


def findings_by_rule(connect: Connect, as_of: date) -> pd.DataFrame:
    """Findings that held in batch `as_of` per rule and severity (for the newest batch: open)."""
    return _df(
        connect,
        "select rule_code, any_value(rule_name_zh) as rule_name_zh, severity, "
        "count(*)::bigint as findings from marts.findings_history where as_of = ? "
        f"group by rule_code, severity order by {_SEVERITY_ORDER}, findings desc, rule_code",
        [as_of],
    )


def staffing_trend(connect: Connect) -> pd.DataFrame:
    """County totals per batch: 核定, 实有, 空编, 超编."""
    return _df(
        connect,
        "select as_of, sum(authorized)::bigint as authorized, sum(occupied)::bigint as occupied, "
        "sum(vacancy)::bigint as vacancy, sum(overstaffed_by)::bigint as overstaffed_by "
        "from marts.staffing_reconciliation group by as_of order by as_of",
    )


def findings_trend(connect: Connect) -> pd.DataFrame:
    """Findings that held per batch and severity (wide: one column per severity)."""
    return _df(
        connect,
        "select as_of, "
        "count(*) filter (where severity = 'error')::bigint as error, "
        "count(*) filter (where severity = 'warn')::bigint as warn, "
        "count(*) filter (where severity = 'info')::bigint as info "
        "from marts.findings_history group by as_of order by as_of",
    )


# ── 乡镇 ─────────────────────────────────────────────────────────────────────────────────────


def townships(connect: Connect, as_of: date) -> pd.DataFrame:
    """Townships of batch `as_of`: township_code, township_name."""
    return _df(
        connect,
        "select township_code, township_name from marts.townships where as_of = ? "
        "order by township_code",
        [as_of],
    )


def township_summary(connect: Connect, as_of: date, township_code: str) -> pd.DataFrame:
    """The township's totals per quota type (marts.township_summary)."""
    return _df(
        connect,
        "select quota_type, authorized, occupied, vacancy, overstaffed_by "
        "from marts.township_summary where as_of = ? and township_code = ? "
        f"order by {_QUOTA_ORDER} nulls last, quota_type",
        [as_of, township_code],
    )


def township_staffing(connect: Connect, as_of: date, township_code: str) -> pd.DataFrame:
    """Reconciliation of each institution in the township, per quota type."""
    return _df(
        connect,
        "select institution_code, institution_name, quota_type, authorized, occupied, vacancy, "
        "overstaffed_by from marts.staffing_reconciliation where as_of = ? and township_code = ? "
        f"order by institution_code, {_QUOTA_ORDER} nulls last, quota_type",
        [as_of, township_code],
    )


def township_leadership_posts(connect: Connect, as_of: date, township_code: str) -> pd.DataFrame:
    """Leadership posts (核定 vs 实配) of each institution in the township."""
    return _df(
        connect,
        "select institution_code, institution_name, leadership_kind, authorized, actual, "
        "greatest(actual - authorized, 0) as over_by "
        "from marts.leadership_reconciliation where as_of = ? and township_code = ? "
        f"order by institution_code, {_KIND_ORDER} nulls last, leadership_kind",
        [as_of, township_code],
    )


def township_leader_ratio(connect: Connect, as_of: date, township_code: str) -> dict[str, Any]:
    """leaders, staff and leader_ratio of the township (empty dict when the mart has no row)."""
    df = _df(
        connect,
        "select leaders, staff, leader_ratio from marts.township_leadership "
        "where as_of = ? and township_code = ?",
        [as_of, township_code],
    )
    return _first_row(df)


def workforce(connect: Connect, as_of: date, scope: str, scope_code: str) -> dict[str, Any]:
    """One row of marts.workforce_structure (empty dict when absent)."""
    df = _df(
        connect,
        "select headcount, staff, staff_admin, staff_public, staff_worker, staff_judicial, "
        "staff_none, leaders, leader_ratio, age_under_30, age_30_44, age_45_plus, "
        "bachelor_plus, bachelor_plus_share from marts.workforce_structure "
        "where as_of = ? and scope = ? and scope_code = ?",
        [as_of, scope, scope_code],
    )
    return _first_row(df)


def _first_row(df: pd.DataFrame) -> dict[str, Any]:
    if df.empty:
        return {}
    return {k: (None if pd.isna(v) else v) for k, v in df.iloc[0].to_dict().items()}


# ── 机构 ─────────────────────────────────────────────────────────────────────────────────────


def institutions(connect: Connect, as_of: date) -> pd.DataFrame:
    """Institutions of batch `as_of` with their township's name, for the picker."""
    return _df(
        connect,
        "select i.institution_code, i.institution_name, i.category, i.level, i.township_code, "
        "t.township_name, i.is_active from marts.institutions i "
        "left join marts.townships t on t.as_of = i.as_of and t.township_code = i.township_code "
        "where i.as_of = ? order by i.township_code nulls first, i.institution_code",
        [as_of],
    )


def institution_staffing(connect: Connect, as_of: date, institution_code: str) -> pd.DataFrame:
    """The institution's reconciliation per quota type in batch `as_of`."""
    return _df(
        connect,
        "select quota_type, authorized, occupied, vacancy, overstaffed_by "
        "from marts.staffing_reconciliation where as_of = ? and institution_code = ? "
        f"order by {_QUOTA_ORDER} nulls last, quota_type",
        [as_of, institution_code],
    )


def quota_events(connect: Connect, as_of: date, institution_code: str) -> pd.DataFrame:
    """The institution's quota ledger as it stood at batch `as_of`, in date order (its history)."""
    return _df(
        connect,
        "select item, kind, doc_no, approved_on, effective_on, change, amount, value_after, note "
        "from marts.quota_events where as_of = ? and institution_code = ? "
        "order by effective_on, approved_on, doc_no, item, kind",
        [as_of, institution_code],
    )


_FINDING_COLUMNS = (
    "rule_code, rule_name_zh, severity, status, township_name, institution_name, category, "
    "person_name, person_key, measured, allowed, detail_zh, first_seen, last_seen, open_days"
)


def institution_findings(connect: Connect, institution_code: str) -> pd.DataFrame:
    """Every finding of the institution, open ones first."""
    return _df(
        connect,
        f"select {_FINDING_COLUMNS} from marts.findings where institution_code = ? "
        f"order by status, {_SEVERITY_ORDER}, rule_code, first_seen",
        [institution_code],
    )


# ── 问题清单 ──────────────────────────────────────────────────────────────────────────────────


def rule_catalog(connect: Connect) -> pd.DataFrame:
    """rule_code, name_zh, severity of every rule."""
    return _df(
        connect,
        "select rule_code, name_zh, severity from marts.rule_catalog order by rule_code",
    )


def finding_townships(connect: Connect) -> pd.DataFrame:
    """Townships that appear in marts.findings (code and name), for the filter."""
    return _df(
        connect,
        "select township_code, any_value(township_name) as township_name from marts.findings "
        "where township_code is not null group by township_code order by township_code",
    )


def findings(
    connect: Connect,
    rules: Sequence[str] = (),
    severities: Sequence[str] = (),
    township_codes: Sequence[str] = (),
    statuses: Sequence[str] = (),
    first_seen_between: tuple[date, date] | None = None,
) -> pd.DataFrame:
    """marts.findings filtered; an empty selection means no filter on that column.

    `first_seen_between` (inclusive) picks findings that first appeared in a range of batches,
    e.g. only the ones the newest batch brought.
    """
    where: list[str] = []
    params: list[Any] = []
    for column, values in (
        ("rule_code", rules),
        ("severity", severities),
        ("township_code", township_codes),
        ("status", statuses),
    ):
        if values:
            where.append(f"{column} in (select unnest(?::varchar[]))")
            params.append(list(values))
    if first_seen_between is not None:
        where.append("first_seen between ? and ?")
        params.extend(first_seen_between)
    clause = f"where {' and '.join(where)}" if where else ""
    return _df(
        connect,
        f"select {_FINDING_COLUMNS} from marts.findings {clause} "
        f"order by status, {_SEVERITY_ORDER}, rule_code, township_name nulls first, "
        "institution_name nulls first, first_seen",
        params,
    )


# ── 数据质量 ──────────────────────────────────────────────────────────────────────────────────


def load_report(connect: Connect) -> pd.DataFrame:
    """audit.load_report, newest batch first."""
    return mask_identity_numbers(
        _df(
            connect,
            "select batch_date, source, file_name, sheet, rows_read, rows_loaded, "
            "rows_quarantined, rows_blank, rows_totals, carried_forward, anomaly_accepted, "
            "message from audit.load_report order by batch_date desc, "
            f"{_order_by('source', SOURCES)}",
        )
    )


def quarantine_by_file(connect: Connect) -> pd.DataFrame:
    """Quarantined rows counted per batch and file (the `raw` column is never read)."""
    return _df(
        connect,
        "select batch_date, source, file_name, count(*)::bigint as rows_quarantined "
        "from audit.quarantine group by batch_date, source, file_name "
        "order by batch_date desc, source, file_name",
    )


def quarantine_by_reason(connect: Connect) -> pd.DataFrame:
    """Quarantined rows per batch, file and reason (reason text masked for ID look-alikes)."""
    return mask_identity_numbers(
        _df(
            connect,
            "select batch_date, file_name, reason, count(*)::bigint as rows_quarantined "
            "from audit.quarantine group by batch_date, file_name, reason "
            "order by batch_date desc, file_name, rows_quarantined desc, reason",
        )
    )


#: The columns of audit.dq_results (expectations/runner.py) the page shows, in this order.
DQ_COLUMNS = (
    "checked_at",
    "batch_date",
    "suite",
    "target",
    "expectation",
    "column",
    "severity",
    "success",
    "unexpected_count",
    "element_count",
    "observed_value",
    "run_id",
)


def dq_results(connect: Connect, latest_runs: int = 3) -> pd.DataFrame:
    """Rows of audit.dq_results from the latest runs, failures first within a run.

    The table belongs to the data-quality suites; the page shows the columns of `DQ_COLUMNS`
    that it has (so a renamed or dropped column degrades the view, not the page), and masks
    identity-number look-alikes in observed values.
    """
    with connect() as con:
        have = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'audit' and table_name = 'dq_results'"
            ).fetchall()
        }
    shown = [c for c in DQ_COLUMNS if c in have] or sorted(have)
    select = ", ".join(f'd."{c}"' for c in shown)
    if {"run_id", "checked_at"} <= have:
        sql = (
            "with runs as (select run_id, max(checked_at) as last_at from audit.dq_results "
            f"group by run_id order by last_at desc limit {int(latest_runs)}) "
            f"select {select} from audit.dq_results d join runs using (run_id) "
            "order by runs.last_at desc, d.success nulls first, d.suite, d.expectation"
        )
    else:
        sql = f"select {select} from audit.dq_results d"
    return mask_identity_numbers(_df(connect, sql))


def run_log(connect: Connect, limit: int = 50) -> pd.DataFrame:
    """The latest runs of audit.run_log, newest first."""
    return mask_identity_numbers(
        _df(
            connect,
            "select recorded_at, status, batches, message, run_id from audit.run_log "
            f"order by recorded_at desc limit {int(limit)}",
        )
    )
