{{ config(materialized='view') }}

-- Grain: one row per as_of (batch date) × roster row (file_name, source_row_number). No
-- identity number: person_key only.
-- A view, not a table: the rows are int_roster_resolved's (itself a view: the roster's rows
-- joined to their resolved units), renamed and narrowed. As a table they were written a second
-- time every night — at province scale 2 M rows and 5 s of the dbt build, at 20 M rows ~50 s —
-- for a projection any reader computes at little cost (docs/benchmarks.md).

with

roster as (
    select * from {{ ref('int_roster_resolved') }}
)

select
    cast(batch_date as date) as as_of,
    cast(person_key as varchar) as person_key,
    cast(person_name as varchar) as name,
    cast(gender as varchar) as gender,
    cast(birth_date as date) as birth_date,
    cast(age as integer) as age,
    cast(person_category as varchar) as person_category,
    cast(quota_type as varchar) as quota_type,
    cast(slot_institution_code as varchar) as slot_institution_code,
    cast(slot_institution_name as varchar) as slot_institution_name,
    cast(work_institution_code as varchar) as work_institution_code,
    cast(work_institution_name as varchar) as work_institution_name,
    cast(coalesce(work_unit_name, work_unit_text) as varchar) as work_unit_name,
    cast(township_code as varchar) as township_code,
    cast(title as varchar) as title,
    cast(leadership as varchar) as leadership,
    cast(grade as varchar) as grade,
    cast(post_type as varchar) as post_type,
    cast(status as varchar) as status,
    cast(education as varchar) as education,
    cast(slot_since as date) as slot_since,
    cast(retirement_date as date) as retirement_date,
    cast(id_valid as boolean) as id_valid,
    cast(id_problem as varchar) as id_problem,
    cast(work_since as date) as work_since,
    cast(slot_unit_code as varchar) as slot_unit_code,
    cast(coalesce(slot_unit_name, slot_unit_text) as varchar) as slot_unit_name,
    cast(work_unit_code as varchar) as work_unit_code,
    cast(file_name as varchar) as file_name,
    cast(source_row_number as integer) as source_row_number
from roster
