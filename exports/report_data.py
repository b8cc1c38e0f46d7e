"""The figures of the analysis report, read from the marts as of one batch.

Why a separate step from the wording: the numbers are what the tests hold against the marts;
the sentences around them (report.py) can change freely without touching a query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from exports.findings import HELD, first_seen_sql
from exports.sql import QUOTA_ORDER, SOURCE_ORDER, SOURCE_ZH, severity_rank
from exports.titles import county_name
from exports.warehouse import previous_batch, table_exists

QUOTA_TYPES = ("行政编制", "政法专项编制", "事业编制", "工勤编制")
WORST_CASES = 3


@dataclass(frozen=True)
class QuotaTotals:
    label: str  # quota type, township name, or 合计
    authorized: int
    occupied: int
    vacancy: int
    overstaffed: int


@dataclass(frozen=True)
class TownshipLeaders:
    township_code: str
    township_name: str
    leaders: int
    staff: int
    ratio: float | None
    flagged: bool  # an open LEADER_RATIO finding for the township in this batch


@dataclass(frozen=True)
class Workforce:
    headcount: int
    staff: int
    by_quota: dict[str, int]
    leaders: int
    age_under_30: int
    age_30_44: int
    age_45_plus: int
    bachelor_plus: int


@dataclass(frozen=True)
class Case:
    detail: str
    first_seen: date
    open_days: int


@dataclass(frozen=True)
class RuleFindings:
    rule_code: str
    name_zh: str
    severity: str
    open_count: int
    institutions: int
    new_count: int  # held now, not in the previous batch
    resolved_count: int  # held in the previous batch, not now
    worst: list[Case] = field(default_factory=list)


@dataclass(frozen=True)
class LoadSummary:
    files: int
    carried: int
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    by_source: list[tuple[str, str, int, int, int, bool]]  # source, file, read, loaded, q, carried


@dataclass(frozen=True)
class ReportData:
    county: str
    as_of: date
    previous: date | None
    institutions_by_category: dict[str, int]
    quota_totals: list[QuotaTotals]  # per quota type, then 合计
    previous_quota_totals: list[QuotaTotals] | None
    townships: list[QuotaTotals]  # per township, then 县直
    workforce: Workforce | None
    previous_workforce: Workforce | None
    township_leaders: list[TownshipLeaders]
    rules: list[RuleFindings]  # rules with open findings or resolved ones
    load: LoadSummary | None


def _quota_totals(con: duckdb.DuckDBPyConnection, as_of: date) -> list[QuotaTotals]:
    rows = con.execute(
        f"""
        select quota_type, sum(authorized), sum(occupied), sum(vacancy), sum(overstaffed_by)
        from marts.staffing_reconciliation where as_of = ?
        group by quota_type order by min({QUOTA_ORDER})
        """,
        [as_of],
    ).fetchall()
    totals = [QuotaTotals(r[0], *(int(v or 0) for v in r[1:])) for r in rows]
    total = QuotaTotals(
        "合计",
        sum(t.authorized for t in totals),
        sum(t.occupied for t in totals),
        sum(t.vacancy for t in totals),
        sum(t.overstaffed for t in totals),
    )
    return [*totals, total]


def _townships(con: duckdb.DuckDBPyConnection, as_of: date) -> list[QuotaTotals]:
    rows = con.execute(
        """
        select township_name, sum(authorized), sum(occupied), sum(vacancy), sum(overstaffed_by)
        from marts.township_summary where as_of = ?
        group by township_code, township_name order by township_code
        """,
        [as_of],
    ).fetchall()
    county = con.execute(
        """
        select sum(authorized), sum(occupied), sum(vacancy), sum(overstaffed_by)
        from marts.staffing_reconciliation where as_of = ? and township_code is null
        """,
        [as_of],
    ).fetchone()
    result = [QuotaTotals(r[0], *(int(v or 0) for v in r[1:])) for r in rows]
    if county and county[0] is not None:
        result.append(QuotaTotals("县直", *(int(v or 0) for v in county)))
    return result


def _workforce(con: duckdb.DuckDBPyConnection, as_of: date) -> Workforce | None:
    if not table_exists(con, "marts.workforce_structure"):
        return None
    row = con.execute(
        """
        select headcount, staff, staff_admin, staff_judicial, staff_public, staff_worker,
               leaders, age_under_30, age_30_44, age_45_plus, bachelor_plus
        from marts.workforce_structure where as_of = ? and scope = 'county'
        """,
        [as_of],
    ).fetchone()
    if row is None:
        return None
    v = [int(x or 0) for x in row]
    return Workforce(
        headcount=v[0],
        staff=v[1],
        by_quota=dict(zip(QUOTA_TYPES, v[2:6], strict=True)),
        leaders=v[6],
        age_under_30=v[7],
        age_30_44=v[8],
        age_45_plus=v[9],
        bachelor_plus=v[10],
    )


def _township_leaders(con: duckdb.DuckDBPyConnection, as_of: date) -> list[TownshipLeaders]:
    rows = con.execute(
        f"""
        with flagged as (
            select distinct township_code from ({HELD})
            where as_of = ? and rule_code = 'LEADER_RATIO' and institution_code is null
        )
        select l.township_code, l.township_name, l.leaders, l.staff, l.leader_ratio,
               l.township_code in (select township_code from flagged)
        from marts.township_leadership l where l.as_of = ?
        order by l.leader_ratio desc nulls last, l.township_code
        """,
        [as_of, as_of],
    ).fetchall()
    return [
        TownshipLeaders(r[0], r[1], int(r[2] or 0), int(r[3] or 0), _float(r[4]), bool(r[5]))
        for r in rows
    ]


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _rules(
    con: duckdb.DuckDBPyConnection, as_of: date, previous: date | None
) -> list[RuleFindings]:
    counts = con.execute(
        f"""
        with now as (select * from ({HELD}) where as_of = ?),
        before as (select * from ({HELD}) where as_of = ?),
        codes as (
            select rule_code, max(rule_name_zh) as name_zh, max(severity) as severity
            from (select rule_code, rule_name_zh, severity from now
                  union all select rule_code, rule_name_zh, severity from before)
            group by rule_code
        )
        select c.rule_code, coalesce(rc.name_zh, c.name_zh), coalesce(rc.severity, c.severity),
               (select count(*) from now n where n.rule_code = c.rule_code),
               (select count(distinct n.institution_code) from now n
                 where n.rule_code = c.rule_code),
               (select count(*) from now n where n.rule_code = c.rule_code
                 and n.finding_id not in (select finding_id from before)),
               (select count(*) from before b where b.rule_code = c.rule_code
                 and b.finding_id not in (select finding_id from now))
        from codes c left join marts.rule_catalog rc on rc.rule_code = c.rule_code
        order by {severity_rank("coalesce(rc.severity, c.severity)")},
                 4 desc, c.rule_code
        """,
        [as_of, previous],
    ).fetchall()
    worst = con.execute(
        f"""
        with first as ({first_seen_sql()}),
        ranked as (
            select h.rule_code, h.detail_zh, f.first_seen,
                   date_diff('day', f.first_seen, h.as_of) as open_days,
                   row_number() over (
                       partition by h.rule_code
                       order by abs(coalesce(try_cast(h.measured as double), 0)
                                    - coalesce(try_cast(h.allowed as double), 0)) desc,
                                f.first_seen, h.detail_zh
                   ) as rank
            from ({HELD}) h join first f using (finding_id)
            where h.as_of = ?
        )
        select rule_code, detail_zh, first_seen, open_days from ranked
        where rank <= ? order by rule_code, rank
        """,
        [as_of, as_of, 4 * WORST_CASES],
    ).fetchall()
    cases: dict[str, list[Case]] = {}
    for rule_code, detail, first_seen, open_days in worst:
        chosen = cases.setdefault(rule_code, [])
        # one sentence once: a person-level finding per slot unit may repeat the same words
        if len(chosen) < WORST_CASES and all(c.detail != (detail or "") for c in chosen):
            chosen.append(Case(detail or "", first_seen, int(open_days)))
    return [
        RuleFindings(
            r[0], r[1], r[2], int(r[3]), int(r[4]), int(r[5]), int(r[6]), cases.get(r[0], [])
        )
        for r in counts
    ]


def _institutions(con: duckdb.DuckDBPyConnection, as_of: date) -> dict[str, int]:
    rows = con.execute(
        "select category, count(*) from marts.institutions where as_of = ? and is_active "
        "group by category order by case category when '行政机关' then 1 "
        "when '参公事业单位' then 2 when '事业单位' then 3 else 4 end",
        [as_of],
    ).fetchall()
    return {r[0]: int(r[1]) for r in rows}


def _load(con: duckdb.DuckDBPyConnection, as_of: date) -> LoadSummary | None:
    if not table_exists(con, "audit.load_report"):
        return None
    rows = con.execute(
        f"""
        select source, file_name, coalesce(rows_read, 0), coalesce(rows_loaded, 0),
               coalesce(rows_quarantined, 0), coalesce(carried_forward, false)
        from audit.load_report where batch_date = ? order by {SOURCE_ORDER}, file_name
        """,
        [as_of],
    ).fetchall()
    by_source = [
        (SOURCE_ZH.get(r[0], r[0]), r[1], int(r[2]), int(r[3]), int(r[4]), bool(r[5])) for r in rows
    ]
    return LoadSummary(
        files=len(rows),
        carried=sum(1 for r in by_source if r[5]),
        rows_read=sum(r[2] for r in by_source),
        rows_loaded=sum(r[3] for r in by_source),
        rows_quarantined=sum(r[4] for r in by_source),
        by_source=by_source,
    )


def gather(con: duckdb.DuckDBPyConnection, as_of: date) -> ReportData:
    previous = previous_batch(con, as_of)
    return ReportData(
        county=county_name(con, as_of),
        as_of=as_of,
        previous=previous,
        institutions_by_category=_institutions(con, as_of),
        quota_totals=_quota_totals(con, as_of),
        previous_quota_totals=_quota_totals(con, previous) if previous else None,
        townships=_townships(con, as_of),
        workforce=_workforce(con, as_of),
        previous_workforce=_workforce(con, previous) if previous else None,
        township_leaders=_township_leaders(con, as_of),
        rules=_rules(con, as_of, previous),
        load=_load(con, as_of),
    )
