{{ config(materialized='table') }}

{#- worker-type terms (base age 50 for women): 工勤人员, or anyone on a 工勤技能岗位 -#}
{%- set is_worker_type = "(coalesce(person_category = '工勤人员', false)"
    ~ " or coalesce(post_type = '工勤技能岗位', false))" %}

-- Grain: one row per batch_date × roster row (file_name, source_row_number). Every roster row
-- is kept: units that resolve to nothing are flagged, never guessed.

with

roster as (
    select * from {{ ref('stg_raw__roster') }}
),

institutions as (
    select * from {{ ref('int_institutions_resolved') }}
),

unit_names as (
    select * from {{ ref('int_unit_names_ranked') }}
),

units_resolved as (
    select
        roster.*,
        {{ unit_resolution_code('slot') }} as slot_unit_code,
        {{ unit_resolution_method('slot') }} as slot_resolution,
        (roster.work_code is not null or roster.work_name is not null) as work_given,
        {{ unit_resolution_code('work') }} as given_work_unit_code,
        {{ unit_resolution_method('work') }} as given_work_resolution
    from roster
    {{ unit_resolution_joins('roster', 'slot_code', 'slot_name', 'slot') }}
    {{ unit_resolution_joins('roster', 'work_code', 'work_name', 'work') }}
),

-- work unit: the resolved 工作单位, or the slot unit where it is blank
work_units as (
    select
        units_resolved.*,
        case when work_given then given_work_unit_code else slot_unit_code end as work_unit_code,
        case when work_given then given_work_resolution else 'slot' end as work_resolution
    from units_resolved
),

with_institutions as (
    select
        work_units.*,
        slot_unit.institution_name as slot_unit_name,
        slot_unit.institution_category as slot_unit_category,
        slot_unit.is_revoked as slot_unit_is_revoked,
        slot_unit.revoked_on as slot_unit_revoked_on,
        slot_unit.counting_institution_code as slot_institution_code,
        work_unit.institution_name as work_unit_name,
        work_unit.is_revoked as work_unit_is_revoked,
        work_unit.revoked_on as work_unit_revoked_on,
        work_unit.counting_institution_code as work_institution_code
    from work_units
    left join institutions as slot_unit
        on slot_unit.batch_date = work_units.batch_date
        and slot_unit.institution_code = work_units.slot_unit_code
    left join institutions as work_unit
        on work_unit.batch_date = work_units.batch_date
        and work_unit.institution_code = work_units.work_unit_code
),

with_counting_institutions as (
    select
        with_institutions.*,
        slot_institution.institution_name as slot_institution_name,
        slot_institution.institution_category as slot_institution_category,
        slot_institution.is_revoked as slot_institution_is_revoked,
        slot_institution.revoked_on as slot_institution_revoked_on,
        slot_institution.township_code as township_code,
        work_institution.institution_name as work_institution_name,
        work_institution.institution_category as work_institution_category,
        work_institution.institution_rank as work_institution_rank,
        work_institution.institution_level as work_institution_level,
        work_institution.township_code as work_institution_township_code,
        work_institution.is_revoked as work_institution_is_revoked,
        work_institution.revoked_on as work_institution_revoked_on
    from with_institutions
    left join institutions as slot_institution
        on slot_institution.batch_date = with_institutions.batch_date
        and slot_institution.institution_code = with_institutions.slot_institution_code
    left join institutions as work_institution
        on work_institution.batch_date = with_institutions.batch_date
        and work_institution.institution_code = with_institutions.work_institution_code
),

final as (
    select
        batch_date,
        file_name || ':' || cast(source_row_number as varchar) as roster_row_id,
        file_name,
        source_row_number,
        id_number,
        -- one identity for counting: the identity number, or the row where there is none
        coalesce(id_number, 'row:' || file_name || ':' || cast(source_row_number as varchar))
            as identity_key,
        person_key,
        id_valid,
        id_problem,
        person_name,
        {{ fold_text('person_name') }} as person_name_folded,
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
