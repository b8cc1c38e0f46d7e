"""The county in memory: a small independent reconciliation of a few rules on the typed data
shows that exactly the planted cases fire and the bulk stays clean (no accidental findings)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import numpy as np
import pandas as pd

import demo
from demo.idnum import retirement_date

ADDS, SUBS = {"核增", "划入"}, {"核减", "划出", "收回"}


def resolver(built: demo.Built):
    inst = built.institutions
    exact = dict(zip(inst["name"], inst["institution_code"], strict=True))
    alias = {a: i.code for i in built.county.insts for a in i.aliases}
    folded = {n.replace(" ", ""): c for n, c in {**exact, **alias}.items()}

    def resolve(code: str, name: str) -> str | None:
        if code in set(inst["institution_code"]):
            return code
        for table, key in (
            (exact, name),
            (alias, name),
            (folded, name.replace(" ", "").replace("\u3000", "")),
        ):
            if key in table:
                return table[key]
        return None

    return resolve


def ledger(built: demo.Built, k: int) -> dict[tuple[str, str, str], int]:
    """Ledger values as of batch k (rules: latest 核定, then adds/subtractions on or after)."""
    as_of = np.datetime64(built.dates[k], "D")
    g = built.grants(k)
    g = g[(g["_error"] == "") & (g["effective_on"].to_numpy().astype("datetime64[D]") <= as_of)]
    resolve = resolver(built)
    events: dict[tuple[str, str, str], list] = defaultdict(list)
    for row in g.itertuples():
        code = resolve(row.institution_code, row.institution_name)
        if code:
            events[(code, row.item, row.kind)].append(
                (np.datetime64(row.effective_on, "D"), row.change, int(row.amount))
            )
    out = {}
    for key, evs in events.items():
        sets = [e for e in evs if e[1] == "核定"]
        start = max(e[0] for e in sets) if sets else np.datetime64("1900-01-01")
        value = sum(e[2] for e in sets if e[0] == start)
        value += sum(e[2] for e in evs if e[1] in ADDS and e[0] >= start)
        value -= sum(e[2] for e in evs if e[1] in SUBS and e[0] >= start)
        out[key] = value
    return out


def expected(built: demo.Built, summary_like: dict, rule: str, k: int) -> set:
    d = built.dates[k].isoformat()
    return {
        (c.institution_code or c.township_code, c.category)
        for c in summary_like[rule]
        if d in c.batches
    }


def planted_cases(built: demo.Built) -> dict[str, list[demo.PlantedCase]]:
    out: dict[str, list[demo.PlantedCase]] = defaultdict(list)
    for c in built.planter.cases:
        out[c.rule].append(c)
    return out


def test_quota_and_leadership_findings_are_exactly_the_planted(built: demo.Built) -> None:
    cases = planted_cases(built)
    inst = built.institutions.set_index("institution_code")
    for k in range(len(built.dates)):
        r = built.rosters[k]
        r = r[r["_error"] == ""]
        values = ledger(built, k)
        occ = (
            r[(r["_slot"] != "") & (r["quota_type"] != "无")]
            .drop_duplicates(["id_number", "_slot", "quota_type"])
            .groupby(["_slot", "quota_type"])
            .size()
        )
        over = {(i, t) for (i, t), n in occ.items() if n > values.get((i, "编制", t), 0)}
        over |= {
            (i, t)
            for (i, item, t), v in values.items()
            if item == "编制" and occ.get((i, t), 0) > v
        }
        assert over == expected(built, cases, "OVERSTAFFED", k)
        vacant = {
            (i, t)
            for (i, item, t), v in values.items()
            if item == "编制" and v > occ.get((i, t), 0)
        }
        planted_vacant = expected(built, cases, "VACANT", k)
        assert planted_vacant <= vacant
        assert not vacant & {
            (c.institution_code, c.category)
            for c in built.planter.near
            if c.rule == "VACANT" and built.dates[k].isoformat() in c.batches
        }
        neg = {(i, t) for (i, item, t), v in values.items() if v < 0}
        assert not neg  # NEGATIVE_QUOTA is about intermediate values; ends are all >= 0
        lead = r[r["leadership"] != "无"].groupby(["_work", "leadership"]).size()
        over_lead = {
            (i, kd) for (i, kd), n in lead.items() if n > values.get((i, "领导职数", kd), 0)
        }
        assert over_lead == expected(built, cases, "OVER_LEADERSHIP", k)
        staff = r[r["quota_type"] != "无"].groupby("_work").size()
        leaders = r[r["leadership"] != "无"].groupby("_work").size()
        ratio_inst = {(i, "") for i, s in staff.items() if s >= 10 and leaders.get(i, 0) / s > 0.35}
        town = inst["township_code"]
        level = inst["level"]
        local = [i for i in staff.index if level.get(i) == "乡镇"]
        t_staff = pd.Series({i: staff[i] for i in local}).groupby(town).sum()
        t_lead = pd.Series({i: leaders.get(i, 0) for i in local}).groupby(town).sum()
        ratio_town = {(t, "") for t, s in t_staff.items() if t_lead[t] / s > 0.35}
        assert ratio_inst | ratio_town == expected(built, cases, "LEADER_RATIO", k)


def test_township_leadership_quota_and_institution_limits(built: demo.Built) -> None:
    for k in range(len(built.dates)):
        _township_checks(built, k)


def _township_checks(built: demo.Built, k: int) -> None:
    cases = planted_cases(built)
    values = ledger(built, k)
    inst = built.institutions
    towns = built.county.towns_frame().set_index("township_code")
    fired = set()
    for row in inst[(inst["category"] == "行政机关") & (inst["level"] == "乡镇")].itertuples():
        posts = values.get((row.institution_code, "领导职数", "正职"), 0) + values.get(
            (row.institution_code, "领导职数", "副职"), 0
        )
        t = towns.loc[row.township_code]
        large = t.population > 50_000 or t.area_km2 > 600
        if posts > (11 if large else 9):
            fired.add((row.institution_code, ""))
    assert fired == expected(built, cases, "TOWNSHIP_LEADERSHIP_QUOTA", k)
    d = pd.Timestamp(built.dates[k])
    active = inst[(pd.to_datetime(inst["established_on"]) <= d) & inst["revoked_on"].isna()]
    parent_level = dict(zip(inst["institution_code"], inst["level"], strict=True))
    offices = active[
        (active["category"] == "内设机构") & active["parent_code"].map(parent_level).eq("乡镇")
    ]
    units = active[
        active["category"].isin(["事业单位", "参公事业单位"]) & (active["level"] == "乡镇")
    ]
    limit = {(t, "内设机构") for t, n in offices.groupby("township_code").size().items() if n > 7}
    limit |= {(t, "事业单位") for t, n in units.groupby("township_code").size().items() if n > 5}
    assert limit == expected(built, cases, "INSTITUTION_LIMIT", k)


def test_bulk_is_clean(built: demo.Built) -> None:
    planted_ids = set(built.rosters[0].loc[built.rosters[0]["_origin"] == "planted", "id_number"])
    for k, d in enumerate(built.dates):
        r = built.rosters[k]
        bulk = r[r["_origin"] == "bulk"]
        assert bulk["id_number"].is_unique and not set(bulk["id_number"]) & planted_ids
        assert (bulk["work_code"] == "").sum() > 0.5 * len(bulk)
        sample = bulk.sample(min(300, len(bulk)), random_state=k)
        for row in sample.itertuples():
            worker = row.person_category == "工勤人员" or row.post_type == "工勤技能岗位"
            born = pd.Timestamp(row.birth_date).date()
            assert retirement_date(born, row.gender == "男", worker) > d
        # categories consistent with quota types and institutions
        inst = built.institutions.set_index("institution_code")["category"]
        cat = bulk["_slot"].map(inst)
        pairs = set(zip(cat, bulk["person_category"], bulk["quota_type"], strict=True))
        assert pairs <= {
            ("行政机关", "公务员", "行政编制"),
            ("行政机关", "公务员", "政法专项编制"),
            ("参公事业单位", "参公人员", "事业编制"),
            ("事业单位", "事业人员", "事业编制"),
            *((c, "工勤人员", "工勤编制") for c in ("行政机关", "参公事业单位", "事业单位")),
            *((c, "编外人员", "无") for c in ("行政机关", "参公事业单位", "事业单位")),
        }
        assert (bulk.loc[bulk["person_category"] == "工勤人员", "leadership"] == "无").all()
        assert not (bulk["status"] == "借调").any()


def test_later_batches_change_about_one_percent(built: demo.Built) -> None:
    for a, b in zip(built.rosters, built.rosters[1:], strict=False):
        before = set(zip(a["id_number"], a["_slot"], strict=True))
        after = set(zip(b["id_number"], b["_slot"], strict=True))
        changed = len(before ^ after) / 2
        assert 1 <= changed < 0.03 * len(a)  # leavers, hires, transfers: about 1 %


def test_people_is_the_first_roster_size() -> None:
    b = demo.build(seed=3, people=400, batches=1)
    assert len(b.rosters[0]) == 400
    assert date(2026, 8, 20) == b.dates[0]
