"""The core reconciliation as the straightforward pandas script an analyst would write.

Why it exists: it is the baseline the warehouse is sold against ("why not a notebook?"). It reads
the same csv files as bench.raw_engine, computes the same numbers by the same rules (see that
module's docstring; the two are checked against each other by bench.compare) and writes parquet
files. It is deliberately plain — read_csv, map, merge, groupby — not tuned.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from bench.schema import (
    ADD_CHANGES,
    ALIAS_SEPARATORS,
    DATE_COLUMNS,
    FULL_WIDTH,
    HALF_WIDTH,
    SUB_CHANGES,
    csv_path,
)

ALIAS_SPLIT = re.compile(ALIAS_SEPARATORS)
FOLD_TABLE = str.maketrans(FULL_WIDTH, HALF_WIDTH)
WHITESPACE = re.compile(r"[\t\n\f\r ]")  # what DuckDB's (RE2) \s matches


def read(csv_dir: Path, table: str) -> pd.DataFrame:
    """Every column as text (codes must keep leading zeros), dates parsed."""
    df = pd.read_csv(csv_path(csv_dir, table), dtype=str, keep_default_na=False, na_values=[""])
    for col in DATE_COLUMNS[table]:
        df[col] = pd.to_datetime(df[col], format="%Y-%m-%d")
    return df


def fold(text: str) -> str:
    return WHITESPACE.sub("", text.translate(FOLD_TABLE))


def name_lookup(inst: pd.DataFrame, as_of: pd.Timestamp) -> tuple[dict, dict]:
    """Exact and folded name → code: name by status (active, revoked, not yet established),
    then 加挂牌子 by status; the lowest (tier, code) wins."""
    exact: dict[str, tuple[int, str]] = {}
    folded: dict[str, tuple[int, str]] = {}

    def put(table: dict[str, tuple[int, str]], key: str, tier: int, code: str) -> None:
        if key and (key not in table or (tier, code) < table[key]):
            table[key] = (tier, code)

    columns = ["institution_code", "name", "alias_names", "established_on", "revoked_on"]
    for code, name, aliases, established, revoked in inst[columns].itertuples(index=False):
        if (pd.isna(established) or established <= as_of) and (pd.isna(revoked) or revoked > as_of):
            status = 1
        elif not pd.isna(revoked) and revoked <= as_of:
            status = 2
        else:
            status = 3
        keys = []
        if isinstance(name, str):
            keys.append((name, status))
        if isinstance(aliases, str):
            keys += [(a.strip(" "), 3 + status) for a in ALIAS_SPLIT.split(aliases)]
        for key, tier in keys:
            put(exact, key, tier, code)
            put(folded, fold(key), tier, code)
    return (
        {k: code for k, (_t, code) in exact.items()},
        {k: code for k, (_t, code) in folded.items()},
    )


def resolve(codes: pd.Series, names: pd.Series, known: set[str], lookup: tuple) -> pd.Series:
    """Known code first, else the exact name, else the folded name."""
    exact, folded = lookup
    by_name = names.map(exact)
    by_folded = names.map(fold, na_action="ignore").map(folded)
    by_name = by_name.where(by_name.notna(), by_folded)
    by_code = codes.where(codes.isin(known))
    return by_code.where(by_code.notna(), by_name)


def reconcile_batch(
    as_of: pd.Timestamp, inst: pd.DataFrame, grants: pd.DataFrame, roster: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Staffing, leadership and flagged people for one batch date."""
    one = inst.groupby("institution_code").agg(
        category=("category", "min"), parent_code=("parent_code", "min")
    )
    known = set(one.index)
    lookup = name_lookup(inst, as_of)
    category = one["category"]
    parent = one["parent_code"]

    def to_institution(unit: pd.Series) -> pd.Series:
        internal = unit.map(category) == "内设机构"
        return unit.where(~internal, unit.map(parent))

    # people
    r = roster.copy()
    slot_unit = resolve(r["slot_code"], r["slot_name"], known, lookup)
    work_unit = resolve(r["work_code"], r["work_name"], known, lookup)
    work_blank = r["work_code"].isna() & r["work_name"].isna()
    work_unit = work_unit.where(~work_blank, slot_unit)
    r["slot_inst"] = to_institution(slot_unit)
    r["work_inst"] = to_institution(work_unit)
    r["slot_category"] = r["slot_inst"].map(category)

    # ledger
    g = grants[grants["effective_on"] <= as_of].copy()
    g["inst"] = to_institution(resolve(g["institution_code"], g["institution_name"], known, lookup))
    g = g[g["inst"].notna()]
    g["amount"] = g["amount"].fillna(0).astype("int64")
    keys = ["inst", "item", "kind"]
    resets = (
        g[g["change"] == "核定"]
        .groupby(keys)["effective_on"]
        .max()
        .rename("reset_on")
        .reset_index()
    )
    g = g.merge(resets, on=keys, how="left")
    counts = g["reset_on"].isna() | (g["effective_on"] >= g["reset_on"])
    g["delta"] = 0
    g.loc[(g["change"] == "核定") & (g["effective_on"] == g["reset_on"]), "delta"] = g["amount"]
    g.loc[g["change"].isin(ADD_CHANGES) & counts, "delta"] = g["amount"]
    g.loc[g["change"].isin(SUB_CHANGES) & counts, "delta"] = -g["amount"]
    ledger = g.groupby(keys, as_index=False)["delta"].sum().rename(columns={"delta": "value"})

    # staffing: occupied vs authorized
    held = r[r["slot_inst"].notna() & r["quota_type"].notna() & (r["quota_type"] != "无")]
    with_id = held[held["id_number"].notna()]
    occupied = (
        with_id.groupby(["slot_inst", "quota_type"])["id_number"]
        .nunique()
        .add(
            held[held["id_number"].isna()].groupby(["slot_inst", "quota_type"]).size(),
            fill_value=0,
        )
        .rename("occupied")
        .reset_index()
        .rename(columns={"slot_inst": "institution_code"})
    )
    authorized = ledger[ledger["item"] == "编制"].rename(
        columns={"inst": "institution_code", "kind": "quota_type", "value": "authorized"}
    )[["institution_code", "quota_type", "authorized"]]
    staffing = authorized.merge(occupied, on=["institution_code", "quota_type"], how="outer")
    staffing[["authorized", "occupied"]] = (
        staffing[["authorized", "occupied"]].fillna(0).astype("int64")
    )
    staffing["vacancy"] = (staffing["authorized"] - staffing["occupied"]).clip(lower=0)
    staffing["overstaffed_by"] = (staffing["occupied"] - staffing["authorized"]).clip(lower=0)

    # leaders vs leadership posts
    leaders = r[r["work_inst"].notna() & r["leadership"].notna() & (r["leadership"] != "无")]
    actual = (
        leaders.groupby(["work_inst", "leadership"])
        .size()
        .rename("actual")
        .reset_index()
        .rename(columns={"work_inst": "institution_code", "leadership": "leadership_kind"})
    )
    posts = ledger[ledger["item"] == "领导职数"].rename(
        columns={"inst": "institution_code", "kind": "leadership_kind", "value": "authorized"}
    )[["institution_code", "leadership_kind", "authorized"]]
    leadership = posts.merge(actual, on=["institution_code", "leadership_kind"], how="outer")
    leadership[["authorized", "actual"]] = (
        leadership[["authorized", "actual"]].fillna(0).astype("int64")
    )

    # person-level flags
    mixed = (
        r["quota_type"].isin(["行政编制", "政法专项编制"])
        & r["slot_category"].isin(["事业单位", "参公事业单位"])
    ) | ((r["quota_type"] == "事业编制") & (r["slot_category"] == "行政机关"))
    moved = r["work_inst"].notna() & r["slot_inst"].notna() & (r["work_inst"] != r["slot_inst"])
    seconded = (r["status"] == "借调") | moved
    r["mixed_quota"] = mixed.fillna(False).astype(bool)
    r["seconded"] = seconded.fillna(False).astype(bool)
    flags = r[r["mixed_quota"] | r["seconded"]].rename(
        columns={"slot_inst": "slot_institution_code", "work_inst": "work_institution_code"}
    )[
        [
            "person_key",
            "slot_institution_code",
            "work_institution_code",
            "quota_type",
            "mixed_quota",
            "seconded",
        ]
    ]
    for df in (staffing, leadership, flags):
        df.insert(0, "batch_date", as_of)
    return staffing, leadership, flags


def reconcile(csv_dir: Path, out_dir: Path) -> dict[str, int]:
    """Every batch in the csv files → staffing / leadership / person_flags parquet files."""
    inst = read(csv_dir, "institutions")
    grants = read(csv_dir, "quota_grants")
    grants["amount"] = pd.to_numeric(grants["amount"])
    roster = read(csv_dir, "roster")
    parts: dict[str, list[pd.DataFrame]] = {"staffing": [], "leadership": [], "person_flags": []}
    for as_of, roster_d in roster.groupby("batch_date"):
        outputs = reconcile_batch(
            as_of,
            inst[inst["batch_date"] == as_of],
            grants[grants["batch_date"] == as_of],
            roster_d,
        )
        for name, df in zip(parts, outputs, strict=True):
            parts[name].append(df)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, frames in parts.items():
        result = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        result.to_parquet(out_dir / f"{name}.parquet", index=False)
        counts[name] = len(result)
    return counts
