"""A small hand-built warehouse with the tables of docs/interfaces.md, for unit tests.

Why hand-built: the exports only read published tables, so their logic can be pinned against a
county small enough to know every number by heart — three batches, two townships, nine people —
independent of the ingest and dbt parts. Shapes that matter to the exports are deliberate:
a finding that returns after being resolved (SECONDED of 赵六: held 09-20, gone 10-20, back
11-20), findings that resolve (MIXED_QUOTA, LEADER_RATIO), findings that appear (OVER_AGE,
INVALID_ID, DUPLICATE_SLOT — one finding per slot unit, both with the same sentence), an
Excel-damaged identity number, and a quarantine reason that quotes a number.
`findings_history` keeps resolved findings as rows with status 'resolved' too, so the exports
must select on status, not on presence.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

B0, B1, B2 = date(2026, 9, 20), date(2026, 10, 20), date(2026, 11, 20)
BATCHES = (B0, B1, B2)
KEY = b"test-pii-key"
NIUFO, XIANSHI = "320102001", "320102002"
QUARANTINED_ID = "320102199001010011"
DUPLICATE_DETAIL = (
    "孙八 同一身份证号在2处占用编制：县委办公室行政编制、牛佛镇农业综合服务中心事业编制"
)

TOWNSHIPS = [
    (NIUFO, "牛佛镇", "镇", "一类", 52000, 180.5),
    (XIANSHI, "仙市镇", "镇", "二类", 30000, 95.0),
]

# code, name, category, level, township, parent, rank
INSTITUTIONS = [
    ("C001", "县委办公室", "行政机关", "县直", None, None, "正科级"),
    ("N001", "牛佛镇人民政府", "行政机关", "乡镇", NIUFO, None, "正科级"),
    ("N001A", "牛佛镇党政办公室", "内设机构", "乡镇", NIUFO, "N001", "股级"),
    ("N002", "牛佛镇农业综合服务中心", "事业单位", "乡镇", NIUFO, None, "股级"),
    ("X001", "仙市镇人民政府", "行政机关", "乡镇", XIANSHI, None, "正科级"),
]
INST = {i[0]: i for i in INSTITUTIONS}


def check_digit(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return "10X98765432"[total % 11]


def id_number(birth: date, seq: str) -> str:
    body = f"320102{birth:%Y%m%d}{seq}"
    return body + check_digit(body)


def person_key(number: str) -> str:
    return hmac.new(KEY, number.encode(), hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class Person:
    name: str
    gender: str
    birth: date
    category: str
    quota: str
    slot: str
    work: str
    title: str
    leadership: str
    grade: str
    education: str
    batches: tuple[date, ...]
    number: str = ""

    @property
    def id(self) -> str:
        return self.number or id_number(self.birth, "00" + ("1" if self.gender == "男" else "2"))

    @property
    def key(self) -> str:
        return person_key(self.id)


ALL, LATER = BATCHES, (B2,)
PEOPLE = [
    Person(
        "张三",
        "男",
        date(1980, 3, 7),
        "公务员",
        "行政编制",
        "N001",
        "N001A",
        "党政办主任",
        "内设机构正职",
        "股级",
        "大学本科",
        ALL,
    ),
    Person(
        "李四",
        "女",
        date(1990, 6, 15),
        "公务员",
        "行政编制",
        "N001",
        "N001",
        "副镇长",
        "副职",
        "副科级",
        "研究生",
        ALL,
    ),
    Person(
        "王五",
        "男",
        date(1962, 1, 10),
        "事业人员",
        "事业编制",
        "N002",
        "N002",
        "站长",
        "无",
        "无",
        "中专",
        LATER,
    ),
    Person(
        "赵六",
        "男",
        date(1985, 11, 30),
        "公务员",
        "行政编制",
        "N001",
        "C001",
        "科员",
        "无",
        "无",
        "大学本科",
        ALL,
    ),
    Person(
        "钱七",
        "女",
        date(1995, 2, 2),
        "公务员",
        "行政编制",
        "X001",
        "X001",
        "镇长",
        "正职",
        "正科级",
        "大学本科",
        ALL,
    ),
    Person(
        "孙八",
        "男",
        date(1978, 8, 8),
        "公务员",
        "行政编制",
        "C001",
        "C001",
        "主任",
        "正职",
        "正科级",
        "研究生",
        ALL,
    ),
    Person(
        "周九",
        "男",
        date(1985, 3, 1),
        "事业人员",
        "事业编制",
        "N002",
        "N002",
        "技术员",
        "无",
        "无",
        "大学专科",
        LATER,
        number="320102198503000000",
    ),
    Person(
        "吴十",
        "女",
        date(1992, 9, 9),
        "工勤人员",
        "工勤编制",
        "N001",
        "N001",
        "驾驶员",
        "无",
        "无",
        "高中及以下",
        ALL,
    ),
    Person(
        "郑十一",
        "男",
        date(1988, 4, 4),
        "事业人员",
        "行政编制",
        "N001",
        "N001",
        "科员",
        "无",
        "无",
        "大学本科",
        (B0, B1),
    ),
]
BY_NAME = {p.name: p for p in PEOPLE}

# (as_of, institution, quota_type, authorized, occupied)
STAFFING = [(b, "C001", "行政编制", 10, 1) for b in BATCHES] + [
    (B0, "N001", "行政编制", 2, 4),
    (B1, "N001", "行政编制", 2, 4),
    (B2, "N001", "行政编制", 2, 3),
    (B0, "N001", "工勤编制", 1, 1),
    (B1, "N001", "工勤编制", 1, 1),
    (B2, "N001", "工勤编制", 1, 1),
    (B0, "N002", "事业编制", 3, 0),
    (B1, "N002", "事业编制", 3, 0),
    (B2, "N002", "事业编制", 3, 2),
    (B0, "X001", "行政编制", 5, 1),
    (B1, "X001", "行政编制", 5, 1),
    (B2, "X001", "行政编制", 5, 1),
]

# (as_of, institution, kind, authorized, actual)
LEADERSHIP = [
    (b, code, kind, auth, act)
    for b in BATCHES
    for code, kind, auth, act in [
        ("C001", "正职", 1, 1),
        ("N001", "正职", 1, 0),
        ("N001", "副职", 1, 1),
        ("N001", "内设机构正职", 1, 1),
        ("X001", "正职", 1, 1),
    ]
]

RULES = [
    ("OVERSTAFFED", "超编", "error"),
    ("VACANT", "空编", "info"),
    ("SECONDED", "在编不在岗（人编分离）", "warn"),
    ("OVER_AGE", "超过法定退休年龄仍在编", "error"),
    ("INVALID_ID", "身份证号无效", "error"),
    ("DUPLICATE_SLOT", "一人多编", "error"),
    ("MIXED_QUOTA", "混编", "error"),
    ("LEADER_RATIO", "领导职务占比过高", "warn"),
]
RULE = {r[0]: r for r in RULES}


@dataclass(frozen=True)
class Finding:
    rule: str
    institution: str | None
    township: str | None
    category: str
    person: str | None
    held: dict[date, tuple[float, float, str]]  # batch → measured, allowed, detail_zh

    @property
    def finding_id(self) -> str:
        key = self.person and BY_NAME[self.person].key
        ident = "|".join(
            [self.rule, self.township or "", self.institution or "", self.category, key or ""]
        )
        return hashlib.md5(ident.encode()).hexdigest()


def _d(inst: str, text: str) -> str:
    return f"{INST[inst][1]} {text}"


FINDINGS = [
    Finding(
        "OVERSTAFFED",
        "N001",
        NIUFO,
        "行政编制",
        None,
        {
            B0: (4, 2, _d("N001", "行政编制 核定2名，实有4名，超编2名")),
            B1: (4, 2, _d("N001", "行政编制 核定2名，实有4名，超编2名")),
            B2: (3, 2, _d("N001", "行政编制 核定2名，实有3名，超编1名")),
        },
    ),
    Finding(
        "VACANT",
        "N002",
        NIUFO,
        "事业编制",
        None,
        {
            B0: (0, 3, _d("N002", "事业编制 核定3名，实有0名，空编3名")),
            B1: (0, 3, _d("N002", "事业编制 核定3名，实有0名，空编3名")),
            B2: (2, 3, _d("N002", "事业编制 核定3名，实有2名，空编1名")),
        },
    ),
    Finding(
        "VACANT",
        "X001",
        XIANSHI,
        "行政编制",
        None,
        {b: (1, 5, _d("X001", "行政编制 核定5名，实有1名，空编4名")) for b in BATCHES},
    ),
    Finding(
        "VACANT",
        "C001",
        None,
        "行政编制",
        None,
        {b: (1, 10, _d("C001", "行政编制 核定10名，实有1名，空编9名")) for b in BATCHES},
    ),
    Finding(
        "SECONDED",
        "N001",
        NIUFO,
        "",
        "赵六",
        {
            B0: (0, 0, "赵六 编制在牛佛镇人民政府，实际在县委办公室工作"),
            B2: (0, 0, "赵六 编制在牛佛镇人民政府，实际在县委办公室工作"),
        },
    ),
    Finding(
        "OVER_AGE",
        "N002",
        NIUFO,
        "",
        "王五",
        {
            B2: (64, 63, "王五 法定退休日期2025-02-01，已超过仍在编"),
        },
    ),
    Finding(
        "INVALID_ID",
        "N002",
        NIUFO,
        "",
        "周九",
        {
            B2: (0, 0, "周九 身份证号被Excel损坏（excel_damaged）"),
        },
    ),
    *(
        Finding(
            "DUPLICATE_SLOT",
            slot,
            town,
            "",
            "孙八",
            {B2: (2, 1, DUPLICATE_DETAIL)},
        )
        for slot, town in (("C001", None), ("N002", NIUFO))
    ),
    Finding(
        "MIXED_QUOTA",
        "N001",
        NIUFO,
        "",
        "郑十一",
        {
            B0: (0, 0, "郑十一 事业人员占用行政编制"),
            B1: (0, 0, "郑十一 事业人员占用行政编制"),
        },
    ),
    Finding(
        "LEADER_RATIO",
        None,
        NIUFO,
        "",
        None,
        {
            B1: (0.5, 0.35, "牛佛镇 领导职务4人，工作人员8人，占50.0%"),
        },
    ),
]

# (batch, source, file, rows_read, loaded, quarantined, blank, totals, carried)
LOAD_REPORT = [
    (b, src, f"{b}/{name}", read, loaded, q, blank, tot, False)
    for b in BATCHES
    for src, name, read, loaded, q, blank, tot in [
        ("townships", "乡镇.xlsx", 2, 2, 0, 0, 0),
        ("institutions", "机构名录.xlsx", 5, 5, 0, 0, 0),
        ("quota_grants", "编制核定.csv", 12, 12, 0, 0, 0),
        ("roster", "人员花名册.xlsx", 12, 8, 2, 1, 1),
    ]
]
QUARANTINE = [
    (
        B2,
        "roster",
        f"{B2}/人员花名册.xlsx",
        "花名册",
        7,
        "出生日期 '1985-13-40' 不是日期",
        '{"姓名": "某甲", "出生日期": "1985-13-40"}',
    ),
    (
        B2,
        "roster",
        f"{B2}/人员花名册.xlsx",
        "花名册",
        9,
        f"重复行：{QUARANTINED_ID}",
        f'{{"身份证号": "{QUARANTINED_ID}"}}',
    ),
]


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def build(path: Path) -> Path:
    """Write the mini warehouse to `path` (a published file: checkpointed, closed)."""
    con = duckdb.connect(str(path))
    try:
        _build(con)
        con.execute("checkpoint")
    finally:
        con.close()
    return path


def _build(con: duckdb.DuckDBPyConnection) -> None:
    for schema in ("raw", "audit", "marts"):
        con.execute(f"create schema {schema}")
    con.execute(
        "create table audit.batches (batch_date date, loaded_at timestamp, landing_dir varchar)"
    )
    con.executemany(
        "insert into audit.batches values (?, now(), '/landing')", [[b] for b in BATCHES]
    )
    con.execute("""create table marts.townships (as_of date, township_code varchar,
        township_name varchar, township_kind varchar, township_class varchar,
        population bigint, area_km2 double)""")
    con.executemany(
        "insert into marts.townships values (?, ?, ?, ?, ?, ?, ?)",
        [[b, *t] for b in BATCHES for t in TOWNSHIPS],
    )
    con.execute("""create table marts.institutions (as_of date, institution_code varchar,
        institution_name varchar, category varchar, public_class varchar, level varchar,
        township_code varchar, parent_code varchar, rank varchar, funding varchar,
        alias_names varchar, established_on date, revoked_on date, is_active boolean)""")
    con.executemany(
        "insert into marts.institutions values (?, ?, ?, ?, null, ?, ?, ?, ?, '财政全额', null, "
        "'2001-01-01', null, true)",
        [
            [b, c, n, cat, lvl, t, par, rank]
            for b in BATCHES
            for c, n, cat, lvl, t, par, rank in INSTITUTIONS
        ],
    )
    _build_staffing(con)
    _build_roster(con)
    _build_findings(con)
    _build_audit(con)


def _township_of(code: str) -> str | None:
    return INST[code][4]


def _build_staffing(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""create table marts.staffing_reconciliation (as_of date,
        institution_code varchar, institution_name varchar, township_code varchar,
        quota_type varchar, authorized integer, occupied integer, vacancy integer,
        overstaffed_by integer)""")
    con.executemany(
        "insert into marts.staffing_reconciliation values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [b, i, INST[i][1], _township_of(i), q, a, o, max(a - o, 0), max(o - a, 0)]
            for b, i, q, a, o in STAFFING
        ],
    )
    con.execute("""create table marts.leadership_reconciliation (as_of date,
        institution_code varchar, institution_name varchar, township_code varchar,
        leadership_kind varchar, authorized integer, actual integer)""")
    con.executemany(
        "insert into marts.leadership_reconciliation values (?, ?, ?, ?, ?, ?, ?)",
        [[b, i, INST[i][1], _township_of(i), k, a, x] for b, i, k, a, x in LEADERSHIP],
    )
    con.execute("""create table marts.township_summary as
        select s.as_of, s.township_code, t.township_name, s.quota_type,
               sum(authorized)::integer as authorized, sum(occupied)::integer as occupied,
               sum(vacancy)::integer as vacancy, sum(overstaffed_by)::integer as overstaffed_by
        from marts.staffing_reconciliation s
        join marts.townships t using (as_of, township_code)
        group by all""")


def _build_roster(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""create table raw.roster (batch_date date, source_batch_date date,
        file_name varchar, row_number integer, id_number varchar, person_key varchar,
        id_valid boolean, id_problem varchar, name varchar, gender varchar, birth_date date,
        person_category varchar, quota_type varchar, slot_code varchar, slot_name varchar,
        work_code varchar, work_name varchar, title varchar, leadership varchar,
        grade varchar, post_type varchar, slot_since date, status varchar,
        education varchar, work_since date)""")
    con.execute("""create table marts.roster (as_of date, person_key varchar, name varchar,
        gender varchar, birth_date date, age integer, person_category varchar,
        quota_type varchar, slot_institution_code varchar, slot_institution_name varchar,
        work_institution_code varchar, work_institution_name varchar, work_unit_name varchar,
        township_code varchar, title varchar, leadership varchar, grade varchar,
        post_type varchar, status varchar, education varchar, slot_since date,
        retirement_date date, id_valid boolean)""")
    for b in BATCHES:
        for n, p in enumerate(p for p in PEOPLE if b in p.batches):
            valid = not p.number
            work_inst = INST[p.work][5] or p.work  # a 内设机构 counts at its parent
            status = "借调" if p.work != p.slot and work_inst != p.slot else "在岗"
            post = "工勤技能岗位" if p.category == "工勤人员" else "管理岗位"
            con.execute(
                "insert into raw.roster values (?, ?, 'roster.xlsx', ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?, ?, ?, ?, ?, ?, ?, ?, '2015-07-01', ?, ?, '2012-07-01')",
                [
                    b,
                    b,
                    n + 3,
                    p.id,
                    p.key,
                    valid,
                    None if valid else "excel_damaged",
                    p.name,
                    p.gender,
                    p.birth,
                    p.category,
                    p.quota,
                    p.slot,
                    INST[p.slot][1],
                    p.work,
                    INST[p.work][1],
                    p.title,
                    p.leadership,
                    p.grade,
                    post,
                    status,
                    p.education,
                ],
            )
            con.execute(
                "insert into marts.roster values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?, ?, ?, '2015-07-01', ?, ?)",
                [
                    b,
                    p.key,
                    p.name,
                    p.gender,
                    p.birth,
                    _age(p.birth, b),
                    p.category,
                    p.quota,
                    p.slot,
                    INST[p.slot][1],
                    work_inst,
                    INST[work_inst][1],
                    INST[p.work][1],
                    _township_of(p.slot),
                    p.title,
                    p.leadership,
                    p.grade,
                    post,
                    status,
                    p.education,
                    date(p.birth.year + 60, p.birth.month, 1),
                    valid,
                ],
            )
    con.execute("""create table marts.workforce_structure as
        select as_of, 'county' as scope, null::varchar as scope_code, '全县' as scope_name,
               null::varchar as township_code, count(*)::integer as headcount,
               count(*) filter (where quota_type <> '无')::integer as staff,
               count(*) filter (where quota_type = '行政编制')::integer as staff_admin,
               count(*) filter (where quota_type = '事业编制')::integer as staff_public,
               count(*) filter (where quota_type = '工勤编制')::integer as staff_worker,
               count(*) filter (where quota_type = '政法专项编制')::integer as staff_judicial,
               count(*) filter (where quota_type = '无')::integer as staff_none,
               count(*) filter (where leadership <> '无')::integer as leaders,
               count(*) filter (where leadership <> '无') / count(*) as leader_ratio,
               count(*) filter (where age < 30)::integer as age_under_30,
               count(*) filter (where age between 30 and 44)::integer as age_30_44,
               count(*) filter (where age >= 45)::integer as age_45_plus,
               count(*) filter (where education in ('研究生', '大学本科'))::integer
                   as bachelor_plus,
               count(*) filter (where education in ('研究生', '大学本科')) / count(*)
                   as bachelor_plus_share
        from marts.roster group by as_of""")
    con.execute("""create table marts.township_leadership as
        select r.as_of, i.township_code, t.township_name,
               count(*) filter (where r.leadership <> '无')::integer as leaders,
               count(*) filter (where r.quota_type <> '无')::integer as staff,
               count(*) filter (where r.leadership <> '无')
                   / nullif(count(*) filter (where r.quota_type <> '无'), 0) as leader_ratio
        from marts.roster r
        join marts.institutions i on i.as_of = r.as_of
             and i.institution_code = r.work_institution_code and i.level = '乡镇'
        join marts.townships t on t.as_of = i.as_of and t.township_code = i.township_code
        group by all""")


def _build_findings(con: duckdb.DuckDBPyConnection) -> None:
    columns = """finding_id varchar, rule_code varchar, rule_name_zh varchar, severity varchar,
        institution_code varchar, institution_name varchar, township_code varchar,
        township_name varchar, category varchar, person_key varchar, person_name varchar,
        measured double, allowed double, detail_zh varchar, first_seen date, last_seen date,
        status varchar, open_days integer"""
    con.execute(f"create table marts.findings ({columns})")
    con.execute(f"create table marts.findings_history (as_of date, {columns})")
    con.execute(
        "create table marts.rule_catalog (rule_code varchar, name_zh varchar, "
        "severity varchar, grain varchar, description varchar)"
    )
    con.executemany(
        "insert into marts.rule_catalog values (?, ?, ?, 'x', ?)",
        [[c, n, s, f"{n}的说明"] for c, n, s in RULES],
    )
    towns = dict((t[0], t[1]) for t in TOWNSHIPS)
    for f in FINDINGS:
        code, name, severity = RULE[f.rule]
        person = BY_NAME[f.person] if f.person else None
        inst_name = INST[f.institution][1] if f.institution else None
        fixed = [
            f.finding_id,
            code,
            name,
            severity,
            f.institution,
            inst_name,
            f.township,
            towns.get(f.township or ""),
            f.category,
            person and person.key,
            person and person.name,
        ]
        for b in BATCHES:
            held_so_far = sorted(d for d in f.held if d <= b)
            if not held_so_far:
                continue
            last = held_so_far[-1]
            measured, allowed, detail = f.held[last]
            status = "open" if last == b else "resolved"
            con.execute(
                "insert into marts.findings_history values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?, ?, ?, ?, ?, ?)",
                [
                    b,
                    *fixed,
                    measured,
                    allowed,
                    detail,
                    held_so_far[0],
                    last,
                    status,
                    (b - held_so_far[0]).days,
                ],
            )
        con.execute(
            "insert into marts.findings select * exclude (as_of) from marts.findings_history "
            "where as_of = ? and finding_id = ?",
            [B2, f.finding_id],
        )


def _build_audit(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""create table audit.load_report (batch_date date, source varchar,
        file_name varchar, sheet varchar, rows_read integer, rows_loaded integer,
        rows_quarantined integer, rows_blank integer, rows_totals integer,
        carried_forward boolean, anomaly_accepted boolean, loaded_at timestamp,
        message varchar)""")
    con.executemany(
        "insert into audit.load_report values (?, ?, ?, 'Sheet1', ?, ?, ?, ?, ?, ?, false, "
        "now(), null)",
        [list(r) for r in LOAD_REPORT],
    )
    con.execute("""create table audit.quarantine (batch_date date, source varchar,
        file_name varchar, sheet varchar, row_number integer, reason varchar, raw varchar)""")
    con.executemany(
        "insert into audit.quarantine values (?, ?, ?, ?, ?, ?, ?)", [list(q) for q in QUARANTINE]
    )
