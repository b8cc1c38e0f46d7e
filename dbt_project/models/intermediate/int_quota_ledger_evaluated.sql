{{ incremental_by_batch() }}
{%- set pending = pending_batches() %}

-- Grain: one row per batch_date × institution_code × item × kind: the ledger value as of the
-- batch date (authorized, negative included) and the lowest value at the end of any event date
-- up to it (NEGATIVE_QUOTA keeps firing after a later 核定).

with

events as (
    select * from {{ ref('int_quota_events_sequenced') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

effective as (
    select *
    from events
    where is_effective and institution_code is not null
),

current_values as (
    select
        batch_date,
        institution_code,
        item,
        kind,
        value_after as authorized,
        event_seq as events_counted
    from (
        select
            effective.*,
            row_number() over (
                partition by batch_date, institution_code, item, kind
                order by event_seq desc
            ) as newest_first
        from effective
    ) as numbered
    where newest_first = 1
),

lowest_values as (
    select
        batch_date,
        institution_code,
        item,
        kind,
        value_after as lowest_value,
        effective_on as lowest_value_on
    from (
        select
            effective.*,
            row_number() over (
                partition by batch_date, institution_code, item, kind
                order by value_after, effective_on
            ) as lowest_first
        from effective
        where is_end_of_day
    ) as numbered
    where lowest_first = 1
),

final as (
    select
        current_values.batch_date,
        current_values.institution_code,
        current_values.item,
        current_values.kind,
        current_values.authorized,
        current_values.events_counted,
        lowest_values.lowest_value,
        lowest_values.lowest_value_on
    from current_values
    inner join lowest_values
        on lowest_values.batch_date = current_values.batch_date
        and lowest_values.institution_code = current_values.institution_code
        and lowest_values.item = current_values.item
        and lowest_values.kind = current_values.kind
)

select * from final
