{{ incremental_by_batch() }}
{%- set pending = pending_batches() %}

-- Grain: one row per batch_date × grant row (file_name, source_row_number): the ledger as it
-- stands at each batch, event by event (contract README, "Ledger semantics").
--   * per (institution, item, kind), events apply in effective_on order, a 核定 before the adds
--     and subtractions of its own date;
--   * a 核定 sets the value (the events before it no longer count), 核增/划入 add,
--     核减/划出/收回 subtract; before any 核定 the value starts at 0;
--   * events effective after the batch date do not count yet (is_effective false, value NULL).
-- value_after is the ledger value right after the event; is_end_of_day marks the last event of
-- its date, whose value_after is the value at the end of that date (NEGATIVE_QUOTA).
-- A grant naming a 内设机构 counts at its parent (a 内设机构 holds no quota of its own).

with

grants as (
    select * from {{ ref('stg_raw__quota_grants') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

institutions as (
    select * from {{ ref('int_institutions_resolved') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

unit_names as (
    select * from {{ ref('int_unit_names_ranked') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

resolved as (
    select
        grants.*,
        {{ unit_resolution_code('grant') }} as unit_code,
        {{ unit_resolution_method('grant') }} as resolution
    from grants
    {{ unit_resolution_joins('grants', 'institution_code', 'institution_name', 'grant') }}
),

attributed as (
    select
        resolved.batch_date,
        resolved.file_name,
        resolved.source_row_number,
        resolved.doc_no,
        resolved.approved_on,
        resolved.effective_on,
        resolved.institution_code as given_institution_code,
        resolved.institution_name as given_institution_name,
        coalesce(resolved.institution_name, resolved.institution_code) as unit_text,
        resolved.unit_code,
        resolved.resolution,
        unit.counting_institution_code as institution_code,
        resolved.item,
        resolved.kind,
        resolved.change_type,
        resolved.amount,
        resolved.note,
        case
            when resolved.change_type = '核定' then resolved.amount
            when resolved.change_type in ('核增', '划入') then resolved.amount
            when resolved.change_type in ('核减', '划出', '收回') then -resolved.amount
        end as signed_amount,
        resolved.effective_on <= resolved.batch_date as is_effective
    from resolved
    left join institutions as unit
        on unit.batch_date = resolved.batch_date
        and unit.institution_code = resolved.unit_code
),

ordered as (
    select
        attributed.*,
        row_number() over (
            partition by batch_date, institution_code, item, kind
            order by
                effective_on,
                case when change_type = '核定' then 0 else 1 end,
                approved_on nulls first,
                file_name,
                source_row_number
        ) as event_seq
    from attributed
    where is_effective and institution_code is not null
),

reset_groups as (
    select
        ordered.*,
        sum(case when change_type = '核定' then 1 else 0 end) over (
            partition by batch_date, institution_code, item, kind
            order by event_seq
            rows between unbounded preceding and current row
        ) as reset_group
    from ordered
),

valued as (
    select
        reset_groups.*,
        sum(signed_amount) over (
            partition by batch_date, institution_code, item, kind, reset_group
            order by event_seq
            rows between unbounded preceding and current row
        ) as value_after,
        event_seq = max(event_seq) over (
            partition by batch_date, institution_code, item, kind, effective_on
        ) as is_end_of_day
    from reset_groups
),

final as (
    select
        attributed.batch_date,
        attributed.file_name,
        attributed.source_row_number,
        attributed.doc_no,
        attributed.approved_on,
        attributed.effective_on,
        attributed.given_institution_code,
        attributed.given_institution_name,
        attributed.unit_text,
        attributed.unit_code,
        attributed.resolution,
        attributed.unit_code is null as unit_unresolved,
        attributed.institution_code,
        attributed.item,
        attributed.kind,
        attributed.change_type,
        attributed.amount,
        attributed.signed_amount,
        attributed.note,
        attributed.is_effective,
        valued.event_seq,
        cast(valued.value_after as bigint) as value_after,
        coalesce(valued.is_end_of_day, false) as is_end_of_day
    from attributed
    left join valued
        on valued.batch_date = attributed.batch_date
        and valued.file_name = attributed.file_name
        and valued.source_row_number = attributed.source_row_number
)

select * from final
