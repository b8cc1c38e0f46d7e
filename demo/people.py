"""The bulk of the roster, generated column by column with numpy (no loop per person).

The bulk is deliberately clean: categories match quota types and institutions, leaders stay
within a quarter of an institution's staff (so no leader ratio comes near 0.35), nobody is near
retirement, identity numbers are valid and unique. Every finding on the demo should come from
the planted part, except VACANT (grants leave some vacancy on purpose).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from demo import pools
from demo.idnum import ric_from_prefix, ric_prefix

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


def _frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame(
        {k: pd.Series(v, dtype=object) if v.dtype == object else v for k, v in columns.items()}
    )


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
    return BulkContext(
        elig,
        w / w.sum() if len(w) else w,
        offices,
        start,
        count,
        last,
        first,
        institution_codes(elig),
    )


def _names(rng: np.random.Generator, n: int) -> np.ndarray:
    sw = 1.0 / (np.arange(len(pools.SURNAMES)) + 6.0)
    sur = np.array(pools.SURNAMES)[rng.choice(len(pools.SURNAMES), size=n, p=sw / sw.sum())]
    given = np.array(pools.GIVEN_CHARS)
    g1 = given[rng.integers(0, len(given), size=n)]
    g2 = given[rng.integers(0, len(given), size=n)]
    two = rng.random(n) < 0.7
    return np.where(two, np.char.add(np.char.add(sur, g1), g2), np.char.add(sur, g1))


def _pick(rng: np.random.Generator, values: list[str], probs: list[float], n: int) -> np.ndarray:
    return np.array(values, dtype=object)[rng.choice(len(values), size=n, p=probs)]


def _dates_between(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    span = np.maximum((hi - lo).astype(np.int64), 0)
    return lo + (rng.random(len(lo)) * (span + 1)).astype(np.int64).astype("timedelta64[D]")


class IdAllocator:
    """Unique identity numbers: redraws the order code where a 17-digit prefix repeats."""

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
        for _ in range(60):
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
            seq[redo] = draw(int(redo.sum()), male[redo])
            prefix[redo] = ric_prefix(region[redo], birth[redo], seq[redo])
        else:  # pragma: no cover - never needed in practice
            raise RuntimeError("could not allocate unique identity numbers")
        self.used = np.sort(np.concatenate([self.used, prefix]))
        return ric_from_prefix(prefix)


FLAVOURS = ["admin", "zf", "cangong", "shiye"]
CATEGORIES = np.array(
    ["公务员", "公务员", "参公人员", "事业人员", "工勤人员", "编外人员"], dtype=object
)
QUOTAS = np.array(
    ["行政编制", "政法专项编制", "事业编制", "事业编制", "工勤编制", "无"], dtype=object
)
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
    """People (non-leaders) for the given bulk institution ids, all columns filled."""
    n = len(inst_id)
    insts = ctx.insts
    codes = ctx.codes
    flav = codes["flav"][inst_id]
    names_i = insts["name"].to_numpy(dtype=object)[inst_id]
    u = rng.random(n)
    cadre = u < 0.85
    worker = (u >= 0.85) & (u < 0.90)
    extra = u >= 0.90
    cat_idx = np.where(cadre, flav, np.where(worker, 4, 5))
    category = CATEGORIES[cat_idx]
    quota = QUOTAS[cat_idx]
    # post type
    post = np.full(n, "管理岗位", dtype=object)
    post[(cat_idx == 3) & (rng.random(n) < 0.7)] = "专业技术岗位"
    post[worker] = "工勤技能岗位"
    post[extra] = np.where(rng.random(int(extra.sum())) < 0.6, "工勤技能岗位", "专业技术岗位")
    # gender and birth: far enough from retirement at the last batch date
    p_male = np.where(flav == 1, 0.75, np.where(codes["care"][inst_id], 0.4, 0.55))
    male = rng.random(n) < p_male
    worker_type = worker | (post == "工勤技能岗位")
    max_age = np.where(male, 58.5, np.where(worker_type, 48.5, 53.5))
    min_age = np.full(n, 22.0)
    if young:
        max_age = np.minimum(max_age, 30.0)
    age_days = (min_age + rng.random(n) * (max_age - min_age)) * 365.25
    birth = ctx.last_date - age_days.astype(np.int64).astype("timedelta64[D]")
    id_number = ids.allocate(rng, birth, male)
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
    slot_since = np.where(extra, np.datetime64("NaT"), slot_since).astype("datetime64[D]")
    # status
    age_now = (ctx.last_date - birth).astype(np.int64) / 365.25
    status = _pick(rng, ["在岗", "病休", "脱产学习", "挂职"], [0.975, 0.01, 0.01, 0.005], n)
    status[male & (age_now > 57) & (rng.random(n) < 0.3)] = "离岗待退"
    education = np.empty(n, dtype=object)
    for c, probs in enumerate(EDUCATION_BY_CATEGORY):
        m = cat_idx == c
        education[m] = _pick(rng, pools.EDUCATION, probs, int(m.sum()))
    # titles of non-leaders
    title = np.empty(n, dtype=object)
    group = np.where(
        worker,
        TITLE_GROUPS.index("worker"),
        np.where(extra, TITLE_GROUPS.index("extra"), codes["group"][inst_id]),
    )
    for g, key in enumerate(TITLE_GROUPS):
        m = group == g
        pool = pools.TITLES_STAFF[key]
        title[m] = np.array(pool, dtype=object)[rng.integers(0, len(pool), size=int(m.sum()))]
    rank = insts["rank"].to_numpy(dtype=object)[inst_id]
    grade = np.full(n, "无", dtype=object)
    grade[cadre & (rank == "正科级") & (rng.random(n) < 0.1)] = "股级"
    code = insts["institution_code"].to_numpy(dtype=object)[inst_id]
    return _frame(
        {
            "id_number": id_number.astype(object),
            "name": _names(rng, n).astype(object),
            "gender": np.where(male, "男", "女").astype(object),
            "birth_date": birth,
            "person_category": category,
            "quota_type": quota,
            "slot_code": code,
            "slot_name": names_i,
            "work_code": np.full(n, "", dtype=object),
            "work_name": np.full(n, "", dtype=object),
            "title": title,
            "leadership": np.full(n, "无", dtype=object),
            "grade": grade,
            "post_type": post,
            "slot_since": slot_since,
            "status": status,
            "education": education,
            "work_since": work_since.astype("datetime64[D]"),
            "_pid": np.arange(pid_start, pid_start + n),
            "_slot": code,
            "_work": code,
            "_origin": np.full(n, "bulk", dtype=object),
            "_error": np.full(n, "", dtype=object),
            "_inst": inst_id,
        }
    )


def _assign_leaders(ctx: BulkContext, df: pd.DataFrame, rng: np.random.Generator) -> None:
    """Leaders per institution: at most a quarter of its staff, cadres only; office heads of a
    government work in their office; some other staff of a government work in an office."""
    insts = ctx.insts
    n_inst = len(insts)
    inst_id = df["_inst"].to_numpy()
    cadre = df["person_category"].isin(list(CADRE.values())).to_numpy()
    staff = np.bincount(inst_id[df["quota_type"].to_numpy() != "无"], minlength=n_inst)
    n_cadre = np.bincount(inst_id[cadre], minlength=n_inst)
    is_gov = (insts["kind"] == "gov").to_numpy()
    n_off = ctx.office_count
    lim = np.minimum(np.floor(staff * 0.25).astype(int), n_cadre)
    zheng = np.minimum(np.where(is_gov, 2, 1), lim)
    heads = np.minimum(n_off, lim - zheng)
    fu = np.minimum(np.where(is_gov, 6, 4), lim - zheng - heads)
    order = np.lexsort((rng.random(len(df)), ~cadre, inst_id))
    sorted_inst = inst_id[order]
    group_start = np.searchsorted(sorted_inst, np.arange(n_inst))
    r = np.empty(len(df), dtype=np.int64)
    r[order] = np.arange(len(df)) - group_start[sorted_inst]
    z, h, f = zheng[inst_id], heads[inst_id], fu[inst_id]
    lead = np.full(len(df), "无", dtype=object)
    lead[r < z] = "正职"
    is_head = (r >= z) & (r < z + h)
    lead[is_head] = "内设机构正职"
    lead[(r >= z + h) & (r < z + h + f)] = "副职"
    df["leadership"] = lead
    rank = insts["rank"].to_numpy(dtype=object)[inst_id]
    grade = df["grade"].to_numpy(dtype=object).copy()
    grade[lead == "正职"] = np.where(rank[lead == "正职"] == "未定级", "无", rank[lead == "正职"])
    grade[lead == "副职"] = pd.Series(rank[lead == "副职"]).map(RANK_BELOW).to_numpy(dtype=object)
    grade[is_head] = "股级"
    df["grade"] = grade
    # titles of leaders
    titles = [head_titles(nm, k) for nm, k in zip(insts["name"], insts["kind"], strict=True)]
    t_zheng = np.array([t[0] for t in titles], dtype=object)
    t_zheng2 = np.array([t[1] for t in titles], dtype=object)
    t_fu = np.array([t[2] for t in titles], dtype=object)
    title = df["title"].to_numpy(dtype=object).copy()
    m = lead == "正职"
    title[m] = t_zheng[inst_id[m]]
    second = m & (r == 1) & is_gov[inst_id]  # a government's second 正职 is the 镇长/乡长
    title[second] = t_zheng2[inst_id[second]]
    title[lead == "副职"] = t_fu[inst_id[lead == "副职"]]
    title[is_head] = "办公室主任"
    df["title"] = title
    df.loc[lead != "无", "post_type"] = "管理岗位"
    df.loc[lead != "无", "status"] = "在岗"
    # where people work: office heads in their office, some others in a random office
    k = np.where(is_head, r - z, -1)
    others = (
        (lead == "无")
        & (n_off[inst_id] > 0)
        & (rng.random(len(df)) < np.where(is_gov[inst_id], 0.45, 0.15))
    )
    k[others] = (rng.random(int(others.sum())) * n_off[inst_id[others]]).astype(int)
    has = k >= 0
    row = ctx.office_start[inst_id[has]] + k[has]
    work_code = df["work_code"].to_numpy(dtype=object).copy()
    work_name = df["work_name"].to_numpy(dtype=object).copy()
    work_code[has] = ctx.offices["institution_code"].to_numpy(dtype=object)[row]
    work_name[has] = ctx.offices["name"].to_numpy(dtype=object)[row]
    df["work_code"] = work_code
    df["work_name"] = work_name


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
        plain = np.flatnonzero(prev["leadership"].to_numpy() == "无")
        leave = rng.choice(plain, size=min(k_leave, len(plain)), replace=False)
        keep = np.ones(len(prev), dtype=bool)
        keep[leave] = False
        cur = prev[keep].copy()
        movable = np.flatnonzero(
            (cur["leadership"].to_numpy() == "无") & (cur["quota_type"].to_numpy() != "无")
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
        cur = pd.concat([cur, hires], ignore_index=True)
        cur = cur.sort_values(["_inst", "_pid"], kind="stable").reset_index(drop=True)
        out.append(cur)
    return out
