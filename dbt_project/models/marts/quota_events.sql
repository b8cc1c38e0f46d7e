{{ incremental_by_batch('as_of') }}
{%- set pending = pending_batches() %}

-- Grain: one row per as_of (batch date) × grant row (file_name, source_row_number): the ledger
-- as it stood at each batch, event by event.

with

events as (
    select * from {{ ref('int_quota_events_sequenced') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

institutions as (
    select * from {{ ref('int_institutions_resolved') }}
    where {{ in_pending_batches('batch_date', pending) }}
)

select
    cast(events.batch_date as date) as as_of,
    cast(events.institution_code as varchar) as institution_code,
    cast(coalesce(institutions.institution_name, events.unit_text) as varchar)
        as institution_name,
    cast(events.item as varchar) as item,
    cast(events.kind as varchar) as kind,
    cast(events.doc_no as varchar) as doc_no,
    cast(events.approved_on as date) as approved_on,
    cast(events.effective_on as date) as effective_on,
    cast(events.change_type as varchar) as change,
    cast(events.amount as integer) as amount,
    cast(events.value_after as integer) as value_after,
    cast(events.note as varchar) as note,
    cast(events.is_effective as boolean) as is_effective,
    cast(events.event_seq as integer) as event_seq,
    cast(events.is_end_of_day as boolean) as is_end_of_day,
    cast(events.unit_code as varchar) as unit_code,
    cast(events.file_name as varchar) as file_name,
    cast(events.source_row_number as integer) as source_row_number
from events
left join institutions
    on institutions.batch_date = events.batch_date
    and institutions.institution_code = events.institution_code
