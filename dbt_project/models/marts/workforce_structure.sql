{{ incremental_by_batch('as_of') }}
{%- set pending = pending_batches() %}

-- Grain: one row per as_of (batch date) × scope × scope_code; scope 'county' (scope_code NULL),
-- 'township' (people whose work institution is a 乡镇-level institution of the township) or
-- 'institution' (people whose work institution it is).

with

workforce as (
    select * from {{ ref('int_workforce_aggregated') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

townships as (
    select * from {{ ref('stg_raw__townships') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

institutions as (
    select * from {{ ref('int_institutions_resolved') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

named as (
    select
        workforce.*,
        case workforce.scope
            when 'county' then '全县（区）'
            when 'township' then townships.township_name
            else institutions.institution_name
        end as scope_name
    from workforce
    left join townships
        on workforce.scope = 'township'
        and townships.batch_date = workforce.batch_date
        and townships.township_code = workforce.scope_code
    left join institutions
        on workforce.scope = 'institution'
        and institutions.batch_date = workforce.batch_date
        and institutions.institution_code = workforce.scope_code
)

select
    cast(batch_date as date) as as_of,
    cast(scope as varchar) as scope,
    cast(scope_code as varchar) as scope_code,
    cast(scope_name as varchar) as scope_name,
    cast(township_code as varchar) as township_code,
    cast(headcount as integer) as headcount,
    cast(staff as integer) as staff,
    cast(staff_admin as integer) as staff_admin,
    cast(staff_public as integer) as staff_public,
    cast(staff_worker as integer) as staff_worker,
    cast(staff_judicial as integer) as staff_judicial,
    cast(staff_none as integer) as staff_none,
    cast(leaders as integer) as leaders,
    cast(leader_ratio as double) as leader_ratio,
    cast(age_under_30 as integer) as age_under_30,
    cast(age_30_44 as integer) as age_30_44,
    cast(age_45_plus as integer) as age_45_plus,
    cast(bachelor_plus as integer) as bachelor_plus,
    cast(bachelor_plus_share as double) as bachelor_plus_share
from named
