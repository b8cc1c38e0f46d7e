"""The source-file contract as data: which headers (and synonyms) feed which raw column, with
which type, enumeration and requirement.

Why data and not code: the contract (`shared/contract/README.md`) is a table per source; keeping
it a table here makes a review against the contract a line-by-line comparison, and the SQL that
types rows (`ingest.typing_sql`) is generated from it rather than written four times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["text", "enum", "date", "int", "number", "id", "code"]

SOURCES: tuple[str, ...] = ("townships", "institutions", "quota_grants", "roster")


@dataclass(frozen=True)
class Field:
    """One contract column.

    headers: the canonical header first, then its synonyms (as written in the contract; they are
    normalised like file headers before matching). required: a value is required in every row
    (only checked where the column is present; required headers are always present).
    """

    column: str
    headers: tuple[str, ...]
    kind: Kind = "text"
    required: bool = False
    values: tuple[str, ...] = ()
    non_negative: bool = False

    @property
    def label(self) -> str:
        """The canonical Chinese header, used in row-error reasons."""
        return self.headers[0]


@dataclass(frozen=True)
class SourceSpec:
    """A source: file keywords, its contract columns and its required headers.

    required_headers: columns whose header must be present. any_of: groups of which at least one
    header must be present (e.g. 机构编码 / 机构名称 in the grants file).
    """

    name: str
    keywords: tuple[str, ...]
    fields: tuple[Field, ...]
    required_headers: tuple[str, ...]
    any_of: tuple[tuple[str, ...], ...] = field(default=())

    def field(self, column: str) -> Field:
        return next(f for f in self.fields if f.column == column)


QUOTA_KINDS = ("行政编制", "事业编制", "工勤编制", "政法专项编制")
LEADERSHIP_KINDS = ("正职", "副职", "内设机构正职", "内设机构副职")
ADD_CHANGES = ("核增", "划入")
SUBTRACT_CHANGES = ("核减", "划出", "收回")

TOWNSHIPS = SourceSpec(
    name="townships",
    keywords=("乡镇", "townships"),
    fields=(
        Field("township_code", ("行政区划代码", "区划代码"), "code", required=True),
        Field("township_name", ("乡镇名称", "乡镇（街道）名称", "名称"), required=True),
        Field("township_kind", ("乡镇类型", "类型"), "enum", values=("乡", "镇", "街道")),
        Field("township_class", ("乡镇类别", "类别"), "enum", values=("一类", "二类", "三类")),
        Field("population", ("常住人口", "人口"), "int", non_negative=True),
        Field("area_km2", ("面积（平方公里）", "面积", "辖区面积"), "number", non_negative=True),
    ),
    required_headers=("township_code", "township_name"),
)

INSTITUTIONS = SourceSpec(
    name="institutions",
    keywords=("机构", "institutions"),
    fields=(
        Field("institution_code", ("机构编码", "机构代码", "单位编码"), required=True),
        Field("uscc", ("统一社会信用代码", "社会信用代码", "信用代码")),
        Field("name", ("机构名称", "单位名称"), required=True),
        Field(
            "category",
            ("机构类别", "单位类别"),
            "enum",
            required=True,
            values=("行政机关", "参公事业单位", "事业单位", "内设机构"),
        ),
        Field(
            "public_class", ("事业单位分类",), "enum", values=("公益一类", "公益二类", "生产经营类")
        ),
        Field("level", ("机构层级", "层级"), "enum", values=("县直", "乡镇")),
        Field("township_ref", ("所属乡镇代码", "所属乡镇")),
        Field("parent_code", ("上级机构编码", "主管部门编码", "主管部门")),
        Field("rank", ("机构规格", "规格"), "enum", values=("正科级", "副科级", "股级", "未定级")),
        Field("funding", ("经费形式",), "enum", values=("财政全额", "财政差额", "自收自支")),
        Field("alias_names", ("加挂牌子", "挂牌")),
        Field("established_on", ("设立日期",), "date"),
        Field("revoked_on", ("撤销日期",), "date"),
    ),
    required_headers=("institution_code", "name", "category"),
)

QUOTA_GRANTS = SourceSpec(
    name="quota_grants",
    keywords=("编制核定", "quota"),
    fields=(
        Field("doc_no", ("文号", "批复文号"), required=True),
        Field("approved_on", ("批复日期",), "date"),
        Field("effective_on", ("生效日期",), "date", required=True),
        Field("institution_code", ("机构编码", "机构代码")),
        Field("institution_name", ("机构名称", "单位名称")),
        Field("item", ("核定事项", "事项"), "enum", required=True, values=("编制", "领导职数")),
        Field(
            "kind",
            ("类别", "编制类型", "职数类别"),
            "enum",
            required=True,
            values=QUOTA_KINDS + LEADERSHIP_KINDS,
        ),
        Field(
            "change",
            ("变动方式", "变动类型"),
            "enum",
            required=True,
            values=("核定", *ADD_CHANGES, *SUBTRACT_CHANGES),
        ),
        Field("amount", ("数量", "核定数", "编制数"), "int", required=True, non_negative=True),
        Field("note", ("备注",)),
    ),
    required_headers=("effective_on", "item", "kind", "change", "amount"),
    any_of=(("institution_code", "institution_name"),),
)

ROSTER = SourceSpec(
    name="roster",
    keywords=("花名册", "roster"),
    fields=(
        Field("id_number", ("身份证号", "身份证号码", "公民身份号码", "证件号码"), "id"),
        Field("name", ("姓名",), required=True),
        Field("gender", ("性别",), "enum", values=("男", "女")),
        Field("birth_date", ("出生日期", "出生年月"), "date"),
        Field(
            "person_category",
            ("人员类别", "人员身份"),
            "enum",
            values=("公务员", "参公人员", "事业人员", "工勤人员", "编外人员"),
        ),
        Field(
            "quota_type",
            ("编制类型", "占用编制类型"),
            "enum",
            required=True,
            values=(*QUOTA_KINDS, "无"),
        ),
        Field("slot_code", ("编制所在单位编码", "编制单位编码")),
        Field("slot_name", ("编制所在单位", "编制单位", "所在单位")),
        Field("work_code", ("工作单位编码",)),
        Field("work_name", ("工作单位", "实际工作单位")),
        Field("title", ("职务",)),
        Field(
            "leadership",
            ("领导职务类别", "人员分类"),
            "enum",
            values=(*LEADERSHIP_KINDS, "无"),
        ),
        Field("grade", ("职务层次", "职级"), "enum", values=("正科级", "副科级", "股级", "无")),
        Field(
            "post_type", ("岗位类别",), "enum", values=("管理岗位", "专业技术岗位", "工勤技能岗位")
        ),
        Field("slot_since", ("入编日期",), "date"),
        Field(
            "status",
            ("在岗状态", "人员状态"),
            "enum",
            values=("在岗", "借调", "挂职", "病休", "离岗待退", "脱产学习"),
        ),
        Field(
            "education",
            ("学历", "最高学历"),
            "enum",
            values=("研究生", "大学本科", "大学专科", "中专", "高中及以下"),
        ),
        Field("work_since", ("参加工作日期", "参加工作时间"), "date"),
    ),
    required_headers=("id_number", "name", "quota_type"),
    any_of=(("slot_code", "slot_name"),),
)

SPECS: dict[str, SourceSpec] = {s.name: s for s in (TOWNSHIPS, INSTITUTIONS, QUOTA_GRANTS, ROSTER)}

#: Order in which file names are matched against source keywords: the most specific first, so
#: that `人员花名册` in `XX乡镇人员花名册.xlsx` wins over `乡镇`, `编制核定` in `机构编制核定.csv`
#: wins over `机构`, and `机构` in `乡镇机构名录.xlsx` wins over `乡镇`.
DISCOVERY_ORDER: tuple[str, ...] = ("roster", "quota_grants", "institutions", "townships")
