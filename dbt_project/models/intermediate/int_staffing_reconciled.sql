{{ incremental_by_batch() }}
{%- set pending = pending_batches() %}

-- Grain: one row per batch_date × institution_code × quota_type, for every (institution, type)
-- with a 编制 ledger entry or with people on it. authorized: the ledger value as of the batch
-- date (0 where there is none, negative included); occupied: roster rows whose slot unit counts
-- at the institution (a 内设机构 counts at its parent) on that quota_type, each identity number
-- once (a row without a number counts as itself).

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
        kind as quota_type,
        authorized
    from ledger
    where item = '编制'
),

occupancy as (
    select
        batch_date,
        slot_institution_code as institution_code,
        quota_type,
        -- each identity number once, each row without one as itself
        count(distinct id_number) + count(*) filter (where id_number is null) as occupied
    from roster
    where quota_type <> '无' and slot_institution_code is not null
    group by batch_date, slot_institution_code, quota_type
),

reconciled as (
    select
        coalesce(authorized.batch_date, occupancy.batch_date) as batch_date,
        coalesce(authorized.institution_code, occupancy.institution_code) as institution_code,
        coalesce(authorized.quota_type, occupancy.quota_type) as quota_type,
        coalesce(authorized.authorized, 0) as authorized,
        coalesce(occupancy.occupied, 0) as occupied
    from authorized
    full outer join occupancy
        on occupancy.batch_date = authorized.batch_date
        and occupancy.institution_code = authorized.institution_code
        and occupancy.quota_type = authorized.quota_type
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
        reconciled.quota_type,
        cast(reconciled.authorized as bigint) as authorized,
        cast(reconciled.occupied as bigint) as occupied,
        cast(greatest(reconciled.authorized - reconciled.occupied, 0) as bigint) as vacancy,
        cast(greatest(reconciled.occupied - reconciled.authorized, 0) as bigint) as overstaffed_by
    from reconciled
    left join institutions
        on institutions.batch_date = reconciled.batch_date
        and institutions.institution_code = reconciled.institution_code
)

select * from final
