"""Hand-made batches for the dbt models: raw.* and audit.* tables in a DuckDB file.

Why plain dataclasses and SQL inserts instead of landing files: these tests are about the
models' reconciliation logic, so they start where the models start (the raw layer of
docs/interfaces.md), with every value spelled out in the test. A `County` is one batch's
content; `write_warehouse` writes several batches (the carried-forward copy of a source is just
the same list under another batch date, as ingest does).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import duckdb

RAW_DDL = """
create schema if not exists raw;
create schema if not exists audit;
create table raw.townships (
    batch_date date, source_batch_date date, file_name varchar, row_number integer,
    township_code varchar, township_name varchar, township_kind varchar, township_class varchar,
    population bigint, area_km2 double);
create table raw.institutions (
    batch_date date, source_batch_date date, file_name varchar, row_number integer,
    institution_code varchar, uscc varchar, uscc_valid boolean, name varchar, category varchar,
    public_class varchar, level varchar, township_ref varchar, parent_code varchar, rank varchar,
    funding varchar, alias_names varchar, established_on date, revoked_on date);
create table raw.quota_grants (
    batch_date date, source_batch_date date, file_name varchar, row_number integer,
    doc_no varchar, approved_on date, effective_on date, institution_code varchar,
    institution_name varchar, item varchar, kind varchar, change varchar, amount integer,
    note varchar);
create table raw.roster (
    batch_date date, source_batch_date date, file_name varchar, row_number integer,
    id_number varchar, person_key varchar, id_valid boolean, id_problem varchar, name varchar,
    gender varchar, birth_date date, person_category varchar, quota_type varchar,
    slot_code varchar, slot_name varchar, work_code varchar, work_name varchar, title varchar,
    leadership varchar, grade varchar, post_type varchar, slot_since date, status varchar,
    education varchar, work_since date);
create table audit.batches (batch_date date, loaded_at timestamp, landing_dir varchar);
create table audit.load_report (
    batch_date date, source varchar, file_name varchar, sheet varchar, rows_read bigint,
    rows_loaded bigint, rows_quarantined bigint, rows_blank bigint, rows_totals bigint,
    carried_forward boolean, anomaly_accepted boolean, loaded_at timestamp, message varchar);
"""

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_serials: dict[str, int] = {}


def identity_number(name: str, birth: str, gender: str, region: str = "511025") -> str:
    """A valid GB 11643 number for a person, stable per name (birth date and gender agree)."""
    serial = _serials.setdefault(name, len(_serials) + 1)  # unique below 500 people
    gender_digit = (serial % 5) * 2 + (1 if gender == "男" else 0)
    body = f"{region}{birth.replace('-', '')}{serial // 5 % 100:02d}{gender_digit}"
    check = ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]
    return body + check


def key_of(id_number: str) -> str:
    """A stand-in person_key (16 hex); the models never look inside it."""
    return hashlib.sha256(id_number.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Township:
    code: str
    name: str
    population: int | None = 20000
    area_km2: float | None = 100.0
    kind: str = "镇"
    klass: str = "一类"


@dataclass(frozen=True)
class Institution:
    code: str
    name: str
    category: str = "行政机关"
    level: str = "县直"
    township_ref: str | None = None
    parent: str | None = None
    rank: str = "副科级"
    aliases: str | None = None
    established: str | None = "2000-01-01"
    revoked: str | None = None


@dataclass(frozen=True)
class Grant:
    effective: str
    kind: str
    change: str
    amount: int
    code: str | None = None
    name: str | None = None
    item: str = "编制"
    doc_no: str = "县编发〔2020〕1号"
    approved: str | None = None


@dataclass(frozen=True)
class Person:
    name: str
    slot: str | None
    quota_type: str = "行政编制"
    category: str = "公务员"
    gender: str = "男"
    birth: str = "1985-06-15"
    slot_name: str | None = None
    work_code: str | None = None
    work_name: str | None = None
    leadership: str = "无"
    grade: str = "无"
    post_type: str = "管理岗位"
    status: str = "在岗"
    education: str = "大学本科"
    title: str | None = None
    id_number: str | None = None  # default: a valid number derived from name/birth/gender
    id_problem: str | None = None

    @property
    def number(self) -> str | None:
        if self.id_number is not None or self.id_problem == "missing":
            return self.id_number
        return identity_number(self.name, self.birth, self.gender)

    @property
    def key(self) -> str:
        number = self.number
        return key_of(number if number is not None else f"name:{self.name}")


@dataclass
class County:
    """One batch's content (every source is a full snapshot)."""

    townships: list[Township] = field(default_factory=list)
    institutions: list[Institution] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)
    roster: list[Person] = field(default_factory=list)

    def copy(self) -> County:
        return County(
            list(self.townships), list(self.institutions), list(self.grants), list(self.roster)
        )

    def without(self, *names: str) -> County:
        """The same batch without the roster rows of the named people."""
        out = self.copy()
        out.roster = [p for p in out.roster if p.name not in names]
        return out

    def plus(self, *people: Person) -> County:
        out = self.copy()
        out.roster += list(people)
        return out

    def replacing(self, name: str, **changes: object) -> County:
        out = self.copy()
        out.roster = [replace(p, **changes) if p.name == name else p for p in out.roster]
        return out


def write_warehouse(path: Path, batches: dict[str, County]) -> None:
    """Create raw.* and audit.* in a fresh DuckDB file and load every batch."""
    con = duckdb.connect(str(path))
    try:
        con.execute(RAW_DDL)
        for batch, county in sorted(batches.items()):
            _load_batch(con, date.fromisoformat(batch), county)
    finally:
        con.close()


def add_batches(path: Path, batches: dict[str, County]) -> None:
    """Load more batches into an existing file (the next night's ingest)."""
    con = duckdb.connect(str(path))
    try:
        for batch, county in sorted(batches.items()):
            _load_batch(con, date.fromisoformat(batch), county)
    finally:
        con.close()


def drop_batch(path: Path, batch: str) -> None:
    """Remove a batch from raw.* and audit.* (before loading it again: a reload)."""
    con = duckdb.connect(str(path))
    try:
        for table in (
            "raw.townships",
            "raw.institutions",
            "raw.quota_grants",
            "raw.roster",
            "audit.batches",
            "audit.load_report",
        ):
            con.execute(f"delete from {table} where batch_date = ?", [date.fromisoformat(batch)])
    finally:
        con.close()


def _load_batch(con: duckdb.DuckDBPyConnection, batch: date, county: County) -> None:
    head = (batch, batch)
    con.executemany(
        "insert into raw.townships values (?, ?, 'townships.xlsx', ?, ?, ?, ?, ?, ?, ?)",
        [
            [*head, n + 2, t.code, t.name, t.kind, t.klass, t.population, t.area_km2]
            for n, t in enumerate(county.townships)
        ],
    )
    con.executemany(
        "insert into raw.institutions values (?, ?, 'institutions.xlsx', ?, ?, null, true, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                *head,
                n + 2,
                i.code,
                i.name,
                i.category,
                "公益一类" if i.category == "事业单位" else None,
                i.level,
                i.township_ref,
                i.parent,
                i.rank,
                None if i.category == "内设机构" else "财政全额",
                i.aliases,
                i.established,
                i.revoked,
            ]
            for n, i in enumerate(county.institutions)
        ],
    )
    if county.grants:
        con.executemany(
            "insert into raw.quota_grants values (?, ?, 'grants.csv', ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, null)",
            [
                [
                    *head,
                    n + 2,
                    g.doc_no,
                    g.approved or g.effective,
                    g.effective,
                    g.code,
                    g.name,
                    g.item,
                    g.kind,
                    g.change,
                    g.amount,
                ]
                for n, g in enumerate(county.grants)
            ],
        )
    con.executemany(
        "insert into raw.roster values (?, ?, 'roster.xlsx', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, '2010-07-01', ?, ?, '2008-07-01')",
        [
            [
                *head,
                n + 3,
                p.number,
                p.key,
                p.id_problem is None,
                p.id_problem,
                p.name,
                p.gender,
                p.birth,
                p.category,
                p.quota_type,
                p.slot,
                p.slot_name,
                p.work_code,
                p.work_name,
                p.title,
                p.leadership,
                p.grade,
                p.post_type,
                p.status,
                p.education,
            ]
            for n, p in enumerate(county.roster)
        ],
    )
    con.execute("insert into audit.batches values (?, now(), '/landing')", [batch])
    for source in ("townships", "institutions", "quota_grants", "roster"):
        con.execute(
            "insert into audit.load_report values (?, ?, ?, 'Sheet1', 0, 0, 0, 0, 0, false, false,"
            " now(), null)",
            [batch, source, f"{source}.xlsx"],
        )
