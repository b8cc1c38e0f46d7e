"""The core reconciliation as plain hand-written DuckDB SQL: the physical limit of the pipeline.

Why it exists: `bianzhi run` pays for Dagster, dbt and checks on top of the SQL that actually
reconciles. This module does only that SQL — csv in (bench.rawdata), a .duckdb file out — so
`pipeline / raw` says how much the framework costs at each scale.

Semantics (contract/rules.md), per batch date D, shared with bench.pandas_engine to the letter:

- unit reference → institution: the code where given and known in D's registry; else the exact
  name of an institution active at D (tier 1), revoked (2), not yet established (3), then one of
  its 加挂牌子 in the same order (4–6); else the same keys after folding full-width characters
  and removing all whitespace; ties go to the smallest code. A 内设机构 counts at its parent
  (for slots, work units and grants alike). Work unit blank (code and name) = the slot unit.
  This is the order dbt_project/models/intermediate/int_unit_names_ranked.sql implements.
- ledger(I, item, kind) at D: the latest 核定 with effective_on ≤ D (0 if none) plus adds minus
  subtractions with effective_on ≤ D on or after that 核定's date.
- occupied(I, T): distinct identity numbers per (slot institution, quota_type ≠ 无); a row
  without an identity number counts once.
- leaders(I, K): rows whose work institution is I and leadership K ≠ 无.
- MIXED_QUOTA: 行政/政法专项编制 in a 事业单位 or 参公事业单位, or 事业编制 in a 行政机关 (slot).
- SECONDED: work institution ≠ slot institution (both resolved), or status 借调.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from bench.schema import (
    ADD_CHANGES,
    ALIAS_SEPARATORS,
    FOLDED_CLASS,
    FULL_WIDTH,
    HALF_WIDTH,
    RAW_COLUMNS,
    SUB_CHANGES,
    csv_path,
)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _read_csv(csv_dir: Path, table: str) -> str:
    path = str(csv_path(csv_dir, table)).replace("'", "''")
    columns = ", ".join(f"'{c}': '{t}'" for c, t in RAW_COLUMNS[table].items())
    # The dialect is stated, not sniffed: the sniffer looks at the first 20,480 rows only, and a
    # quoted note (a comma inside) further down then fails the whole read (seen at L).
    return (
        f"read_csv('{path}', header = true, delim = ',', quote = '\"', escape = '\"', "
        f"columns = {{{columns}}})"
    )


def reconcile_sql(csv_dir: Path) -> list[str]:
    """The statements, in order; outputs are the tables staffing, leadership, person_flags."""
    adds = ", ".join(f"'{c}'" for c in ADD_CHANGES)
    subs = ", ".join(f"'{c}'" for c in SUB_CHANGES)
    return [
        # translate() only where there is something to fold (as dbt's fold_text macro)
        f"create temp macro fold(x) as case when regexp_matches(x, {_literal(FOLDED_CLASS)}) "
        "then regexp_replace("
        f"translate(x, {_literal(FULL_WIDTH)}, {_literal(HALF_WIDTH)}), '\\s', '', 'g') "
        "else x end",
        f"""create temp table inst as
            select batch_date, institution_code, name, category, parent_code, alias_names,
                   case when (established_on is null or established_on <= batch_date)
                             and (revoked_on is null or revoked_on > batch_date) then 1
                        when revoked_on <= batch_date then 2
                        else 3 end as status_rank
            from {_read_csv(csv_dir, "institutions")}""",
        """create temp table inst_one as
            select batch_date, institution_code, min(category) as category,
                   min(parent_code) as parent_code
            from inst group by all""",
        f"""create temp table lookup as
            with keys as (
                select batch_date, institution_code, name as key, status_rank as tier
                from inst where name is not null
                union all
                select batch_date, institution_code, trim(a), 3 + status_rank
                from (select batch_date, institution_code, status_rank,
                             unnest(regexp_split_to_array(alias_names, '{ALIAS_SEPARATORS}')) as a
                      from inst where alias_names is not null)
            )
            select batch_date, key, tier, institution_code from keys where key <> ''
            union all
            select batch_date, fold(key), 10 + tier, institution_code from keys
            where fold(key) <> ''""",
        f"""create temp table roster as
            select batch_date, person_key, id_number, quota_type, slot_code, slot_name,
                   work_code, work_name, leadership, status
            from {_read_csv(csv_dir, "roster")}""",
        f"""create temp table grants as
            select batch_date, institution_code, institution_name, item, kind, change,
                   coalesce(amount, 0) as amount, effective_on
            from {_read_csv(csv_dir, "quota_grants")}
            where effective_on <= batch_date""",
        """create temp table ref_code as
            with refs as (
                select distinct batch_date, ref from (
                    select batch_date, slot_name as ref from roster
                    union all select batch_date, work_name from roster
                    union all select batch_date, institution_name from grants
                ) where ref is not null
            ), candidates as (
                select r.batch_date, r.ref, l.tier, l.institution_code
                from refs r join lookup l
                  on l.batch_date = r.batch_date and l.key = r.ref and l.tier < 10
                union all
                select r.batch_date, r.ref, l.tier, l.institution_code
                from refs r join lookup l
                  on l.batch_date = r.batch_date and l.key = fold(r.ref) and l.tier > 10
            )
            select batch_date, ref,
                   first(institution_code order by tier, institution_code) as code
            from candidates group by all""",
        """create temp table person as
            with units as (
                select r.*,
                       coalesce(sc.institution_code, sn.code) as slot_unit,
                       case when r.work_code is null and r.work_name is null
                            then coalesce(sc.institution_code, sn.code)
                            else coalesce(wc.institution_code, wn.code) end as work_unit
                from roster r
                left join inst_one sc
                  on sc.batch_date = r.batch_date and sc.institution_code = r.slot_code
                left join ref_code sn on sn.batch_date = r.batch_date and sn.ref = r.slot_name
                left join inst_one wc
                  on wc.batch_date = r.batch_date and wc.institution_code = r.work_code
                left join ref_code wn on wn.batch_date = r.batch_date and wn.ref = r.work_name
            ), mapped as (
                select u.*,
                       case when s.category = '内设机构' then s.parent_code else u.slot_unit end
                           as slot_inst,
                       case when w.category = '内设机构' then w.parent_code else u.work_unit end
                           as work_inst
                from units u
                left join inst_one s
                  on s.batch_date = u.batch_date and s.institution_code = u.slot_unit
                left join inst_one w
                  on w.batch_date = u.batch_date and w.institution_code = u.work_unit
            )
            select m.batch_date, m.person_key, m.id_number, m.quota_type, m.leadership,
                   m.status, m.slot_inst, m.work_inst, c.category as slot_category
            from mapped m
            left join inst_one c
              on c.batch_date = m.batch_date and c.institution_code = m.slot_inst""",
        f"""create temp table ledger as
            with g as (
                select u.batch_date,
                       case when i.category = '内设机构' then i.parent_code else u.unit end
                           as inst,
                       u.item, u.kind, u.change, u.amount, u.effective_on
                from (
                    select g.*, coalesce(c.institution_code, n.code) as unit
                    from grants g
                    left join inst_one c
                      on c.batch_date = g.batch_date and c.institution_code = g.institution_code
                    left join ref_code n
                      on n.batch_date = g.batch_date and n.ref = g.institution_name
                ) u
                left join inst_one i on i.batch_date = u.batch_date and i.institution_code = u.unit
            ), resets as (
                select batch_date, inst, item, kind, max(effective_on) as reset_on
                from g where change = '核定' group by all
            )
            select g.batch_date, g.inst, g.item, g.kind,
                   sum(case
                         when g.change = '核定' and g.effective_on = r.reset_on then g.amount
                         when g.change in ({adds})
                              and (r.reset_on is null or g.effective_on >= r.reset_on)
                           then g.amount
                         when g.change in ({subs})
                              and (r.reset_on is null or g.effective_on >= r.reset_on)
                           then -g.amount
                         else 0 end)::bigint as value
            from g left join resets r using (batch_date, inst, item, kind)
            where g.inst is not null
            group by all""",
        """create table staffing as
            with occ as (
                select batch_date, slot_inst as institution_code, quota_type,
                       (count(distinct id_number)
                        + count(*) filter (where id_number is null))::bigint as occupied
                from person
                where slot_inst is not null and quota_type is not null and quota_type <> '无'
                group by all
            ), auth as (
                select batch_date, inst as institution_code, kind as quota_type,
                       value as authorized
                from ledger where item = '编制'
            )
            select batch_date, institution_code, quota_type,
                   coalesce(a.authorized, 0) as authorized, coalesce(o.occupied, 0) as occupied,
                   greatest(coalesce(a.authorized, 0) - coalesce(o.occupied, 0), 0) as vacancy,
                   greatest(coalesce(o.occupied, 0) - coalesce(a.authorized, 0), 0)
                       as overstaffed_by
            from auth a full join occ o using (batch_date, institution_code, quota_type)""",
        """create table leadership as
            with act as (
                select batch_date, work_inst as institution_code, leadership as leadership_kind,
                       count(*)::bigint as actual
                from person
                where work_inst is not null and leadership is not null and leadership <> '无'
                group by all
            ), auth as (
                select batch_date, inst as institution_code, kind as leadership_kind,
                       value as authorized
                from ledger where item = '领导职数'
            )
            select batch_date, institution_code, leadership_kind,
                   coalesce(a.authorized, 0) as authorized, coalesce(t.actual, 0) as actual
            from auth a full join act t using (batch_date, institution_code, leadership_kind)""",
        """create table person_flags as
            select * from (
                select batch_date, person_key, slot_inst as slot_institution_code,
                       work_inst as work_institution_code, quota_type,
                       coalesce((quota_type in ('行政编制', '政法专项编制')
                                 and slot_category in ('事业单位', '参公事业单位'))
                                or (quota_type = '事业编制' and slot_category = '行政机关'),
                                false) as mixed_quota,
                       coalesce(status = '借调', false)
                       or coalesce(work_inst <> slot_inst, false) as seconded
                from person
            ) where mixed_quota or seconded""",
    ]


def reconcile(csv_dir: Path, out_db: Path, threads: int | None = None) -> dict[str, int]:
    """Run the reconciliation into a fresh `out_db`; return the row count of each output."""
    for stale in (out_db, out_db.with_name(out_db.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = duckdb.connect(str(out_db))
    try:
        if threads:
            con.execute(f"set threads = {int(threads)}")
        for statement in reconcile_sql(csv_dir):
            con.execute(statement)
        counts = {
            t: int(con.execute(f"select count(*) from {t}").fetchone()[0])
            for t in ("staffing", "leadership", "person_flags")
        }
        con.execute("checkpoint")
    finally:
        con.close()
    return counts
