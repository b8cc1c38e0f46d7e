"""Build the one SQL statement that classifies, normalises, types and checks every row of a
source file.

Why one generated statement per file: DuckDB evaluates it over whole columns in parallel, so a
million-row roster is typed without a Python loop, and the same generator serves all four
sources from the contract tables in `ingest.spec`. The statement reads its source once (the
file's Arrow data can then be streamed and freed as it is read, `ingest.read.SourceTable.stream`)
and keeps the cells of the rows with a row error, `cells`, for the quarantine.

Row classes (rows below the header row, up to the last non-blank row; trailing blank rows —
e.g. formatted but empty rows at the bottom of a sheet — are not rows anyone sees as data):
  blank    every cell empty after trimming
  totals   first non-empty cell is 合计 / 总计 / 小计 (inner spaces ignored)
  error    any row error (reason names every failing column and its value as it arrived)
  loaded   everything else
so rows_read = rows_loaded + rows_quarantined + rows_blank + rows_totals by construction.

Row errors beyond the per-column ones (type, enumeration, required value):
  all       a required value is only checked where its column is present (an absent
            non-required-header column is NULL throughout, per the contract)
  townships 行政区划代码 not 9 or 12 digits; the same code on several rows (all of them)
  institutions 统一社会信用代码 missing except for 内设机构; 所属乡镇代码 missing where
            机构层级 is 乡镇; 上级机构编码 missing for a 内设机构; 事业单位分类 given for a
            non-事业单位; 经费形式 given for a 内设机构; the same 机构编码 on several rows (all)
  grants    neither 机构编码 nor 机构名称; a 类别 that does not belong to the 核定事项; two or more
            核定 for one (机构编码, else 机构名称; 核定事项; 类别; 生效日期) — all of them
  roster    neither 编制所在单位编码 nor 编制所在单位; no 姓名 (with or without 身份证号)
Identity-number problems are flags, not row errors (`ingest.identity`). leadership blank or
absent is `无`. uscc is upper-cased; uscc_valid is NULL where no uscc is given.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest import identity
from ingest.headers import HeaderMap
from ingest.normalise import (
    DATE_FORMS,
    date_form_order,
    date_sql,
    int_sql,
    lit,
    month_precision_sql,
    number_sql,
    one_of_sql,
    totals_sql,
)
from ingest.read import SourceTable
from ingest.schema import RAW_COLUMNS
from ingest.spec import LEADERSHIP_KINDS, QUOTA_KINDS, Field, SourceSpec


@dataclass(frozen=True)
class Cell:
    """SQL names for one present contract column: raw text, normalised text, kind flag."""

    raw: str
    text: str
    kind: str | None
    date_order: tuple[str, ...] = DATE_FORMS


def _quoted_raw(raw: str) -> str:
    return f"'\"' || {raw} || '\"'"


def _field_errors(source: str, f: Field, cell: Cell, value: str) -> list[str]:
    """Per-column row-error expressions (VARCHAR or NULL)."""
    x, shown = cell.text, _quoted_raw(cell.raw)
    label = lit(f.label)
    errors: list[str] = []
    if f.required and not (source == "roster" and f.column == "name"):  # own rule (身份证号)
        errors.append(f"case when {x} is null then {label} || ': required value missing' end")
    if f.kind == "enum":
        expected = lit(" (expected " + " / ".join(f.values) + ")")
        errors.append(
            f"case when {x} is not null and not {one_of_sql(x, f.values)} "
            f"then {label} || ': unknown value ' || {shown} || {expected} end"
        )
    elif f.kind == "date":
        ambiguous = "false"
        if cell.kind is not None:
            pattern = lit(r"\d{4}\.\d")
            ambiguous = f"coalesce({cell.kind} = 'n' and regexp_full_match({x}, {pattern}), false)"
        errors.append(
            f"case when {x} is not null and {value} is null then {label} || ': ' || {shown} || "
            f"(case when {ambiguous} then ' is an Excel number: ambiguous month (1 or 10?)' "
            "else ' is not a date' end) end"
        )
    elif f.kind in ("int", "number"):
        what = "an integer" if f.kind == "int" else "a number"
        errors.append(
            f"case when {x} is not null and {value} is null "
            f"then {label} || ': ' || {shown} || ' is not {what}' end"
        )
    elif f.kind == "code":
        errors.append(
            f"case when {x} is not null and not regexp_full_match({x}, '\\d{{9}}|\\d{{12}}') "
            f"then {label} || ': ' || {shown} || ' is not a 9- or 12-digit code' end"
        )
    if f.non_negative:
        errors.append(
            f"case when {value} < 0 then {label} || ': ' || {shown} || ' is negative' end"
        )
    return errors


def _value(f: Field, cell: Cell) -> str:
    """Typed value expression of a present contract column (over normalised text)."""
    x = cell.text
    if f.kind == "date":
        return date_sql(x, cell.kind, cell.date_order)
    if f.kind == "int":
        return int_sql(x)
    if f.kind == "number":
        return number_sql(x)
    if f.column == "leadership":
        return f"coalesce({x}, '无')"
    if f.column == "uscc":
        return f"upper({x})"
    return x


def _absent_value(f: Field, sql_type: str) -> str:
    if f.column == "leadership":
        return "'无'"
    return f"null::{sql_type}"


def _rule_errors(spec: SourceSpec, present: dict[str, Cell]) -> list[str]:
    """Row errors that involve several columns (see the module docstring)."""

    def has(column: str) -> bool:
        return column in present

    def x(column: str) -> str:
        return present[column].text if has(column) else "null"

    errors: list[str] = []
    if spec.name == "institutions":
        if has("uscc"):
            errors.append(
                f"case when {x('uscc')} is null and v_category <> '内设机构' "
                "then '统一社会信用代码: required value missing (required except for 内设机构)' end"
            )
        if has("township_ref"):
            errors.append(
                f"case when {x('township_ref')} is null and v_level = '乡镇' "
                "then '所属乡镇代码: required value missing (机构层级 is 乡镇)' end"
            )
        if has("parent_code"):
            errors.append(
                f"case when {x('parent_code')} is null and v_category = '内设机构' "
                "then '上级机构编码: required value missing (机构类别 is 内设机构)' end"
            )
        if has("public_class"):
            errors.append(
                f"case when {x('public_class')} is not null and v_category <> '事业单位' "
                "then '事业单位分类: must be blank unless 机构类别 is 事业单位 (is ' "
                "|| v_category || ')' end"
            )
        if has("funding"):
            errors.append(
                f"case when {x('funding')} is not null and v_category = '内设机构' "
                "then '经费形式: must be blank for a 内设机构' end"
            )
    elif spec.name == "quota_grants":
        errors.append(
            f"case when {x('institution_code')} is null and {x('institution_name')} is null "
            "then '机构编码 / 机构名称: both blank (one of them identifies the institution)' end"
        )
        errors.append(
            f"case when v_item = '编制' and {one_of_sql('v_kind', LEADERSHIP_KINDS)} "
            "then '类别: \"' || v_kind || '\" is not a kind of 编制 (expected "
            + " / ".join(QUOTA_KINDS)
            + ")' "
            f"when v_item = '领导职数' and {one_of_sql('v_kind', QUOTA_KINDS)} "
            "then '类别: \"' || v_kind || '\" is not a kind of 领导职数 (expected "
            + " / ".join(LEADERSHIP_KINDS)
            + ")' end"
        )
    elif spec.name == "roster":
        id_text = x("id_number")
        errors.append(
            f"case when {x('name')} is null and {id_text} is null "
            "then '身份证号 / 姓名: both blank' "
            f"when {x('name')} is null then '姓名: required value missing' end"
        )
        errors.append(
            f"case when {x('slot_code')} is null and {x('slot_name')} is null "
            "then '编制所在单位编码 / 编制所在单位: both blank (one of them is required)' end"
        )
    return errors


def rows_independent(spec: SourceSpec) -> bool:
    """Whether a row's typing depends on no other row of its file (no duplicate rule): then the
    file may be typed part by part."""
    return _duplicate_rule(spec) is None


def _duplicate_rule(spec: SourceSpec) -> tuple[str, str, str] | None:
    """(partition key, condition, message prefix) of the source's duplicate rule, if any."""
    if spec.name == "townships":
        return (
            "v_township_code",
            "v_township_code is not null",
            "'行政区划代码 \"' || v_township_code || '\" appears on several rows: '",
        )
    if spec.name == "institutions":
        return (
            "v_institution_code",
            "v_institution_code is not null",
            "'机构编码 \"' || v_institution_code || '\" appears on several rows: '",
        )
    if spec.name == "quota_grants":
        key = "coalesce(v_institution_code, v_institution_name), v_item, v_kind, v_effective_on"
        cond = (
            "v_change = '核定' and coalesce(v_institution_code, v_institution_name) is not null "
            "and v_item is not null and v_kind is not null and v_effective_on is not null"
        )
        message = (
            "'two or more 核定 for ' || coalesce(v_institution_code, v_institution_name) || ' ' "
            "|| v_item || ' ' || v_kind || ' effective ' || v_effective_on::varchar "
            "|| ' (the source must resolve the conflict): rows '"
        )
        return key, cond, message
    return None


def typed_sql(
    spec: SourceSpec, header: HeaderMap, source: SourceTable, out: str, append: bool = False
) -> str:
    """`create temp table <out>`: rn, is_blank, is_totals, is_data, reason, v_<column>…
    (plus v_uscc_valid / v_id_problem / v_person_key where the source has them), and `cells`:
    the raw cells (VARCHAR[], one per file column) of a row with a row error, else NULL.
    With `append`, the rows are inserted into the existing `<out>` instead (the next part of a
    file read in parts, `ingest.read.CsvParts`: only for a source without a duplicate rule,
    whose rows are typed independently of each other — see `rows_independent`).

    The roster's person_key binds the HMAC pads as parameters `$ipad` / `$opad`.
    """
    width = source.width
    raw_cols = [f"c{i}" for i in range(width)]
    kind_cols = [f"k{i}" for i in sorted(source.kind_columns) if i < width]
    if spec.name == "roster":
        kind_cols.append("id_shape")  # computed by ingest.identity.id_shape
    present: dict[str, Cell] = {}
    for column, index in header.columns.items():
        kind = f"k{index}" if index in source.kind_columns else None
        order = DATE_FORMS
        if spec.field(column).kind == "date":
            order = date_form_order(source.sample_texts(index))
        present[column] = Cell(raw=f"c{index}", text=f"t{index}", kind=kind, date_order=order)

    text_cols = [source.text_sql(i) for i in range(width)]
    blank = " and ".join(f"t{i} is null" for i in range(width)) or "true"
    first = f"coalesce({', '.join(f't{i}' for i in range(width))})" if width > 1 else "t0"

    types = dict(RAW_COLUMNS[spec.name])
    values: list[str] = []
    errors: list[str] = []
    for f in spec.fields:
        cell = present.get(f.column)
        if f.kind == "id":
            continue
        if cell is None:
            values.append(f"{_absent_value(f, types[f.column])} as v_{f.column}")
            continue
        value = _value(f, cell)
        values.append(f"({value})::{types[f.column]} as v_{f.column}")
        if f.kind == "date":
            values.append(f"{month_precision_sql(cell.text, cell.kind)} as m_{f.column}")
        errors.extend(_field_errors(spec.name, f, cell, f"v_{f.column}"))
    errors.extend(_rule_errors(spec, present))

    extra_checked: list[str] = []
    if spec.name == "institutions":
        extra_checked.append(f"{identity.uscc_valid_sql('v_uscc')} as v_uscc_valid")
    if spec.name == "roster":
        cell = present["id_number"]
        values.append(f"{identity.id_text_sql(cell.text)} as id_text")
        values.append(f"{identity.id_damaged_sql(f'upper({cell.text})', cell.kind)} as id_damaged")
        birth = "v_birth_date" if "birth_date" in present else None
        birth_month = "m_birth_date" if "birth_date" in present else None
        gender = "v_gender" if "gender" in present else None
        extra_checked.append(f"{identity.id_number_sql('id_text')} as v_id_number")
    error_list = ", ".join(errors) if errors else "null"
    dup = _duplicate_rule(spec)
    dup_sql = "null"
    if dup is not None:
        key, cond, message = dup
        dup_sql = (
            f"case when is_data and {cond} and count(*) over w > 1 "
            f"then {message} || array_to_string(list_sort(list(rn) over w), ', ') end"
        )
        window = f"window w as (partition by is_data and ({cond}), {key})"
    else:
        window = ""

    final_extra = ""
    if spec.name == "roster":
        problem = identity.id_problem_sql(
            "v_id_number", "id_damaged", "id_shape", birth, birth_month, gender
        )
        final_extra = f", {problem} as v_id_problem"
    # reason (below) is not NULL exactly when base_reason or dup_reason is not (both are
    # NULL or non-empty)
    cells = (
        "case when is_data and (base_reason is not null or dup_reason is not null) "
        f"then [{', '.join(raw_cols)}]::varchar[] end as cells"
    )
    into = f"insert into {out} by name" if append else f"create or replace temp table {out} as"
    sql = f"""
{into}
with src as (
    select rn, {", ".join(raw_cols + text_cols + kind_cols)} from {source.relation}
    where rn > {header.row_number} and rn <= {source.last_row}
),
cls as (
    select *, ({blank}) as is_blank from src
),
classed as (
    select *, not is_blank and {totals_sql(first)} as is_totals from cls
),
parsed as (
    select *, not is_blank and not is_totals as is_data, {", ".join(values)} from classed
),
checked as (
    select *, {", ".join(extra_checked + ["null as _nothing"])},
        nullif(concat_ws('; ', {error_list}), '') as base_reason
    from parsed
),
flagged as (
    select *, {dup_sql} as dup_reason{final_extra} from checked
    {window}
)
select rn, is_blank, is_totals, is_data,
    nullif(concat_ws('; ', base_reason, dup_reason), '') as reason,
    {", ".join(_output_columns(spec))}, {cells}
from flagged
"""
    return sql


def _output_columns(spec: SourceSpec) -> list[str]:
    """Typed columns in raw-table order, as `v_<column>` (person_key / id_valid computed)."""
    out: list[str] = []
    for column, _ in RAW_COLUMNS[spec.name]:
        if column == "person_key":
            key_text = f"coalesce(v_id_number, {lit(identity.MISSING_ID_PREFIX)} || v_name)"
            out.append(
                f"case when base_reason is null then {identity.person_key_sql(key_text)} end"
                " as v_person_key"
            )
        elif column == "id_valid":
            out.append("v_id_problem is null as v_id_valid")
        else:
            out.append(f"v_{column}")
    return out
