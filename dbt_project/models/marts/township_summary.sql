{{ incremental_by_batch('as_of') }}
{%- set pending = pending_batches() %}

-- Grain: one row per as_of (batch date) × township_code × quota_type: the 乡镇-level
-- institutions of the township added up; vacancy and overstaffed_by are taken on the totals.

with

staffing as (
    select * from {{ ref('int_staffing_reconciled') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

townships as (
    select * from {{ ref('stg_raw__townships') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

totals as (
    select
        batch_date,
        township_code,
        quota_type,
        sum(authorized) as authorized,
        sum(occupied) as occupied
    from staffing
    where institution_level = '乡镇' and township_code is not null
    group by batch_date, township_code, quota_type
)

select
    cast(totals.batch_date as date) as as_of,
    cast(totals.township_code as varchar) as township_code,
    cast(townships.township_name as varchar) as township_name,
    cast(totals.quota_type as varchar) as quota_type,
    cast(totals.authorized as integer) as authorized,
    cast(totals.occupied as integer) as occupied,
    cast(greatest(totals.authorized - totals.occupied, 0) as integer) as vacancy,
    cast(greatest(totals.occupied - totals.authorized, 0) as integer) as overstaffed_by
from totals
left join townships
    on townships.batch_date = totals.batch_date
    and townships.township_code = totals.township_code
