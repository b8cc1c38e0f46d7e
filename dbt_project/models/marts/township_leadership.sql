{{ incremental_by_batch('as_of') }}
{%- set pending = pending_batches() %}

-- Grain: one row per as_of (batch date) × township_code, every township of the batch (0 leaders
-- and 0 staff, leader_ratio NULL, where nobody works at its 乡镇-level institutions).

with

townships as (
    select * from {{ ref('stg_raw__townships') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

workforce as (
    select * from {{ ref('int_workforce_aggregated') }}
    where {{ in_pending_batches('batch_date', pending) }}
        and scope = 'township'
)

select
    cast(townships.batch_date as date) as as_of,
    cast(townships.township_code as varchar) as township_code,
    cast(townships.township_name as varchar) as township_name,
    cast(coalesce(workforce.leaders, 0) as integer) as leaders,
    cast(coalesce(workforce.staff, 0) as integer) as staff,
    cast(workforce.leader_ratio as double) as leader_ratio,
    cast(coalesce(workforce.headcount, 0) as integer) as headcount
from townships
left join workforce
    on workforce.batch_date = townships.batch_date
    and workforce.scope_code = townships.township_code
