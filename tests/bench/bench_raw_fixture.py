"""Raw-table csv inputs for the reconciliation engines, without ingest or the generator.

Why: raw (DuckDB) and pandas must compute the same numbers by the contract's rules whether or
not the rest of the pipeline runs. A hand-built county with answers worked out by hand pins the
rules; a random county with every awkward case (names, aliases, 内设机构, revoked units, missing
identity numbers, future and pre-reset grants) shakes out differences between the two engines.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pandas as pd

from bench.schema import RAW_COLUMNS, csv_path

D1, D2 = "2026-11-20", "2026-11-21"

INSTITUTIONS = [
    # code, name, category, parent, aliases, revoked_on, established_on
    ("A001", "甲镇人民政府", "行政机关", None, "甲镇党委、甲镇 政府", None, None),
    ("A002", "甲镇党政办公室", "内设机构", "A001", None, None, "2000-01-01"),
    ("B001", "甲镇农业服务中心", "事业单位", None, "甲镇农技站；新中心", None, None),
    ("C001", "县档案馆", "参公事业单位", None, None, None, None),
    ("R001", "旧站", "事业单位", None, None, "2025-01-01", None),
    ("Z009", "旧站", "事业单位", None, None, None, None),
    ("N001", "新中心", "事业单位", None, None, None, "2027-01-01"),
]

GRANTS = [
    # code, name, item, kind, change, amount, effective_on
    ("A001", None, "编制", "行政编制", "核定", 10, "2020-01-01"),
    ("A001", None, "编制", "行政编制", "核增", 2, "2021-01-01"),
    ("A001", None, "编制", "行政编制", "核定", 8, "2022-01-01"),
    ("A001", None, "编制", "行政编制", "核减", 1, "2022-01-01"),
    ("A001", None, "编制", "行政编制", "核增", 3, "2019-01-01"),
    ("A001", None, "编制", "行政编制", "核增", 5, "2027-01-01"),
    ("A001", None, "编制", "行政编制", "核增", 1, D2),
    ("A001", None, "领导职数", "正职", "核定", 1, "2020-01-01"),
    ("A001", None, "领导职数", "副职", "核定", 2, "2020-01-01"),
    (None, "甲镇农技站", "编制", "事业编制", "核增", 3, "2020-01-01"),
    (None, "甲镇农技站", "编制", "事业编制", "划出", 1, "2021-06-01"),
    ("C001", None, "编制", "事业编制", "核定", 4, "2020-01-01"),
    ("A002", None, "编制", "行政编制", "核增", 1, "2023-01-01"),  # counts at the parent
    (None, "不存在单位", "编制", "行政编制", "核定", 9, "2020-01-01"),
]

ROSTER = [
    # key, id, quota_type, slot_code, slot_name, work_code, work_name, leadership, status
    ("k1", "id1", "行政编制", "A001", None, None, None, "正职", "在岗"),
    ("k2", "id2", "行政编制", None, "甲镇 政府", None, "甲镇党政办公室", "副职", "在岗"),
    ("k2", "id2", "行政编制", "A001", None, None, None, "无", "在岗"),
    ("k3", "id3", "行政编制", "B001", None, "A001", None, "无", "在岗"),
    ("k4", "id4", "事业编制", None, "甲镇党政办公室", None, None, "无", "在岗"),
    ("k5", "id5", "事业编制", None, "旧站", None, None, None, "借调"),
    (None, None, "事业编制", "C001", None, None, None, "无", "在岗"),
    (None, None, "事业编制", "C001", None, None, None, "无", "在岗"),
    ("k6", "id6", "行政编制", None, "未知单位", None, None, "无", "在岗"),
    ("k7", "id7", "无", "X999", "县档案馆", None, None, "无", "在岗"),
    ("k8", "id8", "工勤编制", "C001", None, None, None, "无", "在岗"),
    ("k9", "id9", "事业编制", None, "新中心", None, None, "无", "在岗"),
    ("k10", "id10", "事业编制", None, "县档案馆", None, "Ｃ００１以外", "无", "在岗"),
    ("k11", "id11", "事业编制", None, "县 档案馆", None, None, "无", "在岗"),
]

#: Expected outputs for batch D1, worked out by hand from the rules (see the test).
EXPECTED_STAFFING_D1 = {
    ("A001", "行政编制"): (8, 2),  # 核定 8 (2022) − 1 same day + 1 via 内设机构; others ignored
    ("A001", "事业编制"): (0, 1),  # k4 through the 内设机构
    ("B001", "事业编制"): (2, 0),  # by alias, no 核定: 3 − 1
    ("B001", "行政编制"): (0, 1),
    ("Z009", "事业编制"): (0, 1),  # the active 旧站, not the revoked one
    ("C001", "事业编制"): (4, 4),  # two rows without identity number, k10, k11 (folded)
    ("N001", "事业编制"): (0, 1),  # exact name (not yet established) before an alias
    ("C001", "工勤编制"): (0, 1),
}
EXPECTED_LEADERSHIP_D1 = {("A001", "正职"): (1, 1), ("A001", "副职"): (2, 1)}
EXPECTED_FLAGS_D1 = {
    ("k3", "B001", "A001", True, True),
    ("k4", "A001", "A001", True, False),
    ("k5", "Z009", "Z009", False, True),
}


def write_tables(csv_dir: Path, tables: dict[str, list[dict[str, Any]]]) -> Path:
    """Write rows (dicts; missing columns blank) as the csv files bench.rawdata describes."""
    csv_dir.mkdir(parents=True, exist_ok=True)
    for table, cols in RAW_COLUMNS.items():
        df = pd.DataFrame(tables.get(table, []), columns=list(cols))
        df.to_csv(csv_path(csv_dir, table), index=False)
    return csv_dir


def hand_built(csv_dir: Path) -> Path:
    """The hand-built county for batches D1 and D2 (D2: same sources, one more grant counts)."""
    tables: dict[str, list[dict[str, Any]]] = {"institutions": [], "quota_grants": [], "roster": []}
    for batch in (D1, D2):
        for code, name, cat, parent, aliases, revoked, established in INSTITUTIONS:
            tables["institutions"].append(
                {
                    "batch_date": batch,
                    "institution_code": code,
                    "name": name,
                    "category": cat,
                    "parent_code": parent,
                    "alias_names": aliases,
                    "revoked_on": revoked,
                    "established_on": established,
                }
            )
        for code, name, item, kind, change, amount, eff in GRANTS:
            tables["quota_grants"].append(
                {
                    "batch_date": batch,
                    "institution_code": code,
                    "institution_name": name,
                    "item": item,
                    "kind": kind,
                    "change": change,
                    "amount": amount,
                    "effective_on": eff,
                    "doc_no": "县编发〔2020〕1号",
                }
            )
        for key, idn, qt, sc, sn, wc, wn, lead, status in ROSTER:
            tables["roster"].append(
                {
                    "batch_date": batch,
                    "person_key": key,
                    "id_number": idn,
                    "quota_type": qt,
                    "slot_code": sc,
                    "slot_name": sn,
                    "work_code": wc,
                    "work_name": wn,
                    "leadership": lead,
                    "status": status,
                    "name": "某人",
                }
            )
    return write_tables(csv_dir, tables)


def random_county(csv_dir: Path, seed: int, people: int = 3000, batches: int = 2) -> Path:
    """A random county full of the awkward cases; the engines must agree on it exactly."""
    rng = random.Random(seed)
    categories = ["行政机关", "事业单位", "参公事业单位", "内设机构"]
    quota_types = ["行政编制", "事业编制", "工勤编制", "政法专项编制", "无", None]
    kinds = {"编制": quota_types[:4], "领导职数": ["正职", "副职", "内设机构正职", "内设机构副职"]}
    changes = ["核定", "核定", "核增", "划入", "核减", "划出", "收回"]
    n_inst = max(10, people // 25)
    tables: dict[str, list[dict[str, Any]]] = {"institutions": [], "quota_grants": [], "roster": []}
    dates = ["2026-11-20", "2026-11-27", "2026-12-04"][:batches]
    for batch in dates:
        codes, names = [], []
        for i in range(n_inst):
            code = f"I{i:05d}"
            cat = rng.choice(categories) if i > 3 else "行政机关"
            name = f"单位{i % (n_inst - 3)}"  # a few duplicate names
            if rng.random() < 0.05:
                name = name[:2] + " " + name[2:]
            aliases = None
            if rng.random() < 0.2:
                aliases = rng.choice(["、", "；", ";", ",", "，"]).join(
                    f"牌子{rng.randrange(n_inst)}" for _ in range(rng.randint(1, 3))
                )
            revoked = rng.choice([None] * 8 + ["2024-05-01", "2026-12-01"])
            established = rng.choice([None] * 6 + ["1990-01-01", "2026-11-25", "2030-01-01"])
            if rng.random() < 0.03:
                name = name.replace("单位", "单位\u3000")
            parent = f"I{rng.randrange(4):05d}" if cat == "内设机构" else None
            tables["institutions"].append(
                {
                    "batch_date": batch,
                    "institution_code": code,
                    "name": name,
                    "category": cat,
                    "parent_code": parent,
                    "alias_names": aliases,
                    "revoked_on": revoked,
                    "established_on": established,
                }
            )
            codes.append(code)
            names.append(name)
        refs = names + [f"牌子{i}" for i in range(0, n_inst, 3)] + ["无此单位", "单位 1", "单位１"]
        for _ in range(n_inst * 4):
            item = rng.choice(list(kinds))
            by_code = rng.random() < 0.7
            tables["quota_grants"].append(
                {
                    "batch_date": batch,
                    "institution_code": rng.choice(codes + ["BAD01"]) if by_code else None,
                    "institution_name": None if by_code else rng.choice(refs),
                    "item": item,
                    "kind": rng.choice(kinds[item]),
                    "change": rng.choice(changes),
                    "amount": rng.randint(0, 12),
                    "effective_on": f"{rng.randint(2015, 2027)}-{rng.randint(1, 12):02d}-01",
                    "doc_no": "县编发〔2020〕1号",
                }
            )
        for p in range(people):
            pid = rng.randrange(int(people * 0.97))
            has_id = rng.random() > 0.02
            slot_by_code = rng.random() < 0.6
            work = rng.random()
            tables["roster"].append(
                {
                    "batch_date": batch,
                    "person_key": f"k{pid}" if has_id else None,
                    "id_number": f"ID{pid}" if has_id else None,
                    "quota_type": rng.choice(quota_types),
                    "slot_code": rng.choice(codes + ["BAD99"]) if slot_by_code else None,
                    "slot_name": None if slot_by_code else rng.choice(refs),
                    "work_code": rng.choice(codes) if work < 0.1 else None,
                    "work_name": rng.choice(refs) if 0.1 <= work < 0.2 else None,
                    "leadership": rng.choice(["无"] * 6 + [None] + kinds["领导职数"]),
                    "status": rng.choice(["在岗"] * 8 + ["借调", "病休", None]),
                    "name": f"人{p}",
                }
            )
    return write_tables(csv_dir, tables)
