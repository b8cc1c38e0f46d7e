"""The six sheets of the inspection workbook, read from the marts as of one batch.

Why every sheet is a query on the *history* tables (rows per `as_of`) rather than on the
newest state: an export of an earlier batch must show exactly what the warehouse held for that
batch, and the newest batch is just the last one. Open findings as of a date come from
`marts.findings_history`, with first_seen recomputed over the batches up to that date, so an
as-of export never shows knowledge from later batches.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from exports.dates import zh_date
from exports.findings import HELD
from exports.mask import mask_id
from exports.tables import Block, Column, Sheet
from exports.warehouse import Scope, table_exists

STAFFING = "机构编制情况"
LEADERSHIP = "领导职数"
ROSTER = "实名制人员名册"
OPEN_FINDINGS = "问题清单"
RESOLVED = "已整改"
DATA_QUALITY = "数据质量"
SHEET_NAMES = (STAFFING, LEADERSHIP, ROSTER, OPEN_FINDINGS, RESOLVED, DATA_QUALITY)

QUOTA_ORDER = (
    "case quota_type when '行政编制' then 1 when '政法专项编制' then 2 "
    "when '事业编制' then 3 when '工勤编制' then 4 else 5 end"
)
KIND_ORDER = (
    "case leadership_kind when '正职' then 1 when '副职' then 2 "
    "when '内设机构正职' then 3 when '内设机构副职' then 4 else 5 end"
)


def severity_rank(expr: str = "severity") -> str:
    """SQL ranking error before warn before info."""
    return f"case {expr} when 'error' then 1 when 'warn' then 2 else 3 end"


SEVERITY_ORDER = severity_rank()
SEVERITY_ZH = (
    "case severity when 'error' then '严重' when 'warn' then '警告' "
    "when 'info' then '提示' else severity end"
)
FINDING_TOWNSHIP = (
    "coalesce(h.township_name, case when h.institution_code is not null then '县直' end)"
)
SOURCE_ORDER = (
    "case source when 'townships' then 1 when 'institutions' then 2 "
    "when 'quota_grants' then 3 when 'roster' then 4 else 5 end"
)
SOURCE_ZH = {
    "townships": "乡镇",
    "institutions": "机构名录",
    "quota_grants": "编制核定",
    "roster": "人员花名册",
}

Params = list[Any]


def _institution_filter(scope: Scope, column: str) -> tuple[str, Params]:
    if scope.institutions is None:
        return "true", []
    return f"{column} in (select unnest(?::varchar[]))", [list(scope.institutions)]


def _finding_filter(scope: Scope) -> tuple[str, Params]:
    """Findings of the scope's institutions; a township scope also takes township-level ones."""
    sql, params = _institution_filter(scope, "h.institution_code")
    if scope.kind == "township":
        return f"({sql} or h.township_code = ?)", [*params, scope.code]
    return sql, params


def staffing_sheet(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope) -> Sheet:
    where, params = _institution_filter(scope, "s.institution_code")
    rows = con.execute(
        f"""
        select s.institution_code, s.institution_name, coalesce(t.township_name, '县直'),
               s.quota_type, s.authorized, s.occupied, s.vacancy, s.overstaffed_by
        from marts.staffing_reconciliation s
        left join marts.townships t on t.as_of = s.as_of and t.township_code = s.township_code
        where s.as_of = ? and {where}
        order by s.township_code nulls first, s.institution_code, {QUOTA_ORDER}
        """,
        [as_of, *params],
    ).fetchall()
    columns = [
        Column("机构编码"),
        Column("机构名称"),
        Column("所属乡镇"),
        Column("编制类型"),
        Column("核定", "int"),
        Column("实有", "int"),
        Column("空编", "int"),
        Column("超编", "int"),
    ]
    return Sheet(STAFFING, [Block(columns, rows)])


def leadership_sheet(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope) -> Sheet:
    where, params = _institution_filter(scope, "l.institution_code")
    rows = con.execute(
        f"""
        select l.institution_code, l.institution_name, coalesce(t.township_name, '县直'),
               l.leadership_kind, l.authorized, l.actual,
               greatest(l.authorized - l.actual, 0), greatest(l.actual - l.authorized, 0)
        from marts.leadership_reconciliation l
        left join marts.townships t on t.as_of = l.as_of and t.township_code = l.township_code
        where l.as_of = ? and {where}
        order by l.township_code nulls first, l.institution_code, {KIND_ORDER}
        """,
        [as_of, *params],
    ).fetchall()
    columns = [
        Column("机构编码"),
        Column("机构名称"),
        Column("所属乡镇"),
        Column("职数类别"),
        Column("核定职数", "int"),
        Column("实配", "int"),
        Column("空缺", "int"),
        Column("超配", "int"),
    ]
    return Sheet(LEADERSHIP, [Block(columns, rows)])


def roster_sheet(
    con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope, unmasked: bool
) -> Sheet:
    """marts.roster joined to the raw roster of the same batch for the identity number.

    The marts carry only person_key; the number comes from `raw.roster` of that batch (one
    number per key: the key is an HMAC of the number). A person is in scope when their slot
    unit or their work institution is.
    """
    slot, p1 = _institution_filter(scope, "r.slot_institution_code")
    # an unresolved slot unit has no institution name: show the name as it arrived, where the
    # marts keep it (slot_unit_name is beyond the documented columns, so optional)
    slot_name = "r.slot_institution_name"
    if "slot_unit_name" in _existing_columns(con, "marts.roster"):
        slot_name = "coalesce(r.slot_institution_name, r.slot_unit_name)"
    work, p2 = _institution_filter(scope, "r.work_institution_code")
    rows = con.execute(
        f"""
        with ids as (
            select person_key, min(id_number) as id_number
            from raw.roster where batch_date = ? and person_key is not null
            group by person_key
        )
        select r.person_key, ids.id_number, r.name, r.gender, r.birth_date, r.age,
               r.person_category, r.quota_type, r.slot_institution_code,
               {slot_name}, coalesce(r.work_unit_name, r.work_institution_name),
               case when r.slot_institution_code is not null
                    then coalesce(t.township_name, '县直') end,
               r.title, r.leadership, r.grade, r.post_type, r.status, r.education,
               r.slot_since, r.retirement_date,
               case when r.id_valid then '是' when not r.id_valid then '否' end
        from marts.roster r
        left join ids on ids.person_key = r.person_key
        left join marts.townships t on t.as_of = r.as_of and t.township_code = r.township_code
        where r.as_of = ? and ({slot} or {work})
        order by r.township_code nulls first, r.slot_institution_code, r.name, r.person_key
        """,
        [as_of, as_of, *p1, *p2],
    ).fetchall()
    if not unmasked:
        rows = [(r[0], mask_id(r[1]), *r[2:]) for r in rows]
    columns = [
        Column("人员标识"),
        Column("身份证号" if unmasked else "身份证号（已脱敏）"),
        Column("姓名"),
        Column("性别"),
        Column("出生日期", "date"),
        Column("年龄", "int"),
        Column("人员类别"),
        Column("编制类型"),
        Column("编制所在单位编码"),
        Column("编制所在单位"),
        Column("工作单位"),
        Column("所属乡镇"),
        Column("职务"),
        Column("领导职务类别"),
        Column("职务层次"),
        Column("岗位类别"),
        Column("在岗状态"),
        Column("学历"),
        Column("入编日期", "date"),
        Column("法定退休日期", "date"),
        Column("身份证号校验通过"),
    ]
    return Sheet(ROSTER, [Block(columns, rows)])


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
    where, params = _finding_filter(scope)
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
    where, params = _finding_filter(scope)
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


LOAD_REPORT_COLUMNS = (
    "source",
    "file_name",
    "sheet",
    "rows_read",
    "rows_loaded",
    "rows_quarantined",
    "rows_blank",
    "rows_totals",
    "carried_forward",
    "anomaly_accepted",
    "message",
)


def _existing_columns(con: duckdb.DuckDBPyConnection, qualified: str) -> set[str]:
    schema, name = qualified.split(".", 1)
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchall()
    return {r[0] for r in rows}


def data_quality_sheet(con: duckdb.DuckDBPyConnection, as_of: date) -> Sheet:
    """The batch's load report, then its quarantined rows counted by file and reason.

    County-wide whatever the scope: a batch is loaded as a whole. Only counts and reasons are
    shown, never the quarantined rows themselves (they hold identity numbers as they arrived).
    """
    report: list[tuple[Any, ...]] = []
    if table_exists(con, "audit.load_report"):
        have = _existing_columns(con, "audit.load_report")
        select = ", ".join(c if c in have else f"null as {c}" for c in LOAD_REPORT_COLUMNS)
        raw = con.execute(
            f"select {select} from audit.load_report where batch_date = ? "
            f"order by {SOURCE_ORDER}, file_name",
            [as_of],
        ).fetchall()
        report = [
            (SOURCE_ZH.get(r[0], r[0]), *r[1:8], _yes_no(r[8]), _yes_no(r[9]), r[10]) for r in raw
        ]
    reasons: list[tuple[Any, ...]] = []
    if table_exists(con, "audit.quarantine"):
        raw = con.execute(
            "select source, file_name, sheet, reason, count(*) from audit.quarantine "
            "where batch_date = ? group by source, file_name, sheet, reason "
            f"order by {SOURCE_ORDER}, file_name, count(*) desc, "
            "reason",
            [as_of],
        ).fetchall()
        reasons = [(SOURCE_ZH.get(r[0], r[0]), *r[1:]) for r in raw]
    load_block = Block(
        [
            Column("数据来源"),
            Column("文件名"),
            Column("工作表"),
            Column("读取行数", "int"),
            Column("入库行数", "int"),
            Column("隔离行数", "int"),
            Column("空行", "int"),
            Column("合计行", "int"),
            Column("沿用上期"),
            Column("异常已确认"),
            Column("说明"),
        ],
        report,
    )
    reason_block = Block(
        [
            Column("数据来源"),
            Column("文件名"),
            Column("工作表"),
            Column("隔离原因"),
            Column("行数", "int"),
        ],
        reasons,
        subtitle=f"隔离行数（按原因，{zh_date(as_of)}批次）",
    )
    return Sheet(DATA_QUALITY, [load_block, reason_block], note="全县批次数据")


def _yes_no(value: object) -> str | None:
    if value is None:
        return None
    return "是" if value else "否"


def all_sheets(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    scope: Scope,
    unmasked: bool,
    resolved_since: date | None,
) -> list[Sheet]:
    return [
        staffing_sheet(con, as_of, scope),
        leadership_sheet(con, as_of, scope),
        roster_sheet(con, as_of, scope, unmasked),
        open_findings_sheet(con, as_of, scope),
        resolved_findings_sheet(con, as_of, resolved_since, scope),
        data_quality_sheet(con, as_of),
    ]
