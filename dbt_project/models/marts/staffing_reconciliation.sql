{{ incremental_by_batch('as_of') }}
{%- set pending = pending_batches() %}

-- Grain: one row per as_of (batch date) × institution_code × quota_type.

with

staffing as (
    select * from {{ ref('int_staffing_reconciled') }}
    where {{ in_pending_batches('batch_date', pending) }}
)

select
    cast(batch_date as date) as as_of,
    cast(institution_code as varchar) as institution_code,
    cast(institution_name as varchar) as institution_name,
    cast(township_code as varchar) as township_code,
    cast(quota_type as varchar) as quota_type,
    cast(authorized as integer) as authorized,
    cast(occupied as integer) as occupied,
    cast(vacancy as integer) as vacancy,
    cast(overstaffed_by as integer) as overstaffed_by
from staffing
