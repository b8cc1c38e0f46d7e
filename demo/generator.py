"""generate(): build the county, the roster of every batch, the ledger, and write the files."""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from demo import pools
from demo.county import County, build_bulk_structure, build_county_core
from demo.idnum import uscc
from demo.ledger import events, targets
from demo.people import (
    ROSTER_COLUMNS,
    IdAllocator,
    as_object,
    bulk_batches,
    categorical,
    category,
    concat_rosters,
    make_context,
)
from demo.planted import (
    EXCEL_DAMAGED,
    PlantedCase,
    Planter,
    plant,
    plant_towns,
    planted_frames,
)
from demo.writers import (
    DATE_STYLES,
    FULLWIDTH,
    MONTH_STYLES,
    Col,
    Sheet,
    Written,
    fmt_date,
    sha256,
    write_csv,
    write_xlsx,
)

DEFAULT_DATES = [date(2026, 8, 20), date(2026, 10, 20), date(2026, 11, 20)]
EXTRA_DATES = [date(2026, 12, 20), date(2027, 1, 20), date(2027, 2, 20)]
RULE_CODES = [
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
]
SOURCES = ["townships", "institutions", "quota_grants", "roster"]
FORMATS = ("mixed", "xlsx", "csv")
XLSX_ROSTER_LIMIT_MIXED = 60_000  # above this, "mixed" writes rosters as csv (speed)
XLSX_MAX_ROWS = 1_048_000


@dataclass
class FileSummary:
    batch_date: str
    source: str  # townships / institutions / quota_grants / roster
    path: str  # relative to the landing folder, posix
    format: str  # xlsx / csv
    encoding: str | None  # csv only: utf-8 / utf-8-sig / gb18030
    sheet: str | None  # xlsx only: the sheet the data is on
    hidden_sheets: list[str]
    title_rows: int
    header_row: int  # 1-based row (csv line) of the header
    rows: int  # rows below the header = rows_read of the load report
    blank_rows: int
    totals_rows: int
    error_rows: int  # rows the ingest must quarantine
    loaded_rows: int  # rows - blank - totals - errors
    row_errors: list[dict[str, object]]  # row_number (as a user sees it) and reason
    mess: list[str]  # kinds of mess present in this file
    sha256: str


@dataclass
class DemoSummary:
    seed: int
    people: int
    format: str
    batch_dates: list[str]
    files: list[FileSummary]
    sources_by_batch: dict[str, list[str]]
    carried_forward: dict[str, list[str]]  # batch date -> sources omitted (carried forward)
    planted: dict[str, list[PlantedCase]]  # rule code -> expected findings
    near_misses: dict[str, list[PlantedCase]]  # rule code -> cases that must NOT fire
    cross_batch: dict[str, list[PlantedCase]]  # "resolves" / "returns" / "escalates" / "new"
    counts: dict[str, object]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=False)

    def files_of(self, source: str) -> list[FileSummary]:
        return [f for f in self.files if f.source == source]


@dataclass
class FilePlan:
    source: str
    name: str
    fmt: str
    encoding: str | None
    variant: str
    newline: str = "\r\n"


def batch_dates(batches: int) -> list[date]:
    if not 1 <= batches <= len(DEFAULT_DATES) + len(EXTRA_DATES):
        raise ValueError("batches must be between 1 and 6")
    return (DEFAULT_DATES + EXTRA_DATES)[:batches]


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# ---- headers ------------------------------------------------------------------------------
def roster_cols(variant: str) -> list[Col]:
    if variant == "A":
        return [
            Col("序号", kind="seq"),
            Col("姓名*", "name"),
            Col("性别", "gender"),
            Col("身份证号码*", "id_number", "id"),
            Col("出生年月", "birth_date", "date", "native"),
            Col("政治面貌", kind="extra", extra=("中共党员", "群众", "中共党员", "共青团员")),
            Col("人员类别", "person_category"),
            Col("编制类型*", "quota_type"),
            Col("编制单位编码", "slot_code"),
            Col("编制单位*", "slot_name"),
            Col("工作单位", "work_name"),
            Col("职务", "title"),
            Col("领导职务类别", "leadership"),
            Col("职务层次", "grade"),
            Col("岗位类别", "post_type"),
            Col("入编日期", "slot_since", "date", "dot", True),
            Col("人员状态", "status"),
            Col("学历", "education"),
            Col("参加工作时间", "work_since", "date", "month_dot", True),
        ]
    if variant == "B":
        return [
            Col(" 身份证号 ", "id_number", "id"),
            Col("姓名", "name"),
            Col("性别", "gender"),
            Col("出生日期\u3000", "birth_date", "date", "iso"),
            Col("人员身份", "person_category"),
            Col("占用编制类型", "quota_type"),
            Col("编制所在单位编码", "slot_code"),
            Col("所在单位", "slot_name"),
            Col("工作单位编码", "work_code"),
            Col("实际工作单位", "work_name"),
            Col("职务", "title"),
            Col("人员分类", "leadership", "lead"),
            Col("职级", "grade"),
            Col("岗位类别", "post_type"),
            Col("入编日期", "slot_since", "date", "slash", True),
            Col("在岗状态", "status"),
            Col("最高学历", "education"),
            Col("参加工作日期", "work_since", "date", "cn", True),
        ]
    return [
        Col("序号", kind="seq"),
        Col("证件号码", "id_number", "id"),
        Col("\u3000姓名\u3000", "name"),
        Col("性别", "gender"),
        Col("出生日期", "birth_date", "date", "compact"),
        Col("人员类别", "person_category"),
        Col("编制类型*", "quota_type"),
        Col("编制所在单位编码", "slot_code"),
        Col("编制所在单位", "slot_name"),
        Col("工作单位编码", "work_code"),
        Col("工作单位", "work_name"),
        Col("职务", "title"),
        Col("领导职务类别", "leadership"),
        Col("职务层次*", "grade"),
        Col("岗位类别", "post_type"),
        Col("入编日期", "slot_since", "date", "native", True),
        Col("在岗状态", "status"),
        Col("学历", "education"),
        Col("参加工作时间", "work_since", "date", "serial", True),
        Col("备注", kind="extra"),
    ]


def township_cols(variant: str) -> list[Col]:
    if variant == "A":
        return [
            Col("行政区划代码", "township_code"),
            Col("乡镇(街道)名称", "township_name"),
            Col("类型", "township_kind"),
            Col("乡镇类别", "township_class"),
            Col("常住人口", "population", "int"),
            Col("面积（平方公里）", "area_km2", "num"),
        ]
    return [
        Col("序号", kind="seq"),
        Col("区划代码", "township_code"),
        Col("乡镇名称*", "township_name"),
        Col("乡镇类型", "township_kind"),
        Col("类别", "township_class"),
        Col("人口", "population", "int"),
        Col(" 辖区面积 ", "area_km2", "num"),
    ]


def institution_cols(variant: str) -> list[Col]:
    if variant == "A":
        return [
            Col("序号", kind="seq"),
            Col("机构编码*", "institution_code"),
            Col("统一社会信用代码", "uscc"),
            Col("机构名称*", "name"),
            Col("机构类别*", "category"),
            Col("事业单位分类", "public_class"),
            Col("机构层级", "level"),
            Col("所属乡镇代码", "township_ref"),
            Col("上级机构编码", "parent_code"),
            Col("机构规格", "rank"),
            Col("经费形式", "funding"),
            Col("加挂牌子", "alias_names"),
            Col("设立日期", "established_on", "date", "native"),
            Col("撤销日期", "revoked_on", "date", "iso"),
        ]
    return [
        Col("单位编码", "institution_code"),
        Col("社会信用代码", "uscc"),
        Col("单位名称", "name"),
        Col("单位类别", "category"),
        Col("事业单位分类", "public_class"),
        Col("层级", "level"),
        Col("所属乡镇", "township_ref"),
        Col("主管部门编码", "parent_code"),
        Col("规格", "rank"),
        Col("经费形式", "funding"),
        Col("挂牌", "alias_names"),
        Col("设立日期", "established_on", "date", "cn"),
        Col("撤销日期", "revoked_on", "date", "dot"),
    ]


def grant_cols(variant: str) -> list[Col]:
    if variant == "A":
        return [
            Col("文号", "doc_no"),
            Col("批复日期", "approved_on", "date", "iso"),
            Col("生效日期", "effective_on", "date", "iso"),
            Col("机构编码", "institution_code"),
            Col("机构名称", "institution_name"),
            Col("核定事项", "item"),
            Col("类别", "kind"),
            Col("变动方式", "change"),
            Col("数量", "amount", "int"),
            Col("备注", "note"),
        ]
    return [
        Col("序号", kind="seq"),
        Col("批复文号", "doc_no"),
        Col("批复日期", "approved_on", "date", "native"),
        Col("生效日期*", "effective_on", "date", "native"),
        Col("机构代码", "institution_code"),
        Col("单位名称", "institution_name"),
        Col("事项", "item"),
        Col("类别", "kind"),
        Col("变动类型", "change"),
        Col("核定数", "amount", "int"),
        Col("备注", "note"),
    ]


COLS = {
    "townships": township_cols,
    "institutions": institution_cols,
    "quota_grants": grant_cols,
    "roster": roster_cols,
}


def plan_files(fmt: str, dates: list[date], roster_rows: int) -> list[list[FilePlan]]:
    """Which sources each batch holds, in which format, encoding and header variant."""
    if fmt == "xlsx" and roster_rows > XLSX_MAX_ROWS:
        raise ValueError(
            f"a roster of {roster_rows} rows does not fit on one xlsx sheet "
            f"(max {XLSX_MAX_ROWS}); use format csv or mixed"
        )
    big = roster_rows > XLSX_ROSTER_LIMIT_MIXED
    plans: list[list[FilePlan]] = []
    for k, d in enumerate(dates):
        if fmt == "mixed":
            if k == 0:
                p = [
                    FilePlan("townships", "乡镇.xlsx", "xlsx", None, "A"),
                    FilePlan("institutions", "机构名录.xlsx", "xlsx", None, "A"),
                    FilePlan("quota_grants", "编制核定.csv", "csv", "gb18030", "A"),
                    FilePlan("roster", "人员花名册.csv", "csv", "gb18030", "A")
                    if big
                    else FilePlan("roster", "人员花名册.xlsx", "xlsx", None, "A"),
                ]
            elif k == 1:
                p = [
                    FilePlan("quota_grants", "编制核定台账.xlsx", "xlsx", None, "B"),
                    FilePlan(
                        "roster", f"roster_{d.isoformat()}.csv", "csv", "utf-8-sig", "B", "\n"
                    ),
                ]
            elif k == 2:
                p = [
                    FilePlan("roster", "人员花名册.csv", "csv", "utf-8", "C", "\n")
                    if big
                    else FilePlan("roster", "人员花名册（2026年11月）.xlsx", "xlsx", None, "C")
                ]
            else:
                p = [FilePlan("roster", "人员花名册.csv", "csv", "gb18030", "B")]
        elif fmt == "csv":
            if k == 0:
                p = [
                    FilePlan("townships", "乡镇.csv", "csv", "utf-8", "B", "\n"),
                    FilePlan("institutions", "机构名录.csv", "csv", "gb18030", "B"),
                    FilePlan("quota_grants", "编制核定.csv", "csv", "utf-8-sig", "A", "\n"),
                    FilePlan("roster", "人员花名册.csv", "csv", "gb18030", "A"),
                ]
            elif k == 1:
                p = [
                    FilePlan("quota_grants", "编制核定.csv", "csv", "gb18030", "B"),
                    FilePlan(
                        "roster", f"roster_{d.isoformat()}.csv", "csv", "utf-8-sig", "B", "\n"
                    ),
                ]
            else:
                p = [FilePlan("roster", "人员花名册.csv", "csv", "utf-8", "C", "\n")]
        else:
            if k == 0:
                p = [
                    FilePlan("townships", "乡镇.xlsx", "xlsx", None, "A"),
                    FilePlan("institutions", "机构名录.xlsx", "xlsx", None, "A"),
                    FilePlan("quota_grants", "编制核定.xlsx", "xlsx", None, "B"),
                    FilePlan("roster", "人员花名册.xlsx", "xlsx", None, "A"),
                ]
            elif k == 1:
                p = [
                    FilePlan("quota_grants", "编制核定台账.xlsx", "xlsx", None, "B"),
                    FilePlan("roster", "人员花名册.xlsx", "xlsx", None, "B"),
                ]
            else:
                p = [FilePlan("roster", "人员花名册.xlsx", "xlsx", None, "C")]
        plans.append(p)
    return plans


# ---- messy cells --------------------------------------------------------------------------
class Mess:
    """Per-cell overrides on a sheet, and the record of what kinds of mess were applied."""

    def __init__(self, sheet: Sheet, fmt: str, rng: np.random.Generator) -> None:
        self.sheet, self.fmt, self.rng = sheet, fmt, rng
        self.col = {c.key: i for i, c in enumerate(sheet.cols) if c.key}
        self.tags: list[str] = []

    def set(self, row: int, key: str, value: object) -> None:
        if key in self.col:
            self.sheet.overrides[(int(row), self.col[key])] = value

    def tag(self, name: str) -> None:
        if name not in self.tags:
            self.tags.append(name)

    def sample(self, rows: np.ndarray, k: int) -> np.ndarray:
        if len(rows) == 0 or k <= 0:
            return np.empty(0, dtype=int)
        return np.sort(self.rng.choice(rows, size=min(k, len(rows)), replace=False))

    def dates(self, rows: np.ndarray, k: int, birth_key: str | None = None) -> None:
        """Alternative date styles in k rows of every date column."""
        frame = self.sheet.frame
        assert frame is not None
        for c in self.sheet.cols:
            if c.kind != "date" or c.key not in frame.columns:
                continue
            values = frame[c.key].to_numpy()
            for r in self.sample(rows, k):
                v = values[r]
                if pd.isna(v):
                    continue
                d = pd.Timestamp(v).date()
                styles = list(DATE_STYLES)
                if c.month_ok or (c.key == birth_key and d.day == 1):
                    styles += MONTH_STYLES
                style = styles[int(self.rng.integers(0, len(styles)))]
                self.set(r, c.key, fmt_date(d, style, self.fmt))
                self.tag(f"date:{'iso' if style == 'native' and self.fmt == 'csv' else style}")


def spaced(name: str) -> str:
    """A unit name with inner spaces (ASCII and full-width)."""
    if name.startswith(pools.COUNTY) and len(name) > 4:
        return pools.COUNTY + " " + name[3:5] + "\u3000" + name[5:]
    return name[:2] + " " + name[2:]


def roster_mess(m: Mess, aliases: dict[str, list[str]]) -> None:
    frame = m.sheet.frame
    assert frame is not None
    # cells are read one at a time (.iat): whole roster columns as Python objects are GBs at XL
    bulk = np.flatnonzero((frame["_origin"] == "bulk").to_numpy())
    k = int(np.clip(len(bulk) // 150, 3, 400))
    ids = frame["id_number"]
    # planted identity cells
    id_cells = frame["_id_cell"]
    for r in np.flatnonzero((id_cells != "").to_numpy()):
        cell = id_cells.iat[r]
        if cell == EXCEL_DAMAGED:
            m.set(r, "id_number", float(int(ids.iat[r])) if m.fmt == "xlsx" else ids.iat[r])
            m.tag("id_excel_numeric" if m.fmt == "xlsx" else "id_excel_plain_integer")
        else:
            m.set(r, "id_number", cell)
            m.tag("id_planted_text")
    for r in m.sample(bulk, k):
        m.set(r, "id_number", str(ids.iat[r]).translate(FULLWIDTH))
        m.tag("id_fullwidth")
    with_x = bulk[ids.str.endswith("X").to_numpy(dtype=bool, na_value=False)[bulk]]
    for r in m.sample(with_x, k):
        m.set(r, "id_number", str(ids.iat[r])[:-1] + "x")
        m.tag("id_lowercase_x")
    names = frame["name"]
    pads = ["\u3000{}", "{} ", " {}\u3000", "{}\u3000"]
    for j, r in enumerate(m.sample(bulk, k)):
        m.set(r, "name", pads[j % len(pads)].format(names.iat[r]))
        m.tag("name_padding")
    if "slot_code" in m.col:
        slot = frame["_slot"]
        slot_names = frame["slot_name"]
        for j, r in enumerate(m.sample(bulk, 3 * k)):
            m.set(r, "slot_code", "")
            m.tag("slot_by_name_only")
            name = str(slot_names.iat[r])
            if j % 3 == 0 and aliases.get(slot.iat[r]):
                m.set(r, "slot_name", aliases[slot.iat[r]][0])
                m.tag("slot_alias_name")
            elif j % 3 == 1:
                if any(ch.isdigit() for ch in name):
                    m.set(r, "slot_name", name.translate(FULLWIDTH))
                    m.tag("slot_name_fullwidth")
                else:
                    m.set(r, "slot_name", spaced(name))
                    m.tag("slot_name_spaces")
    m.dates(bulk, k, birth_key="birth_date")
    # row errors planted as cells
    for r in np.flatnonzero(frame["_error"].str.startswith("unparseable 入编日期").to_numpy()):
        m.set(r, "slot_since", "2019.13.05")


def grants_mess(m: Mess, aliases: dict[str, list[str]]) -> None:
    frame = m.sheet.frame
    assert frame is not None
    auto = np.flatnonzero(frame["_origin"].to_numpy() == "auto")
    k = int(np.clip(len(auto) // 100, 3, 400))
    codes = frame["institution_code"].to_numpy()
    for j, r in enumerate(m.sample(auto, 2 * k)):
        m.set(r, "institution_code", "")
        m.tag("grant_by_name_only")
        if j % 2 == 0 and aliases.get(codes[r]):
            m.set(r, "institution_name", aliases[codes[r]][0])
            m.tag("grant_alias_name")
    amounts = frame["amount"].to_numpy()
    for j, r in enumerate(m.sample(auto, 2 * k)):
        v = int(amounts[r])
        if j % 3 == 0:
            m.set(r, "amount", float(v) if m.fmt == "xlsx" else f"{v}.0")
            m.tag("amount_float")
        elif j % 3 == 1:
            m.set(r, "amount", str(v).translate(FULLWIDTH))
            m.tag("amount_fullwidth")
        else:
            m.set(r, "amount", str(v))
            m.tag("amount_text")
    m.dates(auto, k)


def institutions_mess(m: Mess, town_names: dict[str, str]) -> None:
    frame = m.sheet.frame
    assert frame is not None
    ok = frame["_error"].to_numpy() == ""
    township = np.flatnonzero(ok & (frame["level"].to_numpy() == "乡镇"))
    refs = frame["township_ref"].to_numpy()
    for r in m.sample(township, max(2, len(township) // 10)):
        m.set(r, "township_ref", town_names[refs[r]])
        m.tag("township_by_name")
    m.dates(np.flatnonzero(ok), max(3, int(ok.sum()) // 20))
    for r in np.flatnonzero(frame["_error"].str.startswith("unparseable 设立日期").to_numpy()):
        m.set(r, "established_on", "2010年13月")


def townships_mess(m: Mess) -> None:
    frame = m.sheet.frame
    assert frame is not None
    ok = np.flatnonzero(frame["_error"].to_numpy() == "")
    pop = frame["population"].to_numpy()
    area = frame["area_km2"].to_numpy()
    for j, r in enumerate(m.sample(ok, max(3, len(ok) // 4))):
        if j % 2 == 0:
            m.set(r, "population", float(pop[r]) if m.fmt == "xlsx" else f"{pop[r]}.0")
            m.tag("population_float")
        else:
            m.set(r, "population", str(pop[r]).translate(FULLWIDTH))
            m.tag("population_fullwidth")
    for r in m.sample(ok, 2):
        m.set(r, "area_km2", f"{area[r]}")
        m.tag("area_text")


# ---- the whole county ---------------------------------------------------------------------
def _interleave(
    base: pd.DataFrame,
    extra: pd.DataFrame,
    rng: np.random.Generator,
    group: np.ndarray | None = None,
) -> pd.DataFrame:
    """Insert extra rows at random positions of base (groups of extra stay together)."""
    if len(extra) == 0:
        return base.reset_index(drop=True)
    if group is None:
        group = np.arange(len(extra))
    uniq, inv = np.unique(group, return_inverse=True)
    pos = rng.integers(0, len(base) + 1, size=len(uniq))[inv]
    key = np.concatenate(
        [np.arange(len(base)) * 2.0, pos * 2.0 - 1 + np.arange(len(extra)) / (len(extra) + 1)]
    )
    both = pd.concat([base, extra], ignore_index=True)
    return both.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)


def _interleave_in_place(
    frame: pd.DataFrame, is_base: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """Like _interleave(frame[is_base], frame[~is_base]) with one reordering copy, not three
    (the roster has millions of rows)."""
    n_base = int(is_base.sum())
    m = len(frame) - n_base
    key = np.empty(len(frame))
    key[is_base] = np.arange(n_base) * 2.0
    pos = rng.integers(0, n_base + 1, size=m)
    key[~is_base] = pos * 2.0 - 1 + np.arange(m) / (m + 1)
    return frame.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)


def _extras_roster(
    frame: pd.DataFrame, fmt: str, seq_first: bool
) -> dict[int, list[tuple[str, list[object]]]]:
    """A 小计 after the first unit (first non-empty cell 小计, not the first cell), two blank
    rows, a row of spaces only (csv), and the 合计 at the end."""
    n = len(frame)
    extras: dict[int, list[tuple[str, list[object]]]] = {}
    if n == 0:
        return {n: [("totals", ["合计", None, "共0人"])]}
    slot = _keys(frame["_slot"])
    change = np.flatnonzero(slot[1:] != slot[:-1])
    first_group_end = int(change[0]) + 1 if len(change) else n
    sub = first_group_end
    extras.setdefault(first_group_end, []).append(
        ("totals", ["", "小计", f"{sub}人"] if seq_first else ["", "小计", None, f"{sub}人"])
    )
    extras.setdefault(max(1, n // 3), []).append(("blank", []))
    extras.setdefault(max(1, 2 * n // 3), []).append(("blank", []))
    if fmt == "csv":
        extras.setdefault(max(1, n // 2), []).append(("blank", ["", "\u3000", "  "]))
    extras.setdefault(n, []).append(("totals", ["合计", None, f"共{n}人"]))
    return extras


def _keys(s: pd.Series) -> np.ndarray:
    """Integers equal where the values are equal: a categorical's codes, else factorized."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy()
    return pd.factorize(s)[0]


@dataclass
class Built:
    """The county in memory, typed, before any file is written (what the files encode)."""

    seed: int
    people: int
    dates: list[date]
    county: County
    institutions: pd.DataFrame
    rosters: list[pd.DataFrame]  # per batch; truth columns _slot/_work/_origin/_error
    auto_grants: pd.DataFrame  # ledger events of the bulk
    planted_grants: pd.DataFrame  # hand-written events (_from_batch: first file holding it)
    planter: Planter
    mess_rng: np.random.Generator

    def grants(self, k: int) -> pd.DataFrame:
        """The ledger rows of batch k's grants file (a full snapshot), typed."""
        pk = self.planted_grants[self.planted_grants["_from_batch"] <= k]
        return pd.concat([self.auto_grants, pk], ignore_index=True)


def build(seed: int = 20261120, people: int = 3000, batches: int = 3) -> Built:
    """Build the whole county in memory (no files): structure, rosters, ledger."""
    if people < 0:
        raise ValueError("people must be >= 0")
    dates = batch_dates(batches)
    ss = np.random.SeedSequence(seed)
    r_struct, r_plant, r_bulk, r_grant, r_mess = (np.random.default_rng(s) for s in ss.spawn(5))

    # -- structure
    county = County(r_struct)
    n_towns = max(8, round(people / 250))
    special = build_bulk_structure(county, people, n_towns - 2)
    towns = {**special, **plant_towns(county)}
    township_insts = len(county.insts)
    build_county_core(county, people, township_insts + 16)
    planter = plant(county, dates, r_plant, towns)
    county.check()
    inst_df = county.frame()

    # -- roster: the planted part is fixed; the bulk fills up to `people` rows in batch 1
    planted = planted_frames(planter)
    n_bulk = max(people - len(planted[0]), 0)
    ctx = make_context(inst_df, dates)
    bulk = bulk_batches(ctx, n_bulk, dates, r_bulk, IdAllocator())
    rosters = []
    no_cell = category([""])
    for k in range(len(dates)):
        b = bulk[k].drop(columns=["_inst"])
        b["_id_cell"] = categorical(np.zeros(len(b), dtype=np.int8), no_cell)
        bulk[k] = None  # type: ignore[call-overload]  # free as we go (millions of rows)
        rosters.append(concat_rosters([b, planted[k]]))
        del b

    # -- ledger: derived from the rosters of all batches
    tg = targets(inst_df, rosters, dates[0], r_grant, planter.gov_overrides)
    auto_events = events(tg, r_grant).assign(_origin="auto", _group=-1)
    pg = as_object(pd.DataFrame(planter.grant_rows).assign(_origin="planted"))
    return Built(seed, people, dates, county, inst_df, rosters, auto_events, pg, planter, r_mess)


def generate(
    out_dir: Path | str,
    seed: int = 20261120,
    people: int = 3000,
    fmt: str = "mixed",
    batches: int = 3,
    *,
    overwrite: bool = False,
    summary_path: Path | str | None = None,
) -> DemoSummary:
    """Write the demo county's landing folders into out_dir and return what was written.

    out_dir/<YYYY-MM-DD>/ per batch; the first batch holds all four sources, later ones omit
    some (carried forward by the loader). Same seed and arguments: byte-identical files.
    `people` is the roster size of the first batch (at least the ~160 planted rows).
    The summary is returned, and written as JSON to summary_path if given (never into the
    landing folder). Batch folders are written next to each other in a temporary folder and
    moved into place at the end, so a watcher never sees half a batch.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    out_dir = Path(out_dir)
    if summary_path is not None and out_dir.resolve() in Path(summary_path).resolve().parents:
        raise ValueError("the summary must not be written into the landing folder")
    for d in batch_dates(batches):
        target = out_dir / d.isoformat()
        if target.exists() and any(target.iterdir()) and not overwrite:
            raise FileExistsError(f"{target} exists and is not empty (use overwrite)")
    built = build(seed, people, batches)
    dates, county, planter = built.dates, built.county, built.planter
    aliases = {i.code: i.aliases for i in county.insts if i.aliases}
    town_names = {t.code: t.name for t in county.towns}
    plans = plan_files(fmt, dates, max(len(r) for r in built.rosters))
    counts = _counts(built)
    # From here the rosters are generate()'s own, and each is dropped once its file is written
    # (the roster is nearly all of the memory; at XL, holding written ones would double it).
    pending = dict(enumerate(built.rosters))
    built.rosters = []
    summary_files: list[FileSummary] = []
    tmp = Path(tempfile.mkdtemp(prefix=".demo-", dir=_ensure(out_dir)))
    try:
        for k, (d, plan) in enumerate(zip(dates, plans, strict=True)):
            folder = tmp / d.isoformat()
            folder.mkdir()
            for fp in plan:
                roster = pending.pop(k) if fp.source == "roster" else None
                sheets, data_sheet, mess_tags = _sheets_for(
                    fp, k, d, built, roster, aliases, town_names
                )
                del roster
                path = folder / fp.name
                if fp.fmt == "xlsx":
                    written = write_xlsx(path, sheets, data_sheet)
                else:
                    written = write_csv(path, sheets[0], fp.encoding or "utf-8", fp.newline)
                summary_files.append(
                    _file_summary(fp, d, path, sheets, data_sheet, written, mess_tags)
                )
                del sheets
        for d in dates:
            target = out_dir / d.isoformat()
            if target.exists():
                shutil.rmtree(target)
            (tmp / d.isoformat()).rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    summary = _summary(seed, people, fmt, dates, plans, summary_files, planter, counts)
    if summary_path is not None:
        Path(summary_path).write_text(summary.to_json(), encoding="utf-8")
    return summary


def _ensure(p: Path) -> Path:
    p.mkdir(parents=True, exist_ok=True)
    return p


def _sheets_for(
    fp: FilePlan,
    k: int,
    d: date,
    built: Built,
    roster: pd.DataFrame | None,
    aliases: dict[str, list[str]],
    town_names: dict[str, str],
) -> tuple[list[Sheet], str, list[str]]:
    """The sheets of one file (the data sheet and any others), its data sheet's name and its
    mess tags. `roster` is batch k's roster for a roster file (the caller hands it over, so it
    is freed once reordered into the sheet's frame)."""
    county, inst_df, rng = built.county, built.institutions, built.mess_rng
    cols = COLS[fp.source](fp.variant)
    sheet = Sheet(name="", cols=cols)
    sheets: list[Sheet]
    if fp.source == "townships":
        frame = county.towns_frame().assign(_error="")
        bad = pd.DataFrame(
            [
                {
                    "township_code": f"{pools.COUNTY_CODE}990000",
                    "township_name": "城北社区",
                    "township_kind": "社区",
                    "township_class": "二类",
                    "population": 8200,
                    "area_km2": 3.2,
                    "role": "",
                    "_error": "unknown 乡镇类型 社区",
                }
            ]
        )
        frame = _interleave(frame, bad, rng)
        sheet.frame, sheet.name = frame, "Sheet1"
        pops = int(frame["population"].sum())
        area = round(float(frame["area_km2"].sum()), 1)
        first = ["总计"] + [None] * (len(cols) - 1)
        ci = {c.key: i for i, c in enumerate(cols) if c.key}
        first[ci["population"]] = pops if fp.fmt == "xlsx" else str(pops)
        first[ci["area_km2"]] = area if fp.fmt == "xlsx" else str(area)
        sheet.extra_rows = {len(frame): [("totals", first)]}
        if fp.fmt == "csv":
            sheet.extra_rows[len(frame) // 2] = [("blank", [])]
        m = Mess(sheet, fp.fmt, rng)
        townships_mess(m)
        sheets = [sheet]
    elif fp.source == "institutions":
        frame = inst_df.assign(_error="")
        n = len(county.insts)
        bad = pd.DataFrame(
            [
                {
                    "institution_code": f"JG{n + 1:06d}",
                    "uscc": uscc("9", pools.REGISTRY_CODE, "50000001"),
                    "name": f"{pools.COUNTY}总工会",
                    "category": "群团组织",
                    "level": "县直",
                    "rank": "正科级",
                    "funding": "财政全额",
                    "established_on": date(1951, 5, 1),
                    "_error": "unknown 机构类别 群团组织",
                },
                {
                    "institution_code": f"JG{n + 2:06d}",
                    "uscc": uscc("2", pools.REGISTRY_CODE, "50000002"),
                    "name": f"{pools.COUNTY}红十字会",
                    "category": "参公事业单位",
                    "level": "县直",
                    "rank": "股级",
                    "funding": "财政全额",
                    "established_on": date(2010, 1, 1),
                    "_error": "unparseable 设立日期 2010年13月",
                },
            ]
        )
        frame = _interleave(frame, bad, rng).fillna(
            {"public_class": "", "township_ref": "", "parent_code": "", "alias_names": ""}
        )
        # one credit code with a wrong check character (kept and flagged, not a row error)
        j = int(np.flatnonzero((frame["kind"] == "county").to_numpy())[0])
        good = frame.at[j, "uscc"]
        frame.at[j, "uscc"] = good[:-1] + ("0" if good[-1] != "0" else "1")
        frame["revoked_on"] = pd.to_datetime(frame["revoked_on"]).to_numpy().astype("datetime64[D]")
        frame["established_on"] = (
            pd.to_datetime(frame["established_on"]).to_numpy().astype("datetime64[D]")
        )
        sheet.frame, sheet.name = frame, "机构名录"
        sheet.titles = [f"{pools.COUNTY}机构名录（截至{cn_date(d)}）"]
        sheet.extra_rows = {
            len(frame) // 2: [("blank", [])],
            len(frame): [("totals", ["合计", None, None, f"共{len(frame)}个机构"])],
        }
        m = Mess(sheet, fp.fmt, rng)
        institutions_mess(m, town_names)
        m.tag("invalid_uscc_check_character")
        m.tag("alias_separators")
        cover = Sheet(name="封面", plain_rows=[[f"{pools.COUNTY}机构名录"], [cn_date(d)]])
        sheets = [cover, sheet] if fp.fmt == "xlsx" else [sheet]
    elif fp.source == "quota_grants":
        pk = built.planted_grants[built.planted_grants["_from_batch"] <= k]
        frame = _interleave(built.auto_grants, pk, rng, group=pk["_group"].to_numpy())
        frame["approved_on"] = (
            pd.to_datetime(frame["approved_on"]).to_numpy().astype("datetime64[D]")
        )
        frame["effective_on"] = (
            pd.to_datetime(frame["effective_on"]).to_numpy().astype("datetime64[D]")
        )
        sheet.frame, sheet.name = frame, "编制核定"
        if fp.variant == "A":
            sheet.titles = [f"{pools.COUNTY}机构编制核定台账", f"截至{cn_date(d)}　单位：名"]
        else:
            sheet.titles = [
                f"{pools.COUNTY}机构编制核定台账",
                f"填报单位：中共{pools.COUNTY}委机构编制委员会办公室",
                f"截至{cn_date(d)}　单位：名",
            ]
        sheet.extra_rows = {
            len(frame) // 2: [("blank", [])],
            len(frame): [("totals", ["合计", f"共{len(frame)}条"])],
        }
        m = Mess(sheet, fp.fmt, rng)
        grants_mess(m, aliases)
        sheets = [sheet]
    else:
        assert roster is not None
        frame = _interleave_in_place(roster, (roster["_origin"] == "bulk").to_numpy(), rng)
        del roster
        sheet.frame = frame
        seq_first = cols[0].kind == "seq"
        sheet.extra_rows = _extras_roster(frame, fp.fmt, seq_first)
        title = f"{pools.COUNTY}机构编制实名制人员花名册"
        unit = f"填报单位：中共{pools.COUNTY}委机构编制委员会办公室　　截至{cn_date(d)}"
        if fp.variant == "A":
            sheet.titles = [title, unit]
        elif fp.variant == "B":
            sheet.titles = [f"{title}（{cn_date(d)}）"]
        else:
            sheet.titles = [
                title,
                unit,
                f"填报日期：{cn_date(d)}",
                "联系人：机构编制股　联系电话：0813-7201234",
                "单位：人",
            ]
        m = Mess(sheet, fp.fmt, rng)
        roster_mess(m, aliases)
        if fp.fmt == "xlsx" and fp.variant in ("A", "C"):
            hidden = _hidden_sheet(cols, built.planter, county)
            if fp.variant == "A":
                sheet.name = "人员花名册"
                first = Sheet(
                    name="填表说明",
                    plain_rows=[
                        ["填表说明"],
                        ["1. 身份证号码须填写18位，末位为X的须大写。"],
                        ["2. 日期请按年-月-日填写。"],
                        ["3. 带*的列为必填项。"],
                    ],
                )
                hidden.name = "人员花名册（2025年）"
            else:
                sheet.name = "花名册"
                first = Sheet(name="汇总", plain_rows=[["单位", "人数"], ["全县", len(frame)]])
                hidden.name = "花名册（备份）"
            sheets = [first, hidden, sheet]
            m.tag("hidden_sheet")
            m.tag("sheet_found_by_keyword")
        else:
            sheet.name = "人员花名册"
            sheets = [sheet]
    if fp.fmt == "csv":
        sheets = [s for s in sheets if s.frame is not None]
    tags = m.tags
    if sheet.titles:
        tags = [f"title_rows:{len(sheet.titles)}", *tags]
    if any(c.header != c.header.strip(" \u3000*") for c in cols):
        tags.append("decorated_headers")
    return sheets, sheet.name, tags


def _hidden_sheet(cols: list[Col], planter: Planter, county: County) -> Sheet:
    """An old copy of the roster on a hidden sheet: valid-looking rows that must not load."""
    czj = county.by_name[f"{pools.COUNTY}财政局"]
    rows = []
    for h in planter.hidden_people:
        rows.append(
            {
                "id_number": h["id_number"],
                "name": h["name"],
                "gender": "男",
                "birth_date": np.datetime64(h["birth_date"], "D"),
                "person_category": "公务员",
                "quota_type": "行政编制",
                "slot_code": czj.code,
                "slot_name": czj.name,
                "work_code": "",
                "work_name": "",
                "title": "科员",
                "leadership": "无",
                "grade": "无",
                "post_type": "管理岗位",
                "slot_since": np.datetime64("2015-09-01"),
                "status": "在岗",
                "education": "大学本科",
                "work_since": np.datetime64("2014-07-01"),
            }
        )
    frame = pd.DataFrame(rows, columns=ROSTER_COLUMNS)
    for c in ("birth_date", "slot_since", "work_since"):
        frame[c] = frame[c].to_numpy().astype("datetime64[D]")
    return Sheet(
        name="hidden",
        cols=cols,
        frame=frame,
        hidden=True,
        titles=[f"{pools.COUNTY}机构编制实名制人员花名册（2025年）"],
    )


def _file_summary(
    fp: FilePlan,
    d: date,
    path: Path,
    sheets: list[Sheet],
    data_sheet: str,
    written: Written,
    tags: list[str],
) -> FileSummary:
    data = next(s for s in sheets if s.name == data_sheet and s.frame is not None)
    errors = len(written.errors)
    return FileSummary(
        batch_date=d.isoformat(),
        source=fp.source,
        path=f"{d.isoformat()}/{fp.name}",
        format=fp.fmt,
        encoding=fp.encoding if fp.fmt == "csv" else None,
        sheet=data_sheet if fp.fmt == "xlsx" else None,
        hidden_sheets=[s.name for s in sheets if s.hidden] if fp.fmt == "xlsx" else [],
        title_rows=len(data.titles),
        header_row=written.header_row,
        rows=written.rows,
        blank_rows=written.blank,
        totals_rows=written.totals,
        error_rows=errors,
        loaded_rows=written.rows - written.blank - written.totals - errors,
        row_errors=written.errors,
        mess=tags + ([f"encoding:{fp.encoding}"] if fp.fmt == "csv" else []),
        sha256=sha256(path),
    )


def _counts(built: Built) -> dict[str, object]:
    """The summary's counts, taken before generate() releases the rosters."""
    pairs = list(zip(built.dates, built.rosters, strict=True))
    return {
        "townships": len(built.county.towns),
        "institutions": len(built.institutions),
        "roster_rows": {d.isoformat(): int((r["_error"] == "").sum()) for d, r in pairs},
        "planted_roster_rows": {
            d.isoformat(): int((r["_origin"] == "planted").sum()) for d, r in pairs
        },
    }


def _summary(
    seed: int,
    people: int,
    fmt: str,
    dates: list[date],
    plans: list[list[FilePlan]],
    files: list[FileSummary],
    planter: Planter,
    counts: dict[str, object],
) -> DemoSummary:
    p = planter
    planted: dict[str, list[PlantedCase]] = {code: [] for code in RULE_CODES}
    for c in p.cases:
        if c.batches:
            planted[c.rule].append(c)
    near: dict[str, list[PlantedCase]] = {}
    for c in p.near:
        near.setdefault(c.rule, []).append(c)
    iso = [d.isoformat() for d in dates]
    cross: dict[str, list[PlantedCase]] = {
        "resolves": [],
        "returns": [],
        "escalates": [],
        "new": [],
    }
    for c in p.cases:
        if not c.batches:
            continue
        held = [x in c.batches for x in iso]
        first = held.index(True)
        last = len(held) - 1 - held[::-1].index(True)
        if not held[-1]:
            cross["resolves"].append(c)
        elif not all(held[first : last + 1]):
            cross["returns"].append(c)
        if first > 0:
            cross["new"].append(c)
        if (
            c.rule == "SECONDED"
            and held[-1]
            and (dates[-1] - date.fromisoformat(c.batches[0])).days > 90
        ):
            cross["escalates"].append(c)
    by_batch = {
        d.isoformat(): [f.source for f in plan] for d, plan in zip(dates, plans, strict=True)
    }
    omitted = {d: [s for s in SOURCES if s not in srcs] for d, srcs in by_batch.items()}
    notes = [
        "planted[rule] lists expected findings with the batch dates where each holds; "
        "near_misses[rule] lists cases that must not fire in the listed batches.",
        "person-level cases: institution_code is the slot unit; id_number is the number as "
        "ingest should normalise it (an Excel-damaged one as its plain integer).",
        "VACANT also fires on many bulk institutions (grants leave a little vacancy).",
    ]
    return DemoSummary(
        seed=seed,
        people=people,
        format=fmt,
        batch_dates=iso,
        files=files,
        sources_by_batch=by_batch,
        carried_forward=omitted,
        planted=planted,
        near_misses=near,
        cross_batch=cross,
        counts=counts,
        notes=notes,
    )
