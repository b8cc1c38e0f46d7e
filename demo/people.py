"""The bulk of the roster, generated column by column with numpy (no loop per person).

The bulk is deliberately clean: categories match quota types and institutions, leaders stay
within a quarter of an institution's staff (so no leader ratio comes near 0.35), nobody is near
retirement, identity numbers are valid and unique. Every finding on the demo should come from
the planted part, except VACANT (grants leave some vacancy on purpose).

Memory: a county of 20 million people has to fit on an ordinary machine, so the roster is kept
compact. Text that repeats (categories, titles, unit codes and names, even people's names, which
come from a finite pool) is a pandas categorical of small integer codes, and identity numbers
are one Arrow string column: about 100 bytes a person, where Python str objects took ~900.
Codes are computed directly, never from arrays of Python strings.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa

from demo import pools
from demo.idnum import ric_bytes_from_prefix, ric_prefix

ROSTER_COLUMNS = [
    "id_number",
    "name",
    "gender",
    "birth_date",
    "person_category",
    "quota_type",
    "slot_code",
    "slot_name",
    "work_code",
    "work_name",
    "title",
    "leadership",
    "grade",
    "post_type",
    "slot_since",
    "status",
    "education",
    "work_since",
]
# Internal truth carried alongside (never written): resolved slot unit and work institution.
TRUTH_COLUMNS = ["_pid", "_slot", "_work", "_origin", "_error"]

CADRE = {"admin": "公务员", "zf": "公务员", "cangong": "参公人员", "shiye": "事业人员"}
RANK_BELOW = {"正科级": "副科级", "副科级": "股级", "股级": "股级", "未定级": "无"}


def as_object(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns as plain object arrays: pandas 3 stores text as Arrow strings, whose
    take/to_numpy cost dominates at millions of rows; object columns are free to hand over."""
    conv = {c: object for c in df.columns if isinstance(df[c].dtype, pd.StringDtype)}
    return df.astype(conv) if conv else df


# pandas' own text type (Arrow-backed, NaN for missing): what a text column becomes anyway.
STR = pd.StringDtype("pyarrow", na_value=np.nan)


def category(values: Iterable[object]) -> pd.CategoricalDtype:
    """A categorical type over the given values, kept as Python objects (not Arrow strings) so
    that two types built from the same values are equal and concatenation keeps them."""
    return pd.CategoricalDtype(pd.Index(list(dict.fromkeys(values)), dtype=object))


def categorical(codes: np.ndarray, dtype: pd.CategoricalDtype) -> pd.Categorical:
    """A categorical column from integer codes (-1 = missing)."""
    return pd.Categorical.from_codes(codes, dtype=dtype)


def code_of(dtype: pd.CategoricalDtype, values: Iterable[object]) -> np.ndarray:
    """The codes of the given values in a categorical type (-1 where absent)."""
    return dtype.categories.get_indexer(list(values))


def fixed_strings(values: np.ndarray) -> pd.arrays.ArrowStringArray:
    """A numpy fixed-width ASCII array (e.g. S18) as an Arrow string column, without a Python
    object per value: the bytes are the Arrow data buffer as they are."""
    width = values.dtype.itemsize
    n = len(values)
    offsets = np.arange(0, width * (n + 1), width, dtype=np.int64) if n else np.zeros(1, np.int64)
    data = np.ascontiguousarray(values)
    arr = pa.Array.from_buffers(
        pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    return pd.array(arr, dtype=STR)


def concat_rosters(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """pd.concat that keeps the first frame's compact column types.

    A categorical concatenated with a column of another type (or of other categories) would
    fall back to Python objects, so the values the other frames add are appended to the first
    frame's categories (its codes stay as they are, no recoding of millions of rows) and every
    other column is cast to the first frame's type. The frames passed in are not modified."""
    first = frames[0]
    out = [f.copy(deep=False) for f in frames]
    for col, dtype in first.dtypes.items():
        if not isinstance(dtype, pd.CategoricalDtype):
            for f in out[1:]:
                if f[col].dtype != dtype:
                    f[col] = f[col].astype(dtype)
            continue
        known = dtype.categories
        added: list[object] = []
        for f in frames[1:]:
            s = f[col]
            seen = s.cat.categories if isinstance(s.dtype, pd.CategoricalDtype) else s.dropna()
            new = pd.unique(np.asarray(seen, dtype=object))
            added.extend(v for v in new[known.get_indexer(new) < 0] if v not in added)
        united = dtype
        if added:
            united = pd.CategoricalDtype(
                pd.Index(np.concatenate([known.to_numpy(dtype=object), added]), dtype=object)
            )
            out[0][col] = categorical(first[col].cat.codes.to_numpy(), united)
        for f in out[1:]:
            if f[col].dtype is not united:
                f[col] = pd.Categorical(np.asarray(f[col], dtype=object), dtype=united)
    return pd.concat(out, ignore_index=True)


def _frame(columns: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(columns, copy=False)


def head_titles(name: str, kind: str) -> tuple[str, str, str]:
    """(正职 title, second 正职 title, 副职 title) from the institution's name."""
    if kind == "gov":
        if name.endswith("办事处"):
            return "党工委书记", "办事处主任", "办事处副主任"
        head = "乡长" if name.endswith("乡人民政府") else "镇长"
        return "党委书记", head, "副" + head
    for suffix, title in [
        ("检察院", "检察长"),
        ("法院", "院长"),
        ("医院", "院长"),
        ("卫生院", "院长"),
        ("学校", "校长"),
        ("中学", "校长"),
        ("小学", "校长"),
        ("局", "局长"),
        ("部", "部长"),
        ("大队", "大队长"),
        ("馆", "馆长"),
        ("场", "场长"),
        ("站", "站长"),
    ]:
        if name.endswith(suffix):
            return title, title, "副" + title
    return "主任", "主任", "副主任"


@dataclass
class BulkContext:
    insts: pd.DataFrame  # eligible institutions (positional index = inst id in the bulk)
    p: np.ndarray  # assignment probabilities
    offices: pd.DataFrame  # all active 内设机构 with their parent's bulk id
    office_start: np.ndarray  # per inst: first row in `offices`
    office_count: np.ndarray
    last_date: np.datetime64
    first_date: np.datetime64
    codes: dict[str, np.ndarray]
    types: dict[str, pd.CategoricalDtype]  # categorical type of each text column of the bulk


def make_context(inst_df: pd.DataFrame, dates: list[date]) -> BulkContext:
    first, last = np.datetime64(dates[0], "D"), np.datetime64(dates[-1], "D")
    est = pd.to_datetime(inst_df["established_on"]).values.astype("datetime64[D]")
    revoked = inst_df["revoked_on"].isna().values
    active = (est <= first) & revoked
    elig = inst_df[
        active
        & ~inst_df["manual"].values
        & (inst_df["category"] != "内设机构").values
        & (inst_df["weight"].values > 0)
    ].reset_index(drop=True)
    w = elig["weight"].to_numpy(dtype=float)
    offices = inst_df[(inst_df["category"] == "内设机构").values & active].copy()
    pos = {c: i for i, c in enumerate(elig["institution_code"])}
    offices["_parent_id"] = offices["parent_code"].map(pos)
    offices = offices.dropna(subset=["_parent_id"])
    offices["_parent_id"] = offices["_parent_id"].astype(int)
    offices = offices.sort_values(["_parent_id", "institution_code"], kind="stable")
    offices = offices.reset_index(drop=True)
    count = np.bincount(offices["_parent_id"].to_numpy(), minlength=len(elig))
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    codes = institution_codes(elig)
    # per institution: its leaders' titles, and the codes of those and of their grades
    heads = [head_titles(nm, k) for nm, k in zip(elig["name"], elig["kind"], strict=True)]
    types = bulk_types(elig, offices, heads)
    for j, key in enumerate(["title_zheng", "title_zheng2", "title_fu"]):
        codes[key] = code_of(types["title"], (t[j] for t in heads))
    rank = elig["rank"].to_numpy(dtype=object)
    codes["grade_zheng"] = code_of(types["grade"], np.where(rank == "未定级", "无", rank))
    codes["grade_fu"] = code_of(types["grade"], (RANK_BELOW.get(r) for r in rank))
    codes["zheng_ke"] = rank == "正科级"
    return BulkContext(
        elig,
        w / w.sum() if len(w) else w,
        offices,
        start,
        count,
        last,
        first,
        codes,
        types,
    )


def bulk_types(
    elig: pd.DataFrame, offices: pd.DataFrame, heads: list[tuple[str, str, str]]
) -> dict[str, pd.CategoricalDtype]:
    """The categorical type of every text column of the bulk. Unit columns index the eligible
    institutions (code = bulk inst id) and offices ("" first, then office row + 1); `heads` are
    the institutions' leader titles (`head_titles`)."""
    unit_code = category(elig["institution_code"])
    staff_titles = [t for pool in pools.TITLES_STAFF.values() for t in pool]
    return {
        "name": name_type(),
        "gender": category(GENDERS),
        "person_category": category(CATEGORIES),
        "quota_type": category(QUOTAS),
        "slot_code": unit_code,
        "slot_name": category(elig["name"]),
        "work_code": category(["", *offices["institution_code"]]),
        "work_name": category(["", *offices["name"]]),
        "title": category([*staff_titles, *(t for h in heads for t in h), HEAD_OF_OFFICE]),
        "leadership": category(LEADERSHIP),
        "grade": category([*GRADES, *elig["rank"]]),
        "post_type": category(POSTS),
        "status": category(STATUSES),
        "education": category(pools.EDUCATION),
        "_slot": unit_code,
        "_work": unit_code,
        "_origin": category(["bulk"]),
        "_error": category([""]),
        "_id_cell": category([""]),
    }


@functools.cache
def name_type() -> pd.CategoricalDtype:
    """Every name the bulk can draw: surname + given character, then the same followed by each
    second given character. A name's code is computed from its draws (see `_names`)."""
    given = pools.GIVEN_CHARS
    names = [n for s in pools.SURNAMES for a in given for n in (s + a, *(s + a + b for b in given))]
    return category(names)


def _names(rng: np.random.Generator, n: int) -> np.ndarray:
    """Codes of n names in `name_type()`: surname, one or two given characters."""
    sw = 1.0 / (np.arange(len(pools.SURNAMES)) + 6.0)
    sur = rng.choice(len(pools.SURNAMES), size=n, p=sw / sw.sum())
    g = len(pools.GIVEN_CHARS)
    g1 = rng.integers(0, g, size=n)
    g2 = rng.integers(0, g, size=n)
    two = rng.random(n) < 0.7
    return (sur * g + g1) * (g + 1) + np.where(two, g2 + 1, 0)


def _dates_between(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    span = np.maximum((hi - lo).astype(np.int64), 0)
    return lo + (rng.random(len(lo)) * (span + 1)).astype(np.int64).astype("timedelta64[D]")


#: Rounds of redrawing only the order code of a repeated prefix; later rounds draw the region
#: again too (any of ID_REGIONS alike). A region, birth date and gender hold 400 order codes:
#: at 20 M people the most frequent region (55 %) needs ~460 a day for men, so there only a
#: new region ends the redrawing. Below that every repeat ends within a few rounds, and the
#: numbers are those of the order-code-only allocation.
SEQ_ONLY_ROUNDS = 20


class IdAllocator:
    """Unique identity numbers: redraws the order code where a 17-digit prefix repeats (and,
    where that does not help, the region: `SEQ_ONLY_ROUNDS`)."""

    def __init__(self) -> None:
        self.used = np.empty(0, dtype=np.int64)

    def allocate(self, rng: np.random.Generator, birth: np.ndarray, male: np.ndarray) -> np.ndarray:
        n = len(birth)
        regions = np.array(pools.ID_REGIONS, dtype=np.int64)
        region = regions[rng.choice(len(regions), size=n, p=pools.ID_REGION_WEIGHTS)]

        def draw(m: int, male_part: np.ndarray) -> np.ndarray:
            # order codes 000-799 (800-999 are reserved for planted and hidden-sheet people)
            return rng.integers(0, 400, size=m) * 2 + male_part.astype(np.int64)

        seq = draw(n, male)
        prefix = ric_prefix(region, birth, seq)
        for attempt in range(SEQ_ONLY_ROUNDS + 100):
            # redraw every new prefix already used, or repeating an earlier new one
            pos = np.searchsorted(self.used, prefix)  # self.used is kept sorted
            taken = (
                self.used[np.minimum(pos, len(self.used) - 1)] == prefix
                if len(self.used)
                else np.zeros(n, dtype=bool)
            )
            order = np.argsort(prefix, kind="stable")
            sp = prefix[order]
            repeat = np.zeros(n, dtype=bool)
            repeat[order[1:]] = sp[1:] == sp[:-1]
            redo = taken | repeat
            if not redo.any():
                break
            if attempt >= SEQ_ONLY_ROUNDS:  # a (region, birth date, gender) is full
                region[redo] = regions[rng.integers(0, len(regions), size=int(redo.sum()))]
            seq[redo] = draw(int(redo.sum()), male[redo])
            prefix[redo] = ric_prefix(region[redo], birth[redo], seq[redo])
        else:  # pragma: no cover - the region redraws end every repeat
            raise RuntimeError("could not allocate unique identity numbers")
        self.used = np.sort(np.concatenate([self.used, prefix]))
        return ric_bytes_from_prefix(prefix)


FLAVOURS = ["admin", "zf", "cangong", "shiye"]
# person category and quota type by category index: the four flavours, then worker and extra
CATEGORY_OF = ["公务员", "公务员", "参公人员", "事业人员", "工勤人员", "编外人员"]
QUOTA_OF = ["行政编制", "政法专项编制", "事业编制", "事业编制", "工勤编制", "无"]
CATEGORIES = list(dict.fromkeys(CATEGORY_OF))
QUOTAS = list(dict.fromkeys(QUOTA_OF))
GENDERS = ["男", "女"]
POSTS = ["管理岗位", "专业技术岗位", "工勤技能岗位"]
STATUSES = ["在岗", "病休", "脱产学习", "挂职", "离岗待退"]
LEADERSHIP = ["无", "正职", "内设机构正职", "副职"]
GRADES = ["无", "股级", *RANK_BELOW]
HEAD_OF_OFFICE = "办公室主任"
TITLE_GROUPS = ["admin", "zf", "cangong", "shiye", "gov", "hospital", "school", "worker", "extra"]
EDUCATION_BY_CATEGORY = [  # rows follow CATEGORIES
    [0.1, 0.7, 0.18, 0.02, 0.0],
    [0.1, 0.7, 0.18, 0.02, 0.0],
    [0.06, 0.62, 0.28, 0.04, 0.0],
    [0.08, 0.55, 0.3, 0.07, 0.0],
    [0.0, 0.0, 0.1, 0.4, 0.5],
    [0.0, 0.2, 0.4, 0.2, 0.2],
]


def institution_codes(insts: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per-institution attributes as small integer codes (people index into them)."""
    name = insts["name"].to_numpy(dtype=object)
    kind = insts["kind"].to_numpy(dtype=object)
    flav = np.array([FLAVOURS.index(f) for f in insts["flavour"]], dtype=np.int64)
    hospital = np.array(
        [n.endswith("医院") or k == "clinic" for n, k in zip(name, kind, strict=True)]
    )
    school = np.array(
        [
            k == "school" or n.endswith(("学校", "中学", "小学"))
            for n, k in zip(name, kind, strict=True)
        ]
    )
    group = flav.copy()
    group[(flav == 0) & (kind == "gov")] = TITLE_GROUPS.index("gov")
    group[(flav == 3) & hospital] = TITLE_GROUPS.index("hospital")
    group[(flav == 3) & school] = TITLE_GROUPS.index("school")
    return {"flav": flav, "group": group, "care": hospital | school}


def make_people(
    ctx: BulkContext,
    rng: np.random.Generator,
    ids: IdAllocator,
    inst_id: np.ndarray,
    young: bool,
    since_lo: np.datetime64,
    since_hi: np.datetime64,
    pid_start: int,
) -> pd.DataFrame:
    """People (non-leaders) for the given bulk institution ids, all columns filled.

    Text columns are built as category codes (small integers) and every n-sized temporary is
    dropped once used: at tens of millions of people each one is hundreds of MB."""
    n = len(inst_id)
    codes, types = ctx.codes, ctx.types
    flav = codes["flav"][inst_id]
    u = rng.random(n)
    cadre = u < 0.85
    worker = (u >= 0.85) & (u < 0.90)
    extra = u >= 0.90
    del u
    cat_idx = np.where(cadre, flav, np.where(worker, 4, 5)).astype(np.int8)
    # post type (codes in POSTS)
    post = np.zeros(n, dtype=np.int8)
    post[(cat_idx == 3) & (rng.random(n) < 0.7)] = 1
    post[worker] = 2
    post[extra] = np.where(rng.random(int(extra.sum())) < 0.6, 2, 1)
    # gender and birth: far enough from retirement at the last batch date
    p_male = np.where(flav == 1, 0.75, np.where(codes["care"][inst_id], 0.4, 0.55))
    del flav
    male = rng.random(n) < p_male
    del p_male
    max_age = np.where(male, 58.5, np.where(worker | (post == 2), 48.5, 53.5))
    min_age = 22.0
    if young:
        max_age = np.minimum(max_age, 30.0)
    age_days = (min_age + rng.random(n) * (max_age - min_age)) * 365.25
    del max_age
    birth = ctx.last_date - age_days.astype(np.int64).astype("timedelta64[D]")
    del age_days
    id_number = fixed_strings(ids.allocate(rng, birth, male))
    # dates
    start_work = birth + ((18 + rng.random(n) * 7) * 365.25).astype(np.int64).astype(
        "timedelta64[D]"
    )
    if young:
        slot_since = _dates_between(rng, np.full(n, since_lo), np.full(n, since_hi))
        work_since = np.minimum(start_work, slot_since)
    else:
        work_since = np.minimum(start_work, since_hi - np.timedelta64(60, "D"))
        slot_since = np.minimum(
            work_since + (rng.random(n) * 4 * 365.25).astype(np.int64).astype("timedelta64[D]"),
            since_hi - np.timedelta64(30, "D"),
        )
    del start_work
    slot_since = np.where(extra, np.datetime64("NaT"), slot_since).astype("datetime64[D]")
    # status (codes in STATUSES)
    age_now = (ctx.last_date - birth).astype(np.int64) / 365.25
    status = rng.choice(4, size=n, p=[0.975, 0.01, 0.01, 0.005]).astype(np.int8)
    status[male & (age_now > 57) & (rng.random(n) < 0.3)] = STATUSES.index("离岗待退")
    del age_now
    education = np.zeros(n, dtype=np.int8)
    for c, probs in enumerate(EDUCATION_BY_CATEGORY):
        m = cat_idx == c
        education[m] = rng.choice(len(pools.EDUCATION), size=int(m.sum()), p=probs)
    # titles of non-leaders
    title = np.zeros(n, dtype=np.int16)
    group = np.where(
        worker,
        TITLE_GROUPS.index("worker"),
        np.where(extra, TITLE_GROUPS.index("extra"), codes["group"][inst_id]),
    )
    for g, key in enumerate(TITLE_GROUPS):
        m = group == g
        pool = code_of(types["title"], pools.TITLES_STAFF[key])
        title[m] = pool[rng.integers(0, len(pool), size=int(m.sum()))]
    del group, m
    grade = np.zeros(n, dtype=np.int8)  # 无
    grade[cadre & codes["zheng_ke"][inst_id] & (rng.random(n) < 0.1)] = code_of(
        types["grade"], ["股级"]
    )[0]
    del cadre, worker
    cat_code = code_of(types["person_category"], CATEGORY_OF)[cat_idx]
    quota_code = code_of(types["quota_type"], QUOTA_OF)[cat_idx]
    del cat_idx
    nothing = np.zeros(n, dtype=np.int8)  # code 0: "" / 无 / bulk
    return _frame(
        {
            "id_number": id_number,
            "name": categorical(_names(rng, n), types["name"]),
            "gender": categorical(np.where(male, 0, 1), types["gender"]),
            "birth_date": birth,
            "person_category": categorical(cat_code, types["person_category"]),
            "quota_type": categorical(quota_code, types["quota_type"]),
            "slot_code": categorical(inst_id, types["slot_code"]),
            "slot_name": categorical(inst_id, types["slot_name"]),
            "work_code": categorical(nothing, types["work_code"]),
            "work_name": categorical(nothing, types["work_name"]),
            "title": categorical(title, types["title"]),
            "leadership": categorical(nothing, types["leadership"]),
            "grade": categorical(grade, types["grade"]),
            "post_type": categorical(post, types["post_type"]),
            "slot_since": slot_since,
            "status": categorical(status, types["status"]),
            "education": categorical(education, types["education"]),
            "work_since": work_since.astype("datetime64[D]"),
            "_pid": np.arange(pid_start, pid_start + n),
            "_slot": categorical(inst_id, types["_slot"]),
            "_work": categorical(inst_id, types["_work"]),
            "_origin": categorical(nothing, types["_origin"]),
            "_error": categorical(nothing, types["_error"]),
            "_inst": inst_id,
        }
    )


def _assign_leaders(ctx: BulkContext, df: pd.DataFrame, rng: np.random.Generator) -> None:
    """Leaders per institution: at most a quarter of its staff, cadres only; office heads of a
    government work in their office; some other staff of a government work in an office.
    Works on category codes (see make_people)."""
    insts, codes, types = ctx.insts, ctx.codes, ctx.types
    n_inst = len(insts)
    n = len(df)
    inst_id = df["_inst"].to_numpy()
    cadre = df["person_category"].isin(list(CADRE.values())).to_numpy()
    staff = np.bincount(inst_id[(df["quota_type"] != "无").to_numpy()], minlength=n_inst)
    n_cadre = np.bincount(inst_id[cadre], minlength=n_inst)
    is_gov = (insts["kind"] == "gov").to_numpy()
    n_off = ctx.office_count
    lim = np.minimum(np.floor(staff * 0.25).astype(int), n_cadre)
    zheng = np.minimum(np.where(is_gov, 2, 1), lim)
    heads = np.minimum(n_off, lim - zheng)
    fu = np.minimum(np.where(is_gov, 6, 4), lim - zheng - heads)
    order = np.lexsort((rng.random(n), ~cadre, inst_id))
    del cadre
    sorted_inst = inst_id[order]
    group_start = np.searchsorted(sorted_inst, np.arange(n_inst))
    r = np.empty(n, dtype=np.int64)
    r[order] = np.arange(n) - group_start[sorted_inst]
    del order, sorted_inst
    z = zheng[inst_id]
    zh = z + heads[inst_id]
    zhf = zh + fu[inst_id]
    lead = np.zeros(n, dtype=np.int8)  # codes in LEADERSHIP
    lead[r < z] = 1
    is_head = (r >= z) & (r < zh)
    lead[is_head] = 2
    lead[(r >= zh) & (r < zhf)] = 3
    del zh, zhf
    df["leadership"] = categorical(lead, types["leadership"])
    zheng_m, fu_m = lead == 1, lead == 3
    grade = df["grade"].cat.codes.to_numpy().copy()
    grade[zheng_m] = codes["grade_zheng"][inst_id[zheng_m]]
    grade[fu_m] = codes["grade_fu"][inst_id[fu_m]]
    grade[is_head] = code_of(types["grade"], ["股级"])[0]
    df["grade"] = categorical(grade, types["grade"])
    # titles of leaders
    title = df["title"].cat.codes.to_numpy().copy()
    title[zheng_m] = codes["title_zheng"][inst_id[zheng_m]]
    second = zheng_m & (r == 1) & is_gov[inst_id]  # a government's second 正职 is the 镇长/乡长
    title[second] = codes["title_zheng2"][inst_id[second]]
    title[fu_m] = codes["title_fu"][inst_id[fu_m]]
    title[is_head] = code_of(types["title"], [HEAD_OF_OFFICE])[0]
    df["title"] = categorical(title, types["title"])
    del second, zheng_m, fu_m, grade, title
    leader = lead != 0
    post = df["post_type"].cat.codes.to_numpy().copy()
    post[leader] = POSTS.index("管理岗位")
    df["post_type"] = categorical(post, types["post_type"])
    status = df["status"].cat.codes.to_numpy().copy()
    status[leader] = STATUSES.index("在岗")
    df["status"] = categorical(status, types["status"])
    del post, status
    # where people work: office heads in their office, some others in a random office
    k = np.where(is_head, r - z, -1)
    del r, z
    others = (
        ~leader & (n_off[inst_id] > 0) & (rng.random(n) < np.where(is_gov[inst_id], 0.45, 0.15))
    )
    k[others] = (rng.random(int(others.sum())) * n_off[inst_id[others]]).astype(int)
    has = k >= 0
    work = np.zeros(n, dtype=np.int32)  # 0 = "" (works where their slot is)
    work[has] = ctx.office_start[inst_id[has]] + k[has] + 1
    df["work_code"] = categorical(work, types["work_code"])
    df["work_name"] = categorical(work, types["work_name"])


def bulk_batches(
    ctx: BulkContext, n: int, dates: list[date], rng: np.random.Generator, ids: IdAllocator
) -> list[pd.DataFrame]:
    """The bulk roster of every batch: batch 1, then ~1 % of people changing per batch
    (leavers, hires, transfers within the same kind of institution)."""
    first = np.datetime64(dates[0], "D")
    inst_id = np.sort(rng.choice(len(ctx.insts), size=n, p=ctx.p)) if n else np.empty(0, int)
    df = make_people(
        ctx, rng, ids, inst_id, young=False, since_lo=first, since_hi=first, pid_start=0
    )
    _assign_leaders(ctx, df, rng)
    out = [df]
    next_pid = n
    flav = ctx.insts["flavour"].to_numpy(dtype=object)
    for b in range(1, len(dates)):
        prev = out[-1]
        lo, hi = np.datetime64(dates[b - 1], "D") + 1, np.datetime64(dates[b], "D")
        k_leave = max(1, round(0.004 * len(prev))) if len(prev) else 0
        k_hire = max(1, round(0.004 * n)) if n else 0
        k_move = max(1, round(0.003 * len(prev))) if len(prev) else 0
        plain = np.flatnonzero((prev["leadership"] == "无").to_numpy())
        leave = rng.choice(plain, size=min(k_leave, len(plain)), replace=False)
        keep = np.ones(len(prev), dtype=bool)
        keep[leave] = False
        cur = prev[keep].copy()
        movable = np.flatnonzero(
            ((cur["leadership"] == "无") & (cur["quota_type"] != "无")).to_numpy()
        )
        move = rng.choice(movable, size=min(k_move, len(movable)), replace=False)
        if len(move):
            src = cur["_inst"].to_numpy()[move]
            target = src.copy()
            for f in np.unique(flav[src]):  # another institution of the same kind
                same = np.flatnonzero(flav == f)
                m = flav[src] == f
                if len(same) < 2:
                    continue
                pick = same[rng.integers(0, len(same), size=int(m.sum()))]
                pos = np.searchsorted(same, pick)
                clash = pick == src[m]
                pick[clash] = same[(pos[clash] + 1) % len(same)]
                target[m] = pick
            cols = {
                c: cur.columns.get_loc(c)
                for c in [
                    "_inst",
                    "slot_code",
                    "slot_name",
                    "_slot",
                    "_work",
                    "work_code",
                    "work_name",
                ]
            }
            codes = ctx.insts["institution_code"].to_numpy(dtype=object)[target]
            names = ctx.insts["name"].to_numpy(dtype=object)[target]
            cur.iloc[move, cols["_inst"]] = target
            for c, v in [
                ("slot_code", codes),
                ("slot_name", names),
                ("_slot", codes),
                ("_work", codes),
                ("work_code", ""),
                ("work_name", ""),
            ]:
                cur.iloc[move, cols[c]] = v
        hire_inst = np.sort(rng.choice(len(ctx.insts), size=k_hire, p=ctx.p))
        hires = make_people(
            ctx, rng, ids, hire_inst, young=True, since_lo=lo, since_hi=hi, pid_start=next_pid
        )
        next_pid += k_hire
        cur = concat_rosters([cur, hires])
        cur = cur.sort_values(["_inst", "_pid"], kind="stable").reset_index(drop=True)
        out.append(cur)
    return out
