"""The inspection workbook's sheets, read from the marts as of one batch (机构编制情况, 领导职数,
实名制人员名册 here; the findings and data-quality sheets in findings.py and quality.py).

Why every sheet is a query on the *history* tables (rows per `as_of`) rather than on the
newest state: an export of an earlier batch must show exactly what the warehouse held for that
batch, and the newest batch is just the last one. Open findings as of a date come from
`marts.findings_history`, with first_seen recomputed over the batches up to that date, so an
as-of export never shows knowledge from later batches.
"""

from __future__ import annotations

from datetime import date

import duckdb

from exports.findings import OPEN_FINDINGS, RESOLVED, open_findings_sheet, resolved_findings_sheet
from exports.mask import mask_id
from exports.quality import DATA_QUALITY, data_quality_sheet
from exports.scope_sql import institution_filter
from exports.sql import KIND_ORDER, QUOTA_ORDER
from exports.tables import Block, Column, Sheet
from exports.warehouse import Scope, existing_columns

STAFFING = "机构编制情况"
LEADERSHIP = "领导职数"
ROSTER = "实名制人员名册"
SHEET_NAMES = (STAFFING, LEADERSHIP, ROSTER, OPEN_FINDINGS, RESOLVED, DATA_QUALITY)


def staffing_sheet(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope) -> Sheet:
    where, params = institution_filter(scope, "s.institution_code")
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
    where, params = institution_filter(scope, "l.institution_code")
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
    slot, p1 = institution_filter(scope, "r.slot_institution_code")
    # an unresolved slot unit has no institution name: show the name as it arrived, where the
    # marts keep it (slot_unit_name is beyond the documented columns, so optional)
    slot_name = "r.slot_institution_name"
    if "slot_unit_name" in existing_columns(con, "marts.roster"):
        slot_name = "coalesce(r.slot_institution_name, r.slot_unit_name)"
    work, p2 = institution_filter(scope, "r.work_institution_code")
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
