"""Which findings held in a batch, and the two sheets that list them (问题清单, 已整改).

Why from `marts.findings_history` and on `status = 'open'`: a finding held in batch D exactly
when its history row as of D says open. Selecting on presence alone would also take findings
a history might carry forward as resolved. first_seen is recomputed over the batches up to D,
so what is shown as of an earlier batch never depends on batches loaded after it.
"""

from __future__ import annotations

from datetime import date

import duckdb

from exports.dates import zh_date
from exports.scope_sql import finding_filter
from exports.sql import FINDING_TOWNSHIP, SEVERITY_ORDER, SEVERITY_ZH
from exports.tables import Block, Column, Sheet
from exports.warehouse import Scope

OPEN_FINDINGS = "问题清单"
RESOLVED = "已整改"

HELD = "select * from marts.findings_history where status = 'open'"


def first_seen_sql(as_of_param: str = "?") -> str:
    """finding_id → first batch it held in, up to and including the as-of batch."""
    return (
        f"select finding_id, min(as_of) as first_seen from ({HELD}) "
        f"where as_of <= {as_of_param} group by finding_id"
    )


FINDING_COLUMNS = [
    Column("规则编码"),
    Column("问题类型"),
    Column("严重程度"),
    Column("所属乡镇"),
    Column("机构编码"),
    Column("机构名称"),
    Column("类别"),
    Column("人员标识"),
    Column("姓名"),
    Column("实际", "num"),
    Column("限额", "num"),
    Column("问题描述"),
    Column("首次发现", "date"),
]


def open_findings_sheet(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope) -> Sheet:
    """Every finding that held in the as-of batch: the 整改台账 an inspector follows up on."""
    where, params = finding_filter(scope)
    rows = con.execute(
        f"""
        with held as ({HELD}),
        first as (
            select finding_id, min(as_of) as first_seen from held where as_of <= ?
            group by finding_id
        )
        select h.rule_code, h.rule_name_zh, {SEVERITY_ZH}, {FINDING_TOWNSHIP},
               h.institution_code, h.institution_name, h.category, h.person_key,
               h.person_name, h.measured, h.allowed, h.detail_zh, f.first_seen,
               date_diff('day', f.first_seen, h.as_of), null, null, null
        from held h join first f using (finding_id)
        where h.as_of = ? and {where}
        order by {SEVERITY_ORDER}, h.rule_code, h.township_code nulls first,
                 h.institution_code, h.category, h.person_name, h.finding_id
        """,
        [as_of, as_of, *params],
    ).fetchall()
    columns = [
        *FINDING_COLUMNS,
        Column("持续天数", "int"),
        Column("整改措施"),
        Column("责任单位"),
        Column("整改时限", "date"),
    ]
    return Sheet(OPEN_FINDINGS, [Block(columns, rows)])


def resolved_findings_sheet(
    con: duckdb.DuckDBPyConnection, as_of: date, since: date | None, scope: Scope
) -> Sheet:
    """Findings that held in a batch on or after `since` (before as_of) but not in as_of.

    Each shows the last batch it held in, its sentence from then, and the first later batch
    in which it no longer held (整改确认批次).
    """
    columns = [
        *FINDING_COLUMNS,
        Column("最后发现", "date"),
        Column("整改确认批次", "date"),
    ]
    if since is None or since >= as_of:
        return Sheet(RESOLVED, [Block(columns, [])], note="无更早批次可比")
    where, params = finding_filter(scope)
    rows = con.execute(
        f"""
        with held as ({HELD}),
        now as (select finding_id from held where as_of = ?),
        gone as (
            select finding_id, max(as_of) as last_seen from held
            where as_of >= ? and as_of < ?
              and finding_id not in (select finding_id from now)
            group by finding_id
        ),
        first as (
            select finding_id, min(as_of) as first_seen from held where as_of <= ?
            group by finding_id
        )
        select h.rule_code, h.rule_name_zh, {SEVERITY_ZH}, {FINDING_TOWNSHIP},
               h.institution_code, h.institution_name, h.category, h.person_key,
               h.person_name, h.measured, h.allowed, h.detail_zh, f.first_seen,
               g.last_seen,
               (select min(b.batch_date) from audit.batches b where b.batch_date > g.last_seen)
        from gone g
        join held h on h.finding_id = g.finding_id and h.as_of = g.last_seen
        join first f on f.finding_id = g.finding_id
        where {where}
        order by {SEVERITY_ORDER}, h.rule_code, h.township_code nulls first,
                 h.institution_code, h.category, h.person_name, h.finding_id
        """,
        [as_of, since, as_of, as_of, *params],
    ).fetchall()
    note = f"{zh_date(since)}批次以来"
    return Sheet(RESOLVED, [Block(columns, rows)], note=note)
