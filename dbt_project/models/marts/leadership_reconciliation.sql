{{ incremental_by_batch('as_of') }}
{%- set pending = pending_batches() %}

-- Grain: one row per as_of (batch date) × institution_code × leadership_kind.

with

leadership as (
    select * from {{ ref('int_leadership_reconciled') }}
    where {{ in_pending_batches('batch_date', pending) }}
)

select
    cast(batch_date as date) as as_of,
    cast(institution_code as varchar) as institution_code,
    cast(institution_name as varchar) as institution_name,
    cast(township_code as varchar) as township_code,
    cast(leadership_kind as varchar) as leadership_kind,
    cast(authorized as integer) as authorized,
    cast(actual as integer) as actual,
    cast(greatest(actual - authorized, 0) as integer) as over_by
from leadership
