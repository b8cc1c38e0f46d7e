"""A small hand-built warehouse (raw, audit and marts tables of docs/interfaces.md) for the
data-quality tests.

Why by hand and not through the pipeline: each suite must be shown to pass on data that is right
and to fail on data that is wrong in one known way. A hand-built county with derived marts lets a
test plant exactly one defect (a township whose leader ratio is 0.6, an institution whose
headcount jumps 30 %) without depending on ingest or dbt, which are written concurrently.

The county: 3 townships, each with a government (行政机关), a service centre (事业单位) and an
office inside the government (内设机构); 2 county-level institutions. About 100 people, two
batches a month apart. Marts are derived from raw with plain SQL that follows the interface
columns (simplified resolution: by code).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from expectations import SuiteResult
from expectations.identifiers import ID_CHECK_MAP, ID_WEIGHTS, USCC_ALPHABET, USCC_WEIGHTS

FIRST = date(2026, 10, 20)
SECOND = date(2026, 11, 20)
BATCHES = (FIRST, SECOND)


def make_id_number(region: str, birth: date, seq: int, male: bool) -> str:
    """A GB 11643 number with a correct check digit."""
    seq = seq * 2 + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    total = sum(int(ch) * w for ch, w in zip(body, ID_WEIGHTS, strict=True))
    return body + ID_CHECK_MAP[total % 11]


def make_uscc(n: int) -> str:
    """A GB 32100 code with a correct check character."""
    body = f"12350102{n:09d}"
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(body, USCC_WEIGHTS, strict=True))
    return body + USCC_ALPHABET[(31 - total % 31) % 31]


def person_key(id_number: str) -> str:
    return hashlib.sha256(id_number.encode()).hexdigest()[:16]


RAW_DDL = """
create schema if not exists raw;
create schema if not exists audit;
create schema if not exists marts;
create table raw.townships (batch_date date, source_batch_date date, file_name varchar,
    row_number integer, township_code varchar, township_name varchar, township_kind varchar,
    township_class varchar, population bigint, area_km2 double);
create table raw.institutions (batch_date date, source_batch_date date, file_name varchar,
    row_number integer, institution_code varchar, uscc varchar, uscc_valid boolean,
    name varchar, category varchar, public_class varchar, level varchar, township_ref varchar,
    parent_code varchar, rank varchar, funding varchar, alias_names varchar,
    established_on date, revoked_on date);
create table raw.quota_grants (batch_date date, source_batch_date date, file_name varchar,
    row_number integer, doc_no varchar, approved_on date, effective_on date,
    institution_code varchar, institution_name varchar, item varchar, kind varchar,
    change varchar, amount integer, note varchar);
create table raw.roster (batch_date date, source_batch_date date, file_name varchar,
    row_number integer, id_number varchar, person_key varchar, id_valid boolean,
    id_problem varchar, name varchar, gender varchar, birth_date date, person_category varchar,
    quota_type varchar, slot_code varchar, slot_name varchar, work_code varchar,
    work_name varchar, title varchar, leadership varchar, grade varchar, post_type varchar,
    slot_since date, status varchar, education varchar, work_since date);
create table audit.batches (batch_date date, loaded_at timestamp, landing_dir varchar);
create table audit.load_report (batch_date date, source varchar, file_name varchar,
    sheet varchar, rows_read integer, rows_loaded integer, rows_quarantined integer,
    rows_blank integer, rows_totals integer, carried_forward boolean, anomaly_accepted boolean,
    loaded_at timestamp, message varchar);
create table audit.quarantine (batch_date date, source varchar, file_name varchar,
    sheet varchar, row_number integer, reason varchar, raw varchar);
"""

TOWNSHIPS = (
    ("350102001", "东街街道", "街道", "一类", 42000, 12.5),
    ("350102002", "西湖镇", "镇", "二类", 30500, 88.0),
    ("350102003", "南山乡", "乡", "三类", 12800, 160.3),
)


@dataclass
class Institution:
    code: str
    name: str
    category: str
    level: str
    township: str | None
    parent: str | None
    rank: str
    public_class: str | None
    funding: str | None
    quota_type: str | None  # the 编制 it is granted (None for 内设机构)
    staff: int  # people with their slot here (0 for 内设机构)
    aliases: str | None = None


def institutions() -> list[Institution]:
    items = []
    for k, (code, name, *_rest) in enumerate(TOWNSHIPS, start=1):
        gov = f"G{k}"
        items += [
            Institution(gov, f"{name}人民政府", "行政机关", "乡镇", code, None, "正科级", None,
                        "财政全额", "行政编制", 12),
            Institution(f"P{k}", f"{name}农业服务中心", "事业单位", "乡镇", code, None, "股级",
                        "公益一类", "财政全额", "事业编制", 10, f"{name}农技站"),
            Institution(f"O{k}", f"{name}党政办公室", "内设机构", "乡镇", code, gov, "股级", None,
                        None, None, 0),
        ]  # fmt: skip
    items += [
        Institution("C1", "县发展和改革局", "行政机关", "县直", None, None, "正科级", None,
                    "财政全额", "行政编制", 20, "县物价局"),
        Institution("C2", "县疾病预防控制中心", "事业单位", "县直", None, None, "副科级",
                    "公益一类", "财政差额", "事业编制", 15),
    ]  # fmt: skip
    return items


@dataclass
class County:
    """The rows of one batch, as Python dicts (a test may edit them before writing)."""

    townships: list[dict[str, Any]] = field(default_factory=list)
    institutions: list[dict[str, Any]] = field(default_factory=list)
    grants: list[dict[str, Any]] = field(default_factory=list)
    roster: list[dict[str, Any]] = field(default_factory=list)


def county(batch: date, extra_people: dict[str, int] | None = None) -> County:
    """The county as exported at `batch`; `extra_people` adds people to institutions."""
    extra = extra_people or {}
    out = County()
    for code, name, kind, klass, population, area in TOWNSHIPS:
        out.townships.append(
            dict(township_code=code, township_name=name, township_kind=kind,
                 township_class=klass, population=population, area_km2=area)
        )  # fmt: skip
    seq = 0
    for n, inst in enumerate(institutions(), start=1):
        internal = inst.category == "内设机构"
        out.institutions.append(
            dict(institution_code=inst.code, uscc=None if internal else make_uscc(n),
                 uscc_valid=None if internal else True, name=inst.name, category=inst.category,
                 public_class=inst.public_class, level=inst.level, township_ref=inst.township,
                 parent_code=inst.parent, rank=inst.rank, funding=inst.funding,
                 alias_names=inst.aliases, established_on=date(2001, 3, 1), revoked_on=None)
        )  # fmt: skip
        if internal:
            continue
        people = inst.staff + extra.get(inst.code, 0)
        doc = f"县编发〔2024〕{n}号"
        for item, kind, amount in (
            ("编制", inst.quota_type, inst.staff + 2),
            ("领导职数", "正职", 1),
            ("领导职数", "副职", 2),
        ):
            out.grants.append(
                dict(doc_no=doc, approved_on=date(2024, 1, 5), effective_on=date(2024, 1, 10),
                     institution_code=inst.code, institution_name=inst.name, item=item,
                     kind=kind, change="核定", amount=amount, note=None)
            )  # fmt: skip
        admin = inst.quota_type == "行政编制"
        for i in range(people):
            seq += 1
            male = seq % 2 == 0
            birth = date(1966 + seq % 33, 1 + seq % 12, 1 + seq % 27)
            number = make_id_number("350102", birth, seq, male)
            leadership = "正职" if i == 0 else ("副职" if i in (1, 2) and admin else "无")
            work = f"O{inst.code[1:]}" if inst.code.startswith("G") and i in (5, 6) else None
            out.roster.append(
                dict(id_number=number, person_key=person_key(number), id_valid=True,
                     id_problem=None, name=f"人员{seq:03d}", gender="男" if male else "女",
                     birth_date=birth, person_category="公务员" if admin else "事业人员",
                     quota_type=inst.quota_type, slot_code=inst.code, slot_name=inst.name,
                     work_code=work, work_name=None, title="科员", leadership=leadership,
                     grade="正科级" if leadership == "正职" else "无",
                     post_type="管理岗位" if admin else "专业技术岗位",
                     slot_since=date(2010, 7, 1), status="在岗",
                     education="大学本科" if seq % 3 else "研究生",
                     work_since=date(birth.year + 22, 7, 1))
            )  # fmt: skip
    return out


_COLUMNS = {
    "townships": ("township_code", "township_name", "township_kind", "township_class",
                  "population", "area_km2"),
    "institutions": ("institution_code", "uscc", "uscc_valid", "name", "category",
                     "public_class", "level", "township_ref", "parent_code", "rank", "funding",
                     "alias_names", "established_on", "revoked_on"),
    "quota_grants": ("doc_no", "approved_on", "effective_on", "institution_code",
                     "institution_name", "item", "kind", "change", "amount", "note"),
    "roster": ("id_number", "person_key", "id_valid", "id_problem", "name", "gender",
               "birth_date", "person_category", "quota_type", "slot_code", "slot_name",
               "work_code", "work_name", "title", "leadership", "grade", "post_type",
               "slot_since", "status", "education", "work_since"),
}  # fmt: skip
_FILES = {
    "townships": "乡镇.xlsx",
    "institutions": "机构名录.xlsx",
    "quota_grants": "编制核定.csv",
    "roster": "人员花名册.xlsx",
}


def write_raw(con: duckdb.DuckDBPyConnection, batch: date, data: County) -> None:
    """Insert one batch into raw.* and its audit rows (every row loaded, header on row 3)."""
    rows_by_source = {
        "townships": data.townships,
        "institutions": data.institutions,
        "quota_grants": data.grants,
        "roster": data.roster,
    }
    for source, rows in rows_by_source.items():
        cols = _COLUMNS[source]
        values = [
            (batch, batch, _FILES[source], i + 4, *(row[c] for c in cols))
            for i, row in enumerate(rows)
        ]
        marks = ", ".join("?" for _ in range(len(cols) + 4))
        if values:
            con.executemany(f"insert into raw.{source} values ({marks})", values)
        con.execute(
            "insert into audit.load_report values (?, ?, ?, 'Sheet1', ?, ?, 0, 0, 0, false, "
            "false, current_timestamp, null)",
            [batch, source, _FILES[source], len(rows), len(rows)],
        )
    con.execute("insert into audit.batches values (?, current_timestamp, '/landing')", [batch])


MARTS_SQL = """
create or replace table marts.rule_catalog as
select unnest($codes) as rule_code, 'rule' as name_zh, 'error' as severity,
    'grain' as grain, 'description' as description;

create or replace table marts.townships as
select batch_date as as_of, township_code, township_name, township_kind, township_class,
    population, area_km2 from raw.townships;

create or replace table marts.institutions as
select batch_date as as_of, institution_code, name as institution_name, category, public_class,
    level, township_ref as township_code, parent_code, rank, funding, alias_names,
    established_on, revoked_on,
    (established_on <= batch_date and (revoked_on is null or revoked_on > batch_date))
        as is_active
from raw.institutions;

create or replace table marts.roster as
select r.batch_date as as_of, r.person_key, r.name, r.gender, r.birth_date,
    date_diff('year', r.birth_date, r.batch_date)
        - case when strftime(r.birth_date, '%m%d') > strftime(r.batch_date, '%m%d')
               then 1 else 0 end as age,
    r.person_category, r.quota_type,
    s.institution_code as slot_institution_code, s.name as slot_institution_name,
    coalesce(wp.institution_code, w.institution_code, s.institution_code)
        as work_institution_code,
    coalesce(wp.name, w.name, s.name) as work_institution_name,
    coalesce(w.name, s.name) as work_unit_name,
    s.township_ref as township_code, r.title, r.leadership, r.grade, r.post_type, r.status,
    r.education, r.slot_since, r.birth_date + interval 60 year as retirement_date, r.id_valid
from raw.roster r
left join raw.institutions s
    on s.batch_date = r.batch_date and s.institution_code = r.slot_code
left join raw.institutions w
    on w.batch_date = r.batch_date and w.institution_code = r.work_code
left join raw.institutions wp
    on wp.batch_date = r.batch_date and wp.institution_code = w.parent_code
    and w.category = '内设机构';

create or replace table marts.quota_events as
select batch_date as as_of, institution_code, institution_name, item, kind, doc_no,
    approved_on, effective_on, change, amount, amount as value_after, note
from raw.quota_grants;

create or replace table marts.staffing_reconciliation as
with auth as (
    select as_of, institution_code, kind as quota_type, sum(amount) as authorized
    from marts.quota_events where item = '编制' group by all),
occ as (
    select as_of, slot_institution_code as institution_code, quota_type, count(*) as occupied
    from marts.roster where quota_type <> '无' and slot_institution_code is not null
    group by all),
j as (
    select coalesce(a.as_of, o.as_of) as as_of,
        coalesce(a.institution_code, o.institution_code) as institution_code,
        coalesce(a.quota_type, o.quota_type) as quota_type,
        coalesce(a.authorized, 0) as authorized, coalesce(o.occupied, 0) as occupied
    from auth a full join occ o
        on a.as_of = o.as_of and a.institution_code = o.institution_code
        and a.quota_type = o.quota_type)
select j.as_of, j.institution_code, i.institution_name, i.township_code, j.quota_type,
    j.authorized, j.occupied, greatest(j.authorized - j.occupied, 0) as vacancy,
    greatest(j.occupied - j.authorized, 0) as overstaffed_by
from j join marts.institutions i on i.as_of = j.as_of and i.institution_code = j.institution_code;

create or replace table marts.leadership_reconciliation as
with auth as (
    select as_of, institution_code, kind as leadership_kind, sum(amount) as authorized
    from marts.quota_events where item = '领导职数' group by all),
act as (
    select as_of, work_institution_code as institution_code, leadership as leadership_kind,
        count(*) as actual
    from marts.roster where leadership <> '无' group by all)
select a.as_of, a.institution_code, i.institution_name, i.township_code, a.leadership_kind,
    a.authorized, coalesce(t.actual, 0) as actual
from auth a
join marts.institutions i on i.as_of = a.as_of and i.institution_code = a.institution_code
left join act t on t.as_of = a.as_of and t.institution_code = a.institution_code
    and t.leadership_kind = a.leadership_kind;

create or replace table marts.township_summary as
select s.as_of, s.township_code, t.township_name, s.quota_type, sum(s.authorized) as authorized,
    sum(s.occupied) as occupied, sum(s.vacancy) as vacancy,
    sum(s.overstaffed_by) as overstaffed_by
from marts.staffing_reconciliation s
join marts.townships t on t.as_of = s.as_of and t.township_code = s.township_code
group by all;

create or replace table marts.township_leadership as
select r.as_of, i.township_code, t.township_name,
    count(*) filter (where r.leadership <> '无') as leaders,
    count(*) filter (where r.quota_type <> '无') as staff,
    cast(count(*) filter (where r.leadership <> '无') as double)
        / nullif(count(*) filter (where r.quota_type <> '无'), 0) as leader_ratio
from marts.roster r
join marts.institutions i on i.as_of = r.as_of and i.institution_code = r.work_institution_code
join marts.townships t on t.as_of = r.as_of and t.township_code = i.township_code
where i.level = '乡镇'
group by all;

create or replace table marts.workforce_structure as
with scoped as (
    select r.*, 'county' as scope, '350102' as scope_code, '县' as scope_name from marts.roster r
    union all
    select r.*, 'township', r.township_code, r.township_code from marts.roster r
    where r.township_code is not null
    union all
    select r.*, 'institution', r.work_institution_code, r.work_institution_name
    from marts.roster r)
select as_of, scope, scope_code, scope_name,
    any_value(case when scope = 'county' then null else township_code end) as township_code,
    count(*) as headcount,
    count(*) filter (where quota_type <> '无') as staff,
    count(*) filter (where quota_type = '行政编制') as staff_admin,
    count(*) filter (where quota_type = '事业编制') as staff_public,
    count(*) filter (where quota_type = '工勤编制') as staff_worker,
    count(*) filter (where quota_type = '政法专项编制') as staff_judicial,
    count(*) filter (where quota_type = '无') as staff_none,
    count(*) filter (where leadership <> '无') as leaders,
    cast(count(*) filter (where leadership <> '无') as double)
        / nullif(count(*) filter (where quota_type <> '无'), 0) as leader_ratio,
    count(*) filter (where age < 30) as age_under_30,
    count(*) filter (where age between 30 and 44) as age_30_44,
    count(*) filter (where age >= 45) as age_45_plus,
    count(*) filter (where education in ('研究生', '大学本科')) as bachelor_plus,
    cast(count(*) filter (where education in ('研究生', '大学本科')) as double) / count(*)
        as bachelor_plus_share
from scoped group by all;

create or replace table marts.findings_history as
select as_of, md5('VACANT|' || institution_code || '|' || quota_type) as finding_id,
    'VACANT' as rule_code, '空编' as rule_name_zh, 'info' as severity, institution_code,
    institution_name, township_code, null as township_name, quota_type as category,
    null as person_key, null as person_name, occupied as measured, authorized as allowed,
    institution_name || ' 空编' || vacancy || '名' as detail_zh, 'open' as status
from marts.staffing_reconciliation where vacancy > 0;

create or replace table marts.findings as
select finding_id, any_value(rule_code) as rule_code, any_value(rule_name_zh) as rule_name_zh,
    any_value(severity) as severity, any_value(institution_code) as institution_code,
    any_value(institution_name) as institution_name, any_value(township_code) as township_code,
    any_value(township_name) as township_name, any_value(category) as category,
    any_value(person_key) as person_key, any_value(person_name) as person_name,
    arg_max(measured, as_of) as measured, arg_max(allowed, as_of) as allowed,
    arg_max(detail_zh, as_of) as detail_zh, min(as_of) as first_seen, max(as_of) as last_seen,
    case when max(as_of) = (select max(batch_date) from audit.batches) then 'open'
         else 'resolved' end as status,
    0 as open_days
from marts.findings_history group by finding_id;
"""


def derive_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Build the marts of every loaded batch from raw (simplified, interface columns)."""
    from expectations.contract import RULE_CODES

    for statement in MARTS_SQL.split(";"):
        if statement.strip():
            params = {"codes": list(RULE_CODES)} if "$codes" in statement else None
            con.execute(statement, params) if params else con.execute(statement)


Mutation = Callable[[duckdb.DuckDBPyConnection], None]


def build_warehouse(
    path: Path,
    batches: dict[date, County] | None = None,
    before_marts: Mutation | None = None,
    after_marts: Mutation | None = None,
) -> Path:
    """Write a two-batch county to `path`: raw + audit, then marts derived from raw.

    `before_marts` changes raw before the marts are derived (the defect flows through, as in a
    real run); `after_marts` changes the built file last (a defect of one table only).
    """
    batches = batches or {FIRST: county(FIRST), SECOND: county(SECOND, {"C2": 1})}
    con = duckdb.connect(str(path))
    try:
        con.execute(RAW_DDL)
        for day in sorted(batches):
            write_raw(con, day, batches[day])
        if before_marts:
            before_marts(con)
        derive_marts(con)
        if after_marts:
            after_marts(con)
    finally:
        con.close()
    return path


def days(n: int) -> timedelta:
    return timedelta(days=n)


def plant_raw_defects(con: duckdb.DuckDBPyConnection) -> None:
    """One or two known defects per raw suite, in the newest batch, after the marts are built
    (so that the marts stay clean and each suite's failures are exactly these)."""
    b = f"date '{SECOND}'"
    con.execute(f"""
        insert into raw.townships select * from raw.townships
            where batch_date = {b} and township_code = '350102001';
        update raw.townships set township_kind = '村'
            where batch_date = {b} and township_code = '350102003';
        update raw.townships set population = -1
            where batch_date = {b} and township_code = '350102002';

        update raw.institutions set uscc = substr(uscc, 1, 17)
                || case when substr(uscc, 18, 1) = '0' then '1' else '0' end
            where batch_date = {b} and institution_code = 'C1';
        update raw.institutions set parent_code = 'G9'
            where batch_date = {b} and institution_code = 'O2';
        update raw.institutions set public_class = '公益一类'
            where batch_date = {b} and institution_code = 'G3';

        insert into raw.quota_grants select * replace ('X9' as institution_code,
                '不存在的单位' as institution_name, 999 as row_number)
            from raw.quota_grants where batch_date = {b} limit 1;
        update raw.quota_grants set kind = '正职'
            where batch_date = {b} and institution_code = 'C2' and item = '编制';
        update raw.quota_grants set approved_on = {b} + 30
            where batch_date = {b} and institution_code = 'P1' and kind = '正职';

        update raw.roster set status = '退休'
            where batch_date = {b} and name = '人员010';
        update raw.roster set birth_date = {b} + 10
            where batch_date = {b} and name = '人员011';
        update raw.roster set id_number = substr(id_number, 1, 17)
                || case when substr(id_number, 18, 1) = '0' then '1' else '0' end,
                id_valid = false, id_problem = 'bad_check_digit'
            where batch_date = {b} and name in ('人员020', '人员021');
        update raw.roster set id_number = substr(id_number, 1, 17)
                || case when substr(id_number, 18, 1) = '0' then '1' else '0' end
            where batch_date = {b} and name = '人员022';

        update audit.load_report set rows_read = rows_read + 1
            where batch_date = {b} and source = 'roster';
        update audit.load_report set rows_read = rows_read + 2, rows_quarantined = 2
            where batch_date = {b} and source = 'institutions';
    """)


def plant_mart_defects(con: duckdb.DuckDBPyConnection) -> None:
    """One or two known defects per mart suite and measure, in the newest batch."""
    b = f"date '{SECOND}'"
    con.execute(f"""
        delete from marts.rule_catalog where rule_code = 'INSTITUTION_LIMIT';
        update marts.townships set township_class = '四类'
            where as_of = {b} and township_code = '350102001';
        update marts.institutions set parent_code = 'G9'
            where as_of = {b} and institution_code = 'O2';
        update marts.staffing_reconciliation set vacancy = vacancy + 1
            where as_of = {b} and institution_code = 'G1';
        update marts.staffing_reconciliation set authorized = 200, vacancy = 200 - occupied
            where as_of = {b} and institution_code = 'C1';
        insert into marts.leadership_reconciliation
            select * replace ('ZZ' as institution_code) from marts.leadership_reconciliation
            where as_of = {b} limit 1;
        update marts.township_summary set quota_type = '无'
            where as_of = {b} and township_code = '350102003' and quota_type = '事业编制';
        update marts.township_leadership set leader_ratio = 0.9
            where as_of = {b} and township_code = '350102002';
        update marts.workforce_structure set headcount = headcount + 1
            where as_of = {b} and scope = 'institution' and scope_code = 'P2';
        delete from marts.workforce_structure where as_of = {b} and scope = 'county';
        update marts.roster set person_key = '350102198001010011'
            where as_of = {b} and name = '人员030';
        update marts.roster set slot_institution_code = null
            where as_of = {b} and name = '人员031';
        insert into marts.roster select * from marts.roster
            where as_of = {b} and slot_institution_code = 'C2' limit 5;
        update marts.quota_events set amount = -1
            where as_of = {b} and institution_code = 'G2' and kind = '副职';
        update marts.findings set last_seen = date '{FIRST}'
            where finding_id = (select min(finding_id) from marts.findings);
        update marts.findings set rule_code = 'FOO'
            where finding_id = (select max(finding_id) from marts.findings);
        insert into marts.findings_history
            select * replace ('nope' as finding_id) from marts.findings_history
            where as_of = {b} limit 1;
    """)


def plant_anomalies(batches: dict[date, County]) -> None:
    """The two distribution anomalies of the issue, planted in the source rows of SECOND:
    township 350102001 gets a leader ratio of 0.6 (12 leaders among 20 staff), and C1 (20
    people) gets 6 more people: a 30 % headcount jump."""
    rows = batches[SECOND].roster
    gov = [r for r in rows if r["slot_code"] == "G1"]
    centre = [r for r in rows if r["slot_code"] == "P1"]
    for r in centre[8:]:  # P1 keeps 8 people: staff of the township 12 + 8 = 20
        rows.remove(r)
    for r in gov[:11]:  # 11 leaders in the government + the centre's head = 12
        if r["leadership"] == "无":
            r["leadership"] = "副职"
    template = next(r for r in rows if r["slot_code"] == "C1")
    for i in range(6):
        number = make_id_number("350102", date(1990, 5, 1 + i), 900 + i, True)
        rows.append(
            {**template, "id_number": number, "person_key": person_key(number),
             "name": f"新增{i}", "leadership": "无"}
        )  # fmt: skip


@dataclass(frozen=True)
class Run:
    """The suites run once on one warehouse file."""

    db: Path
    docs: Path
    run_id: str
    results: list[SuiteResult]

    def suite(self, name: str) -> SuiteResult:
        return next(r for r in self.results if r.suite == name)
