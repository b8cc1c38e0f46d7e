-- marts hold no identity number (warehouse.md): no column named like one, person_key is 16 hex
-- characters, and no person name or sentence carries an 18-character identity number.
-- Severity error: a leak blocks publishing.

with

id_columns as (
    select
        'column ' || table_name || '.' || column_name as problem
    from information_schema.columns
    where table_schema = 'marts'
        and (column_name like '%id_number%' or column_name like '%身份证%')
),

roster_values as (
    select
        'marts.roster row ' || cast(source_row_number as varchar) || ' of ' || cast(as_of as varchar)
            as problem
    from {{ ref('roster') }}
    where {{ tested_batches_filter('as_of') }}
        and (not regexp_full_match(person_key, '[0-9a-f]{16}')
            or regexp_matches(coalesce(name, ''), '[0-9]{17}[0-9X]'))
),

finding_values as (
    select
        'marts.findings ' || finding_id as problem
    from {{ ref('findings') }}
    where not regexp_full_match(coalesce(person_key, '0000000000000000'), '[0-9a-f]{16}')
        or regexp_matches(coalesce(person_name, '') || detail_zh, '[0-9]{17}[0-9X]')
)

select * from id_columns
union all
select * from roster_values
union all
select * from finding_values
