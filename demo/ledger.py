"""The quota ledger (编制核定) of the bulk, derived from the roster so that it fits.

A grant is set after the roster of every batch is known: authorized = the highest occupancy over
the batches plus a little vacancy, so the bulk is never overstaffed. The value is then spread
over realistic event histories (核定 only; 核定 then 核增/划入; 核定 then 核减/划出/收回) with
document numbers shared by the events of one institution and date.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from demo.people import as_object

GRANT_COLUMNS = [
    "doc_no",
    "approved_on",
    "effective_on",
    "institution_code",
    "institution_name",
    "item",
    "kind",
    "change",
    "amount",
    "note",
]
QUOTA_KINDS = ["行政编制", "事业编制", "工勤编制", "政法专项编制"]
MAIN_QUOTA = {"admin": "行政编制", "zf": "政法专项编制", "cangong": "事业编制", "shiye": "事业编制"}


def occupancy_max(rosters: list[pd.DataFrame]) -> pd.Series:
    """Highest occupied(I, T) over the batches, counting (identity number, I, T) once.

    Only planted rows can repeat an identity number: the bulk's are unique and drawn from other
    order codes (people.IdAllocator: 000-799, planted 800-999). So the bulk is counted as it is
    and only the rest deduplicated, which spares hashing tens of millions of identity numbers."""
    parts = []
    for r in rosters:
        ok = ((r["_error"] == "") & (r["_slot"] != "") & (r["quota_type"] != "无")).to_numpy()
        bulk = (r["_origin"] == "bulk").to_numpy()
        occ = _pair_counts(r["_slot"], r["quota_type"], ok & bulk)
        rest = r.loc[ok & ~bulk, ["id_number", "_slot", "quota_type"]].drop_duplicates()
        if len(rest):
            every = np.ones(len(rest), dtype=bool)
            more = _pair_counts(rest["_slot"], rest["quota_type"], every)
            occ = occ.add(more, fill_value=0).astype(np.int64).sort_index()
        parts.append(occ)
    return pd.concat(parts, axis=1).fillna(0).max(axis=1).astype(int)


def leaders_max(rosters: list[pd.DataFrame]) -> pd.Series:
    """Highest leaders(I, K) over the batches (by work institution)."""
    parts = []
    for r in rosters:
        ok = (r["_error"] == "") & (r["_work"] != "") & (r["leadership"] != "无")
        parts.append(_pair_counts(r["_work"], r["leadership"], ok.to_numpy()))
    return pd.concat(parts, axis=1).fillna(0).max(axis=1).astype(int)


def _pair_counts(a: pd.Series, b: pd.Series, rows: np.ndarray) -> pd.Series:
    """Number of the given rows per (a, b) pair present, keyed by the plain values and sorted
    by them, as `frame[rows].groupby([a, b]).size()` on text gives it. Counted with numpy on
    category codes: a groupby over tens of millions of rows costs tens of bytes a row, and a
    categorical groupby would sort in category order (the ledger's rows, hence its random
    draws, follow this order)."""
    ca, ua = _codes(a)
    cb, ub = _codes(b)
    keep = rows & (ca >= 0) & (cb >= 0)  # like groupby, missing keys are not counted
    key = ca[keep].astype(np.int64) * len(ub) + cb[keep]
    counts = np.bincount(key, minlength=len(ua) * len(ub))
    present = np.flatnonzero(counts)
    index = pd.MultiIndex.from_arrays(
        [ua[present // len(ub)], ub[present % len(ub)]], names=[a.name, b.name]
    )
    return pd.Series(counts[present], index=index).sort_index()


def _codes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1 = missing) and the values they stand for, as Python objects."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy(), s.cat.categories.to_numpy(dtype=object)
    codes, uniques = pd.factorize(s)
    return codes, np.asarray(uniques, dtype=object)


def targets(
    inst: pd.DataFrame,
    rosters: list[pd.DataFrame],
    first: date,
    rng: np.random.Generator,
    gov_overrides: dict[str, tuple[int, int]],
) -> pd.DataFrame:
    """Final ledger value per (institution, item, kind) for every automatic institution."""
    auto = inst[
        ~inst["manual"]
        & (inst["category"] != "内设机构")
        & inst["revoked_on"].isna()
        & (pd.to_datetime(inst["established_on"]) <= pd.Timestamp(first))
    ]
    codes = set(auto["institution_code"])
    occ = occupancy_max(rosters)
    occ = occ[occ.index.get_level_values(0).isin(codes)]
    q = (
        occ.rename("occ")
        .reset_index()
        .rename(columns={"_slot": "institution_code", "quota_type": "kind"})
    )
    main = pd.DataFrame(
        {"institution_code": auto["institution_code"], "kind": auto["flavour"].map(MAIN_QUOTA)}
    )
    q = main.merge(q, how="outer", on=["institution_code", "kind"]).fillna({"occ": 0})
    q["occ"] = q["occ"].astype(int)
    vac = rng.choice([0, 0, 0, 1, 1, 2, 3], size=len(q))
    q["value"] = np.maximum(q["occ"] + vac, 1)
    q["item"] = "编制"

    lead = leaders_max(rosters)
    lead = lead[lead.index.get_level_values(0).isin(codes)]
    ld = (
        lead.rename("n")
        .reset_index()
        .rename(columns={"_work": "institution_code", "leadership": "kind"})
    )
    info = auto.set_index("institution_code")
    base = []
    for code, kind_, n_off in zip(
        auto["institution_code"], auto["kind"], auto["n_offices"], strict=True
    ):
        base.append((code, "正职", 2 if kind_ == "gov" else 1))
        if n_off:
            base.append((code, "内设机构正职", int(n_off)))
    bd = pd.DataFrame(base, columns=["institution_code", "kind", "base"])
    ld = bd.merge(ld, how="outer", on=["institution_code", "kind"]).fillna(0)
    bonus = np.where(ld["kind"] == "副职", rng.integers(0, 2, size=len(ld)), 0)
    ld["value"] = np.maximum(ld["base"], ld["n"] + bonus).astype(int)
    # township governments: 正职 + 副职 stays within 9 unless a planted override says so
    is_gov = (ld["institution_code"].map(info["kind"]) == "gov").to_numpy()
    missing_fu = [
        c
        for c in gov_overrides
        if not ((ld["institution_code"] == c) & (ld["kind"] == "副职")).any()
    ]
    if missing_fu:
        add = pd.DataFrame(
            {"institution_code": missing_fu, "kind": "副职", "base": 0, "n": 0, "value": 0}
        )
        ld = pd.concat([ld, add], ignore_index=True)
        is_gov = np.concatenate([is_gov, np.ones(len(add), dtype=bool)])
    kind = ld["kind"].to_numpy()
    code = ld["institution_code"]
    zheng = ld[is_gov & (kind == "正职")].set_index("institution_code")["value"]
    z_of = code.map(zheng).fillna(0).to_numpy()
    fu = is_gov & (kind == "副职")
    capped = np.maximum(
        np.minimum(ld["value"].to_numpy(), np.maximum(9 - z_of, 0)), ld["n"].to_numpy()
    )
    value = ld["value"].to_numpy().copy()
    value[fu] = capped[fu]
    over_z = code.map({c: z for c, (z, _) in gov_overrides.items()}).to_numpy()
    over_f = code.map({c: f for c, (_, f) in gov_overrides.items()}).to_numpy()
    has = ~pd.isna(over_z)
    value[has & (kind == "正职")] = over_z[has & (kind == "正职")]
    value[has & (kind == "副职")] = over_f[has & (kind == "副职")]
    ld["value"] = value.astype(int)
    ld = ld[ld["value"] > 0]
    ld["item"] = "领导职数"
    out = pd.concat(
        [
            q[["institution_code", "item", "kind", "value"]],
            ld[["institution_code", "item", "kind", "value"]],
        ],
        ignore_index=True,
    )
    out["established_on"] = out["institution_code"].map(info["established_on"])
    out["name"] = out["institution_code"].map(info["name"])
    return out.sort_values(["institution_code", "item", "kind"], kind="stable").reset_index(
        drop=True
    )


def events(tg: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Event histories that end at each target value (vectorised)."""
    n = len(tg)
    value = tg["value"].to_numpy(dtype=np.int64)
    est = pd.to_datetime(tg["established_on"]).to_numpy().astype("datetime64[D]")
    floor = np.datetime64("2015-01-01")
    d0 = np.maximum(est, floor) + rng.integers(20, 700, size=n).astype("timedelta64[D]")
    d0 = np.minimum(d0, np.datetime64("2022-12-31"))
    d1 = np.minimum(
        d0 + rng.integers(200, 1300, size=n).astype("timedelta64[D]"), np.datetime64("2026-06-30")
    )
    is_quota = (tg["item"] == "编制").to_numpy()
    pattern = rng.choice(3, size=n, p=[0.6, 0.25, 0.15])
    pattern[~is_quota & (pattern == 2)] = 0
    delta = rng.integers(1, 4, size=n)
    add = (pattern == 1) & (value >= 2)
    delta[add] = np.minimum(delta[add], value[add] - 1)
    sub = pattern == 2
    first_amount = np.where(add, value - delta, np.where(sub, value + delta, value))
    base = pd.DataFrame(
        {
            "institution_code": tg["institution_code"].to_numpy(),
            "institution_name": tg["name"].to_numpy(),
            "item": tg["item"].to_numpy(),
            "kind": tg["kind"].to_numpy(),
        }
    )
    e0 = base.assign(effective_on=d0, change="核定", amount=first_amount)
    m = add | sub
    change = np.where(
        add,
        np.where(rng.random(n) < 0.8, "核增", "划入"),
        np.array(["核减", "划出", "收回"])[rng.choice(3, size=n, p=[0.6, 0.2, 0.2])],
    )
    e1 = base[m].assign(effective_on=d1[m], change=change[m], amount=delta[m])
    ev = pd.concat([e0, e1], ignore_index=True)
    # one document per (institution, date); numbered per year in date order
    ev = ev.sort_values(["effective_on", "institution_code", "item", "kind"], kind="stable")
    ev = ev.reset_index(drop=True)
    key = ev["effective_on"].astype(str) + "|" + ev["institution_code"]
    doc_id = key.ne(key.shift()).cumsum()
    year = pd.to_datetime(ev["effective_on"]).dt.year
    first_of_doc = ~doc_id.duplicated()
    number = first_of_doc.groupby(year).cumsum()
    prefix = np.where(rng.random(len(ev)) < 0.85, "县编发", "县编办发")
    prefix = pd.Series(prefix).groupby(doc_id.to_numpy()).transform("first").to_numpy()
    ev["doc_no"] = [f"{p}〔{y}〕{k}号" for p, y, k in zip(prefix, year, number, strict=True)]
    lag = (
        pd.Series(rng.integers(0, 26, size=len(ev)))
        .groupby(doc_id.to_numpy())
        .transform("first")
        .to_numpy()
    )
    ev["approved_on"] = ev["effective_on"].to_numpy().astype("datetime64[D]") - lag.astype(
        "timedelta64[D]"
    )
    ev["effective_on"] = ev["effective_on"].to_numpy().astype("datetime64[D]")
    ev["note"] = np.where(year.to_numpy() == 2019, "机构改革", "")
    ev["_error"] = ""
    ev["_from_batch"] = 0
    return as_object(ev[GRANT_COLUMNS + ["_error", "_from_batch"]])
