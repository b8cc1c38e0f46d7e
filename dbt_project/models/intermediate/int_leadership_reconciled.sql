{{ incremental_by_batch() }}
{%- set pending = pending_batches() %}

-- Grain: one row per batch_date × institution_code × leadership_kind, for every (institution,
-- kind) with a 领导职数 ledger entry or with leaders. authorized: the ledger value as of the
-- batch date (0 where there is none); actual: roster rows whose work institution is the
-- institution (a 内设机构 work unit counts at its parent) and whose leadership is the kind.

with

ledger as (
    select * from {{ ref('int_quota_ledger_evaluated') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

roster as (
    select * from {{ ref('int_roster_resolved') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

institutions as (
    select * from {{ ref('int_institutions_resolved') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

authorized as (
    select
        batch_date,
        institution_code,
        kind as leadership_kind,
        authorized
    from ledger
    where item = '领导职数'
),

leaders as (
    select
        batch_date,
        work_institution_code as institution_code,
        leadership as leadership_kind,
        count(*) as actual
    from roster
    where leadership <> '无' and work_institution_code is not null
    group by batch_date, work_institution_code, leadership
),

reconciled as (
    select
        coalesce(authorized.batch_date, leaders.batch_date) as batch_date,
        coalesce(authorized.institution_code, leaders.institution_code) as institution_code,
        coalesce(authorized.leadership_kind, leaders.leadership_kind) as leadership_kind,
        coalesce(authorized.authorized, 0) as authorized,
        coalesce(leaders.actual, 0) as actual
    from authorized
    full outer join leaders
        on leaders.batch_date = authorized.batch_date
        and leaders.institution_code = authorized.institution_code
        and leaders.leadership_kind = authorized.leadership_kind
),

final as (
    select
        reconciled.batch_date,
        reconciled.institution_code,
        institutions.institution_name,
        institutions.institution_category,
        institutions.institution_level,
        institutions.township_code,
        institutions.is_revoked,
        institutions.revoked_on,
        reconciled.leadership_kind,
        cast(reconciled.authorized as bigint) as authorized,
        cast(reconciled.actual as bigint) as actual
    from reconciled
    left join institutions
        on institutions.batch_date = reconciled.batch_date
        and institutions.institution_code = reconciled.institution_code
)

select * from final
