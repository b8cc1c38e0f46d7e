{{ incremental_by_batch() }}
{%- set pending = pending_batches() %}

-- Grain: one row per batch_date × unit reference a roster row gives (given_code, given_name):
-- its slot unit, and its work unit where one is given. Every reference is kept: one that
-- resolves to nothing has a NULL unit_code, never a guess.
-- Unit names are resolved here once per distinct reference (a few per institution), not once
-- per roster row; int_roster_resolved (a view) joins the rows to this table. Kept apart because
-- the roster rows themselves need not be written twice: at L (2 M rows) writing them again with
-- these attributes cost ~6.5 s a night, the joins ~1.5 s more across the models that read them.
-- Incremental by batch (macros/incremental_batches.sql): only the batches not built yet.

with

roster as (
    select * from {{ ref('stg_raw__roster') }}
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

-- every unit a row names: its slot unit, and its work unit where one is given
unit_refs as (
    select distinct batch_date, slot_code as given_code, slot_name as given_name
    from roster
    union
    select distinct batch_date, work_code as given_code, work_name as given_name
    from roster
    where work_code is not null or work_name is not null
),

-- the unit each distinct reference resolves to
unit_lookup as (
    select
        unit_refs.batch_date,
        unit_refs.given_code,
        unit_refs.given_name,
        {{ unit_resolution_code('ref') }} as unit_code,
        {{ unit_resolution_method('ref') }} as resolution
    from unit_refs
    {{ unit_resolution_joins('unit_refs', 'given_code', 'given_name', 'ref') }}
),

-- the unit's attributes, and the institution it counts at (a 内设机构 counts at its parent)
final as (
    select
        unit_lookup.batch_date,
        unit_lookup.given_code,
        unit_lookup.given_name,
        unit_lookup.unit_code,
        unit_lookup.resolution,
        unit.institution_name as unit_name,
        unit.institution_category as unit_category,
        unit.is_revoked as unit_is_revoked,
        unit.revoked_on as unit_revoked_on,
        unit.counting_institution_code as counting_code,
        counting.institution_name as counting_name,
        counting.institution_category as counting_category,
        counting.institution_rank as counting_rank,
        counting.institution_level as counting_level,
        counting.township_code as counting_township_code,
        counting.is_revoked as counting_is_revoked,
        counting.revoked_on as counting_revoked_on
    from unit_lookup
    left join institutions as unit
        on unit.batch_date = unit_lookup.batch_date
        and unit.institution_code = unit_lookup.unit_code
    left join institutions as counting
        on counting.batch_date = unit_lookup.batch_date
        and counting.institution_code = unit.counting_institution_code
)

select * from final
