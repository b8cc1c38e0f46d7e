"""Contract values the suites check against (../shared/contract/README.md and rules.md).

Why a copy here and not a read of the dbt seed: a data-quality check must be independent of the
thing it checks. If the rule catalogue seed or an ingest enumeration drifted from the contract,
reading them would make the check agree with the drift.
"""

from __future__ import annotations

TOWNSHIP_KINDS = ("乡", "镇", "街道")
TOWNSHIP_CLASSES = ("一类", "二类", "三类")

INSTITUTION_CATEGORIES = ("行政机关", "参公事业单位", "事业单位", "内设机构")
PUBLIC_CLASSES = ("公益一类", "公益二类", "生产经营类")
LEVELS = ("县直", "乡镇")
RANKS = ("正科级", "副科级", "股级", "未定级")
FUNDINGS = ("财政全额", "财政差额", "自收自支")

QUOTA_TYPES = ("行政编制", "事业编制", "工勤编制", "政法专项编制")
QUOTA_TYPES_WITH_NONE = (*QUOTA_TYPES, "无")
LEADERSHIP_KINDS = ("正职", "副职", "内设机构正职", "内设机构副职")
LEADERSHIP_WITH_NONE = (*LEADERSHIP_KINDS, "无")
GRANT_ITEMS = ("编制", "领导职数")
GRANT_CHANGES = ("核定", "核增", "划入", "核减", "划出", "收回")
#: The (item, kind) pairs a quota grant may carry.
GRANT_ITEM_KINDS = tuple(("编制", k) for k in QUOTA_TYPES) + tuple(
    ("领导职数", k) for k in LEADERSHIP_KINDS
)

GENDERS = ("男", "女")
PERSON_CATEGORIES = ("公务员", "参公人员", "事业人员", "工勤人员", "编外人员")
GRADES = ("正科级", "副科级", "股级", "无")
POST_TYPES = ("管理岗位", "专业技术岗位", "工勤技能岗位")
STATUSES = ("在岗", "借调", "挂职", "病休", "离岗待退", "脱产学习")
EDUCATIONS = ("研究生", "大学本科", "大学专科", "中专", "高中及以下")
ID_PROBLEMS = (
    "missing",
    "bad_length",
    "bad_format",
    "bad_check_digit",
    "birth_mismatch",
    "gender_mismatch",
    "excel_damaged",
)

SOURCES = ("townships", "institutions", "quota_grants", "roster")

RULE_CODES = (
    "OVERSTAFFED",
    "VACANT",
    "OVER_LEADERSHIP",
    "OVER_RANK",
    "MIXED_CATEGORY",
    "MIXED_QUOTA",
    "MIXED_LEADERSHIP",
    "WORKER_IN_MANAGEMENT",
    "SECONDED",
    "DUPLICATE_SLOT",
    "ID_CONFLICT",
    "INVALID_ID",
    "OVER_AGE",
    "REVOKED_INSTITUTION",
    "UNKNOWN_INSTITUTION",
    "NEGATIVE_QUOTA",
    "LEADER_RATIO",
    "TOWNSHIP_LEADERSHIP_QUOTA",
    "INSTITUTION_LIMIT",
)
FINDING_SEVERITIES = ("error", "warn", "info")
FINDING_STATUSES = ("open", "resolved")
WORKFORCE_SCOPES = ("county", "township", "institution")
