"""Chinese labels and formatting for what the pages show, and the xlsx download.

Why apart from the queries: the queries return the marts' own column names (so tests compare
them with the marts one to one); only here do they become the Chinese headings an 编办 reader
expects, in one mapping that the table views and the xlsx download share.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import pandas as pd

LABELS: Mapping[str, str] = {
    "as_of": "截至日期",
    "batch_date": "批次日期",
    "quota_type": "编制类型",
    "authorized": "核定",
    "occupied": "实有",
    "vacancy": "空编",
    "overstaffed_by": "超编",
    "actual": "实配",
    "over_by": "超配",
    "leadership_kind": "职数类别",
    "institution_code": "机构编码",
    "institution_name": "机构名称",
    "township_code": "乡镇代码",
    "township_name": "乡镇",
    "category": "类别",
    "level": "层级",
    "is_active": "在用",
    "rule_code": "规则代码",
    "rule_name_zh": "问题类型",
    "name_zh": "问题类型",
    "severity": "严重程度",
    "status": "状态",
    "findings": "问题数",
    "person_name": "姓名",
    "person_key": "人员标识",
    "measured": "实际值",
    "allowed": "允许值",
    "detail_zh": "说明",
    "first_seen": "首次发现",
    "last_seen": "最近发现",
    "open_days": "持续天数",
    "item": "核定事项",
    "kind": "类别",
    "doc_no": "文号",
    "approved_on": "批复日期",
    "effective_on": "生效日期",
    "change": "变动",
    "amount": "数量",
    "value_after": "变动后",
    "note": "备注",
    "source": "来源",
    "file_name": "文件",
    "sheet": "工作表",
    "rows_read": "读取行数",
    "rows_loaded": "入库行数",
    "rows_quarantined": "隔离行数",
    "rows_blank": "空行",
    "rows_totals": "合计行",
    "carried_forward": "沿用上批",
    "anomaly_accepted": "已接受异常",
    "message": "说明",
    "reason": "原因",
    "recorded_at": "记录时间",
    "batches": "批次",
    "run_id": "运行编号",
    "error": "错误",
    "warn": "警告",
    "info": "提示",
    "checked_at": "检查时间",
    "suite": "检查套件",
    "expectation": "检查项",
    "success": "通过",
    "unexpected_count": "不符行数",
    "observed_value": "观测值",
    "element_count": "检查行数",
    "target": "检查对象",
    "column": "字段",
}

SEVERITY_ZH: Mapping[str, str] = {"error": "错误", "warn": "警告", "info": "提示"}
#: dq suites' severities besides the rules' ones (config/data_quality.yml)
DQ_SEVERITY_ZH: Mapping[str, str] = {"blocking": "阻断发布", "warn": "警告"}
STATUS_ZH: Mapping[str, str] = {"open": "未整改", "resolved": "已整改"}
SOURCE_ZH: Mapping[str, str] = {
    "townships": "乡镇",
    "institutions": "机构名录",
    "quota_grants": "编制核定",
    "roster": "人员花名册",
}
RUN_STATUS_ZH: Mapping[str, str] = {
    "published": "已发布",
    "blocked": "已拦截",
    "failed": "失败",
    "unreadable": "文件无法读取",
}


def zh_table(df: pd.DataFrame, drop: tuple[str, ...] = ()) -> pd.DataFrame:
    """The frame as a reader sees it: Chinese headings and values, dates without a time."""
    out = df.drop(columns=[c for c in drop if c in df.columns]).copy()
    for column, names in (
        ("severity", {**DQ_SEVERITY_ZH, **SEVERITY_ZH}),
        ("status", {**STATUS_ZH, **RUN_STATUS_ZH}),
        ("source", SOURCE_ZH),
    ):
        if column in out.columns:
            out[column] = out[column].map(lambda v, n=names: n.get(v, v))
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].fillna("")  # a blank cell, not "None"
        elif pd.api.types.is_datetime64_any_dtype(out[column]):
            series = out[column]
            if (series.dropna() == series.dropna().dt.normalize()).all():
                out[column] = series.dt.date
    return out.rename(columns={c: LABELS.get(c, c) for c in out.columns})


def integer(value: Any) -> str:
    """A count as the metric shows it ("—" where the mart has nothing)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return str(int(value))


def percent(value: Any) -> str:
    """A fraction as a percentage with one decimal ("—" where undefined, e.g. staff = 0)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return f"{float(value):.1%}"


def to_xlsx(df: pd.DataFrame, sheet: str = "问题清单") -> bytes:
    """The table (as shown, Chinese headings) as an xlsx workbook in memory."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        df.to_excel(writer, sheet_name=sheet, index=False)
        worksheet = writer.sheets[sheet]
        for i, column in enumerate(df.columns):
            width = max([len(str(column))] + [len(str(v)) for v in df[column].head(200)])
            worksheet.set_column(i, i, min(max(8, width * 2), 60))
        worksheet.freeze_panes(1, 0)
    return buffer.getvalue()
