{{ config(materialized='view') }}

{#- worker-type terms (base age 50 for women): 工勤人员, or anyone on a 工勤技能岗位 -#}
{%- set is_worker_type = "(coalesce(person_category = '工勤人员', false)"
    ~ " or coalesce(post_type = '工勤技能岗位', false))" %}

-- Grain: one row per batch_date × roster row (file_name, source_row_number). Every roster row
-- is kept: units that resolve to nothing are flagged, never guessed.
-- A view, not a table: each row is a roster row joined to its slot and work units, resolved once
-- per distinct reference in int_roster_units_resolved (incremental by batch). The models that
-- read it filter on their pending batches; DuckDB carries that filter into the roster's scan
-- and, written as = or a range (in_pending_batches), across the joins into the references'.
-- As a table the roster's rows were written a second time every night, with 18 institution
-- attributes copied onto each: at L (2 M rows) ~6.5 s of `create table as` for a 1.3 s query;
-- the joins now cost the four models that read it ~1.5 s more (docs/benchmarks.md).

with

roster as (
    select * from {{ ref('stg_raw__roster') }}
),

-- not materialized: read twice (slot and work unit), where DuckDB would otherwise copy every
-- batch's references before the reader's batch filter reaches them
unit_attributes as not materialized (
    select * from {{ ref('int_roster_units_resolved') }}
),

-- work unit: the resolved 工作单位, or the slot unit where it is blank
keyed as (
    select
        roster.*,
        (roster.work_code is not null or roster.work_name is not null) as work_given
    from roster
),

with_counting_institutions as (
    select
        keyed.*,
        slot.unit_code as slot_unit_code,
        slot.resolution as slot_resolution,
        work.unit_code as work_unit_code,
        case when keyed.work_given then work.resolution else 'slot' end as work_resolution,
        slot.unit_name as slot_unit_name,
        slot.unit_category as slot_unit_category,
        slot.unit_is_revoked as slot_unit_is_revoked,
        slot.unit_revoked_on as slot_unit_revoked_on,
        slot.counting_code as slot_institution_code,
        work.unit_name as work_unit_name,
        work.unit_is_revoked as work_unit_is_revoked,
        work.unit_revoked_on as work_unit_revoked_on,
        work.counting_code as work_institution_code,
        slot.counting_name as slot_institution_name,
        slot.counting_category as slot_institution_category,
        slot.counting_is_revoked as slot_institution_is_revoked,
        slot.counting_revoked_on as slot_institution_revoked_on,
        slot.counting_township_code as township_code,
        work.counting_name as work_institution_name,
        work.counting_category as work_institution_category,
        work.counting_rank as work_institution_rank,
        work.counting_level as work_institution_level,
        work.counting_township_code as work_institution_township_code,
        work.counting_is_revoked as work_institution_is_revoked,
        work.counting_revoked_on as work_institution_revoked_on
    from keyed
    left join unit_attributes as slot
        on slot.batch_date = keyed.batch_date
        and slot.given_code is not distinct from keyed.slot_code
        and slot.given_name is not distinct from keyed.slot_name
    left join unit_attributes as work
        on work.batch_date = keyed.batch_date
        and work.given_code is not distinct from
            (case when keyed.work_given then keyed.work_code else keyed.slot_code end)
        and work.given_name is not distinct from
            (case when keyed.work_given then keyed.work_name else keyed.slot_name end)
),

final as (
    select
        batch_date,
        file_name,
        source_row_number,
        id_number,
        person_key,
        id_valid,
        id_problem,
        person_name,
        gender,
        birth_date,
        person_category,
        quota_type,
        title,
        leadership,
        grade,
        post_type,
        slot_since,
        status,
        education,
        work_since,

        slot_code,
        slot_name,
        coalesce(slot_name, slot_code) as slot_unit_text,
        slot_unit_code,
        slot_resolution,
        slot_unit_code is null as slot_unresolved,
        slot_unit_name,
        slot_unit_category,
        slot_unit_is_revoked,
        slot_unit_revoked_on,
        slot_institution_code,
        slot_institution_name,
        slot_institution_category,
        slot_institution_is_revoked,
        slot_institution_revoked_on,
        township_code,

        work_code,
        work_name,
        work_given,
        coalesce(work_name, work_code) as work_unit_text,
        work_unit_code,
        work_resolution,
        (work_given and work_unit_code is null) as work_unresolved,
        work_unit_name,
        work_unit_is_revoked,
        work_unit_revoked_on,
        work_institution_code,
        work_institution_name,
        work_institution_category,
        work_institution_rank,
        work_institution_level,
        work_institution_township_code,
        work_institution_is_revoked,
        work_institution_revoked_on,

        {{ age_on('birth_date', 'batch_date') }} as age,
        {{ is_worker_type }} as is_worker_type,
        {{ retirement_age_months('birth_date', 'gender', is_worker_type) }}
            as retirement_age_months,
        {{ retirement_date('birth_date', 'gender', is_worker_type) }} as retirement_date
    from with_counting_institutions
)

select * from final
