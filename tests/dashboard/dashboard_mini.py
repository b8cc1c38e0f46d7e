"""A small hand-built published warehouse with the tables of docs/interfaces.md.

Why it exists: the dashboard's tests must run in a second, without waiting for the real pipeline
(ingest + dbt + checks) to build the demo county, and they must be able to pin odd cases the demo
may never produce — a township over the leader-ratio threshold, a quarantined row whose `raw`
holds an identity number that must never reach the screen, an absent `audit.dq_results`. The
numbers below are small and internally consistent (township_summary = the sum of its
institutions), so a test can compare the screen with the marts by querying them independently.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

OLD = date(2026, 10, 20)
NEW = date(2026, 11, 20)

#: An identity number that sits only in `audit.quarantine.raw` (and in dq results' raw samples):
#: tests assert it never appears anywhere in the app.
SECRET_ID = "51162119850314001X"

T_NIUFO = "511621101000"
T_SHIPING = "511621102000"

DDL = """
create schema marts;
create schema audit;
create table marts.rule_catalog (rule_code varchar, name_zh varchar, severity varchar,
    grain varchar, description varchar);
create table marts.townships (as_of date, township_code varchar, township_name varchar,
    township_kind varchar, township_class varchar, population bigint, area_km2 double);
create table marts.institutions (as_of date, institution_code varchar, institution_name varchar,
    category varchar, public_class varchar, level varchar, township_code varchar,
    parent_code varchar, rank varchar, funding varchar, alias_names varchar,
    established_on date, revoked_on date, is_active boolean);
create table marts.staffing_reconciliation (as_of date, institution_code varchar,
    institution_name varchar, township_code varchar, quota_type varchar, authorized integer,
    occupied integer, vacancy integer, overstaffed_by integer);
create table marts.leadership_reconciliation (as_of date, institution_code varchar,
    institution_name varchar, township_code varchar, leadership_kind varchar,
    authorized integer, actual integer);
create table marts.township_summary (as_of date, township_code varchar, township_name varchar,
    quota_type varchar, authorized integer, occupied integer, vacancy integer,
    overstaffed_by integer);
create table marts.township_leadership (as_of date, township_code varchar,
    township_name varchar, leaders integer, staff integer, leader_ratio double);
create table marts.workforce_structure (as_of date, scope varchar, scope_code varchar,
    scope_name varchar, township_code varchar, headcount integer, staff integer,
    staff_admin integer, staff_public integer, staff_worker integer, staff_judicial integer,
    staff_none integer, leaders integer, leader_ratio double, age_under_30 integer,
    age_30_44 integer, age_45_plus integer, bachelor_plus integer, bachelor_plus_share double);
create table marts.quota_events (as_of date, institution_code varchar, institution_name varchar,
    item varchar, kind varchar, doc_no varchar, approved_on date, effective_on date,
    change varchar, amount integer, value_after integer, note varchar);
create table marts.findings (finding_id varchar, rule_code varchar, rule_name_zh varchar,
    severity varchar, institution_code varchar, institution_name varchar,
    township_code varchar, township_name varchar, category varchar, person_key varchar,
    person_name varchar, measured double, allowed double, detail_zh varchar,
    first_seen date, last_seen date, status varchar, open_days integer);
create table marts.findings_history (as_of date, finding_id varchar, rule_code varchar,
    rule_name_zh varchar, severity varchar, institution_code varchar,
    institution_name varchar, township_code varchar, township_name varchar,
    category varchar, person_key varchar, person_name varchar, measured double,
    allowed double, detail_zh varchar, first_seen date, last_seen date, status varchar,
    open_days integer);
create table audit.batches (batch_date date, loaded_at timestamp, landing_dir varchar);
create table audit.load_report (batch_date date, source varchar, file_name varchar,
    sheet varchar, rows_read integer, rows_loaded integer, rows_quarantined integer,
    rows_blank integer, rows_totals integer, carried_forward boolean,
    anomaly_accepted boolean, loaded_at timestamp, message varchar);
create table audit.quarantine (batch_date date, source varchar, file_name varchar,
    sheet varchar, row_number integer, reason varchar, raw varchar);
create table audit.run_log (run_id varchar, recorded_at timestamp, status varchar,
    batches varchar, message varchar);
"""

RULES = [
    ("OVERSTAFFED", "超编", "error", "institution × quota_type", "实有人数超过核定编制"),
    ("VACANT", "空编", "info", "institution × quota_type", "核定编制多于实有人数"),
    ("OVER_LEADERSHIP", "超职数配备", "error", "institution × leadership kind", "领导超职数"),
    ("SECONDED", "在编不在岗（人编分离）", "warn", "person", "工作单位与编制单位不一致"),
    ("LEADER_RATIO", "领导职务占比过高", "warn", "township or institution", "领导占比过高"),
]

#: (township_code, name, kind, class, population, area)
TOWNSHIPS = [
    (T_NIUFO, "牛佛镇", "镇", "一类", 52000, 180.5),
    (T_SHIPING, "石坪乡", "乡", "三类", 8000, 95.0),
]

#: (code, name, category, public_class, level, township, parent, rank, funding)
INSTITUTIONS = [
    ("N01", "牛佛镇人民政府", "行政机关", None, "乡镇", T_NIUFO, None, "正科级", "财政全额"),
    (
        "N02",
        "牛佛镇农业综合服务中心",
        "事业单位",
        "公益一类",
        "乡镇",
        T_NIUFO,
        None,
        "股级",
        "财政全额",
    ),
    ("N03", "牛佛镇党政办公室", "内设机构", None, "乡镇", T_NIUFO, "N01", "股级", None),
    ("S01", "石坪乡人民政府", "行政机关", None, "乡镇", T_SHIPING, None, "正科级", "财政全额"),
    ("C01", "县财政局", "行政机关", None, "县直", None, None, "正科级", "财政全额"),
]

#: as_of -> [(institution, quota_type, authorized, occupied)]
STAFFING = {
    OLD: [
        ("N01", "行政编制", 24, 25),
        ("N02", "事业编制", 12, 10),
        ("S01", "行政编制", 15, 12),
        ("C01", "行政编制", 20, 20),
        ("C01", "工勤编制", 2, 1),
    ],
    NEW: [
        ("N01", "行政编制", 24, 27),
        ("N01", "工勤编制", 1, 1),
        ("N02", "事业编制", 12, 9),
        ("S01", "行政编制", 15, 13),
        ("S01", "事业编制", 0, 2),
        ("C01", "行政编制", 20, 18),
        ("C01", "工勤编制", 2, 3),
    ],
}

#: as_of -> [(institution, kind, authorized, actual)]
LEADERSHIP = {
    OLD: [("N01", "正职", 2, 2), ("N01", "副职", 7, 8), ("S01", "正职", 2, 2)],
    NEW: [
        ("N01", "正职", 2, 2),
        ("N01", "副职", 7, 9),
        ("N01", "内设机构正职", 3, 3),
        ("N02", "正职", 1, 1),
        ("S01", "正职", 2, 2),
        ("S01", "副职", 6, 4),
        ("C01", "正职", 1, 1),
    ],
}

#: as_of -> {township: (leaders, staff)}
TOWNSHIP_LEADERS = {
    OLD: {T_NIUFO: (10, 35), T_SHIPING: (2, 12)},
    NEW: {T_NIUFO: (15, 37), T_SHIPING: (4, 15)},
}

#: as_of -> [(scope, code, name, township, headcount, staff, admin, public, worker, judicial,
#:            none, leaders, under30, 30-44, 45+, bachelor+)]
WORKFORCE = {
    OLD: [
        ("county", "511621", "全县", None, 72, 68, 57, 10, 1, 0, 4, 14, 10, 30, 32, 40),
        ("township", T_NIUFO, "牛佛镇", T_NIUFO, 37, 35, 25, 10, 0, 0, 2, 10, 5, 14, 18, 20),
        ("township", T_SHIPING, "石坪乡", T_SHIPING, 12, 12, 12, 0, 0, 0, 0, 2, 2, 5, 5, 6),
    ],
    NEW: [
        ("county", "511621", "全县", None, 77, 73, 58, 11, 4, 0, 4, 21, 12, 31, 34, 45),
        ("township", T_NIUFO, "牛佛镇", T_NIUFO, 40, 37, 28, 9, 0, 0, 3, 15, 6, 15, 19, 23),
        ("township", T_SHIPING, "石坪乡", T_SHIPING, 15, 15, 13, 2, 0, 0, 0, 4, 3, 6, 6, 9),
        (
            "institution",
            "N01",
            "牛佛镇人民政府",
            T_NIUFO,
            29,
            28,
            27,
            0,
            1,
            0,
            1,
            14,
            4,
            11,
            14,
            18,
        ),
    ],
}

#: (institution, item, kind, doc_no, approved, effective, change, amount, value_after, note)
QUOTA_EVENTS = [
    (
        "N01",
        "编制",
        "行政编制",
        "县编发〔2020〕3号",
        date(2020, 1, 5),
        date(2020, 1, 10),
        "核定",
        22,
        22,
        "三定",
    ),
    (
        "N01",
        "编制",
        "行政编制",
        "县编发〔2023〕12号",
        date(2023, 6, 1),
        date(2023, 7, 1),
        "核增",
        3,
        25,
        None,
    ),
    (
        "N01",
        "编制",
        "行政编制",
        "县编发〔2024〕8号",
        date(2024, 3, 1),
        date(2024, 4, 1),
        "核减",
        1,
        24,
        "精简",
    ),
    (
        "N01",
        "编制",
        "工勤编制",
        "县编发〔2026〕30号",
        date(2026, 10, 25),
        date(2026, 11, 1),
        "核定",
        1,
        1,
        None,
    ),
    (
        "N01",
        "领导职数",
        "副职",
        "县编发〔2020〕3号",
        date(2020, 1, 5),
        date(2020, 1, 10),
        "核定",
        7,
        7,
        None,
    ),
    (
        "S01",
        "编制",
        "行政编制",
        "县编发〔2020〕4号",
        date(2020, 1, 5),
        date(2020, 1, 10),
        "核定",
        15,
        15,
        None,
    ),
]

#: (rule, severity, institution, township, category, person_key, person_name, measured,
#:  allowed, detail, first_seen, last_seen, status)
FINDINGS = [
    (
        "OVERSTAFFED",
        "error",
        "N01",
        T_NIUFO,
        "行政编制",
        None,
        None,
        27,
        24,
        "牛佛镇人民政府 行政编制 核定24名，实有27名，超编3名",
        OLD,
        NEW,
        "open",
    ),
    (
        "VACANT",
        "info",
        "N02",
        T_NIUFO,
        "事业编制",
        None,
        None,
        9,
        12,
        "牛佛镇农业综合服务中心 事业编制 核定12名，实有9名，空编3名",
        OLD,
        NEW,
        "open",
    ),
    (
        "OVER_LEADERSHIP",
        "error",
        "N01",
        T_NIUFO,
        "副职",
        None,
        None,
        9,
        7,
        "牛佛镇人民政府 副职 核定7名，实配9名，超配2名",
        OLD,
        NEW,
        "open",
    ),
    (
        "SECONDED",
        "warn",
        "N02",
        T_NIUFO,
        "",
        "a1b2c3d4e5f60718",
        "张三",
        None,
        None,
        "张三 编制在牛佛镇农业综合服务中心，在牛佛镇人民政府工作",
        NEW,
        NEW,
        "open",
    ),
    (
        "SECONDED",
        "warn",
        "S01",
        T_SHIPING,
        "",
        "0f1e2d3c4b5a6978",
        "李四",
        None,
        None,
        "李四 编制在石坪乡人民政府，借调县财政局",
        OLD,
        OLD,
        "resolved",
    ),
    (
        "VACANT",
        "info",
        "S01",
        T_SHIPING,
        "行政编制",
        None,
        None,
        13,
        15,
        "石坪乡人民政府 行政编制 核定15名，实有13名，空编2名",
        OLD,
        NEW,
        "open",
    ),
    (
        "OVERSTAFFED",
        "error",
        "S01",
        T_SHIPING,
        "事业编制",
        None,
        None,
        2,
        0,
        "石坪乡人民政府 事业编制 核定0名，实有2名，超编2名",
        NEW,
        NEW,
        "open",
    ),
    (
        "OVERSTAFFED",
        "error",
        "C01",
        None,
        "工勤编制",
        None,
        None,
        3,
        2,
        "县财政局 工勤编制 核定2名，实有3名，超编1名",
        NEW,
        NEW,
        "open",
    ),
    (
        "LEADER_RATIO",
        "warn",
        None,
        T_NIUFO,
        "",
        None,
        None,
        0.405,
        0.35,
        "牛佛镇 领导职务15名，在编37名，占比40.5%，超过35%",
        NEW,
        NEW,
        "open",
    ),
    (
        "OVERSTAFFED",
        "error",
        "N01",
        T_NIUFO,
        "工勤编制",
        None,
        None,
        1,
        0,
        "牛佛镇人民政府 工勤编制 核定0名，实有1名，超编1名",
        OLD,
        OLD,
        "resolved",
    ),
]

#: (batch_date, source, file_name, sheet, read, loaded, quarantined, blank, totals, carried,
#:  accepted, message)
LOAD_REPORT = [
    (OLD, "townships", "乡镇.xlsx", "乡镇", 2, 2, 0, 0, 0, False, False, None),
    (OLD, "institutions", "机构名录.xlsx", "机构", 6, 5, 1, 0, 0, False, False, None),
    (OLD, "quota_grants", "编制核定.csv", None, 7, 6, 1, 0, 0, False, False, None),
    (OLD, "roster", "人员花名册.xlsx", "花名册", 76, 72, 2, 1, 1, False, False, None),
    (NEW, "townships", "乡镇.xlsx", None, 0, 0, 0, 0, 0, True, False, "沿用2026-10-20批次"),
    (NEW, "institutions", "机构名录.xlsx", None, 0, 0, 0, 0, 0, True, False, "沿用2026-10-20批次"),
    (NEW, "quota_grants", "编制核定.csv", None, 8, 8, 0, 0, 0, False, False, None),
    (NEW, "roster", "人员花名册.csv", None, 81, 77, 3, 0, 1, False, False, None),
]

#: (batch_date, source, file_name, sheet, row_number, reason)
QUARANTINE = [
    (OLD, "institutions", "机构名录.xlsx", "机构", 9, "机构类别不在取值范围: 事业"),
    (OLD, "quota_grants", "编制核定.csv", None, 5, "数量不是整数: 三"),
    (OLD, "roster", "人员花名册.xlsx", "花名册", 14, "出生日期无法识别: 1985年13月"),
    (OLD, "roster", "人员花名册.xlsx", "花名册", 30, "编制类型不在取值范围: 行政"),
    (NEW, "roster", "人员花名册.csv", None, 4, "出生日期无法识别: 19850230"),
    (NEW, "roster", "人员花名册.csv", None, 12, "编制类型不在取值范围: 行政"),
    (NEW, "roster", "人员花名册.csv", None, 40, f"身份证号与姓名均为空 ({SECRET_ID})"),
]


#: (run_id, batch_date, checked_at, expectation, column, severity, success, observed_value,
#:  unexpected_count, expectation_type) — the newest run has a failure whose observed value
#:  quotes an identity number.
DQ_RESULTS = [
    (
        "run-old",
        OLD,
        datetime(2026, 10, 21, 2, 5),
        "person_key_not_null",
        "person_key",
        "blocking",
        True,
        "0",
        0,
        "expect_column_values_to_not_be_null",
    ),
    (
        "run-new",
        NEW,
        datetime(2026, 11, 21, 2, 5),
        "person_key_not_null",
        "person_key",
        "blocking",
        True,
        "0",
        0,
        "expect_column_values_to_not_be_null",
    ),
    (
        "run-new",
        NEW,
        datetime(2026, 11, 21, 2, 5),
        "id_valid",
        "id_valid",
        "warn",
        False,
        f"['{SECRET_ID}']",
        2,
        "expect_column_values_to_be_in_set",
    ),
]


def build_mini_warehouse(path: Path, *, dq_results: bool = True) -> Path:
    """Write the mini warehouse to `path` (replacing it) and return the path."""
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute(DDL)
        con.executemany("insert into marts.rule_catalog values (?, ?, ?, ?, ?)", RULES)
        names = {code: name for code, name, *_ in TOWNSHIPS}
        inst = {row[0]: row for row in INSTITUTIONS}
        for as_of in (OLD, NEW):
            _insert_batch(con, as_of, names, inst)
        _insert_findings(con, names, inst)
        con.executemany(
            "insert into audit.load_report values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "timestamp '2026-11-21 02:05:00', ?)",
            LOAD_REPORT,
        )
        con.executemany(
            "insert into audit.quarantine values (?, ?, ?, ?, ?, ?, ?)",
            [(*row, f'{{"身份证号": "{SECRET_ID}", "姓名": "王五"}}') for row in QUARANTINE],
        )
        con.execute(
            "insert into audit.batches values (?, timestamp '2026-10-21 02:03:00', 'landing'),"
            " (?, timestamp '2026-11-21 02:04:00', 'landing')",
            [OLD, NEW],
        )
        con.execute(
            "insert into audit.run_log values "
            "('r1', timestamp '2026-10-21 02:06:00', 'published', '2026-10-20', ''),"
            "('r2', timestamp '2026-11-20 02:06:00', 'blocked', '2026-11-20', "
            "'花名册行数变化超过20%'),"
            "('r3', timestamp '2026-11-21 02:06:00', 'published', '2026-11-20', '')"
        )
        if dq_results:
            # The columns of expectations/runner.py's DQ_RESULTS_DDL.
            con.execute(
                "create table audit.dq_results (run_id varchar, batch_date date, suite varchar, "
                'expectation varchar, "column" varchar, severity varchar, success boolean, '
                "observed_value varchar, element_count bigint, unexpected_count bigint, "
                "checked_at timestamp, target varchar, expectation_type varchar, kind varchar)"
            )
            con.executemany(
                "insert into audit.dq_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        run,
                        batch,
                        "roster",
                        name,
                        column,
                        sev,
                        ok,
                        observed,
                        80,
                        bad,
                        at,
                        "raw.roster",
                        gx,
                        "completeness",
                    )
                    for run, batch, at, name, column, sev, ok, observed, bad, gx in DQ_RESULTS
                ],
            )
    finally:
        con.close()
    return path


def _insert_batch(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    names: dict[str, str],
    inst: dict[str, tuple],
) -> None:
    """One batch's rows of every per-batch mart, derived from the tables above."""
    con.executemany(
        "insert into marts.townships values (?, ?, ?, ?, ?, ?, ?)",
        [(as_of, *row) for row in TOWNSHIPS],
    )
    con.executemany(
        "insert into marts.institutions values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, "
        "date '2019-01-01', null, true)",
        [(as_of, *row) for row in INSTITUTIONS],
    )
    staffing = [
        (
            as_of,
            code,
            inst[code][1],
            inst[code][5],
            kind,
            auth,
            occ,
            max(auth - occ, 0),
            max(occ - auth, 0),
        )
        for code, kind, auth, occ in STAFFING[as_of]
    ]
    con.executemany(
        "insert into marts.staffing_reconciliation values (?, ?, ?, ?, ?, ?, ?, ?, ?)", staffing
    )
    con.execute(
        "insert into marts.township_summary select as_of, township_code, t.township_name, "
        "quota_type, sum(authorized), sum(occupied), sum(vacancy), sum(overstaffed_by) "
        "from marts.staffing_reconciliation s join marts.townships t using (as_of, township_code) "
        "where as_of = ? group by all",
        [as_of],
    )
    con.executemany(
        "insert into marts.leadership_reconciliation values (?, ?, ?, ?, ?, ?, ?)",
        [
            (as_of, code, inst[code][1], inst[code][5], kind, auth, actual)
            for code, kind, auth, actual in LEADERSHIP[as_of]
        ],
    )
    con.executemany(
        "insert into marts.township_leadership values (?, ?, ?, ?, ?, ?)",
        [
            (as_of, code, names[code], leaders, staff, leaders / staff if staff else None)
            for code, (leaders, staff) in TOWNSHIP_LEADERS[as_of].items()
        ],
    )
    con.executemany(
        "insert into marts.workforce_structure values "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (as_of, *row[:12], row[11] / row[5], *row[12:], row[15] / row[4])
            for row in WORKFORCE[as_of]
        ],
    )
    con.executemany(
        "insert into marts.quota_events values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(as_of, code, inst[code][1], *rest) for code, *rest in QUOTA_EVENTS if rest[4] <= as_of],
    )


def _insert_findings(
    con: duckdb.DuckDBPyConnection, names: dict[str, str], inst: dict[str, tuple]
) -> None:
    """marts.findings (one row per identity) and its per-batch history."""
    rule_names = {code: name for code, name, *_ in RULES}
    for i, (
        rule,
        sev,
        code,
        town,
        cat,
        key,
        pname,
        meas,
        allow,
        detail,
        first,
        last,
        status,
    ) in enumerate(FINDINGS):
        row = (
            f"f{i:03d}",
            rule,
            rule_names[rule],
            sev,
            code,
            inst[code][1] if code else None,
            town,
            names.get(town) if town else None,
            cat,
            key,
            pname,
            meas,
            allow,
            detail,
            first,
            last,
            status,
            (NEW - first).days if status == "open" else None,
        )
        con.execute(
            "insert into marts.findings values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?)",
            row,
        )
        for as_of in (OLD, NEW):
            if first <= as_of <= last:
                con.execute(
                    "insert into marts.findings_history values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    "?, ?, ?, ?, ?, ?, ?, ?)",
                    (as_of, *row[:15], as_of, "open", (as_of - first).days),
                )
