"""SQL fragments the sheets and the report share: orderings and Chinese labels.

Why in one place: the workbook and the report must list quota types, leadership kinds,
severities and sources in the same order and with the same words.
"""

from __future__ import annotations

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
