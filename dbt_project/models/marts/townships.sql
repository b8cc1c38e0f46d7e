{{ incremental_by_batch('as_of') }}
{%- set pending = pending_batches() %}

-- Grain: one row per as_of (batch date) × township_code.

with

townships as (
    select * from {{ ref('stg_raw__townships') }}
    where {{ in_pending_batches('batch_date', pending) }}
)

select
    cast(batch_date as date) as as_of,
    cast(township_code as varchar) as township_code,
    cast(township_name as varchar) as township_name,
    cast(township_kind as varchar) as township_kind,
    cast(township_class as varchar) as township_class,
    cast(population as bigint) as population,
    cast(area_km2 as double) as area_km2
from townships
