with

source as (
    select * from {{ source('raw', 'roster') }}
),

renamed as (
    select
        cast(batch_date as date) as batch_date,
        cast(source_batch_date as date) as source_batch_date,
        cast(file_name as varchar) as file_name,
        cast(row_number as integer) as source_row_number,
        cast(id_number as varchar) as id_number,
        cast(person_key as varchar) as person_key,
        cast(id_valid as boolean) as id_valid,
        cast(id_problem as varchar) as id_problem,
        cast(name as varchar) as person_name,
        cast(gender as varchar) as gender,
        cast(birth_date as date) as birth_date,
        cast(person_category as varchar) as person_category,
        cast(quota_type as varchar) as quota_type,
        cast(slot_code as varchar) as slot_code,
        cast(slot_name as varchar) as slot_name,
        cast(work_code as varchar) as work_code,
        cast(work_name as varchar) as work_name,
        cast(title as varchar) as title,
        cast(leadership as varchar) as leadership,
        cast(grade as varchar) as grade,
        cast(post_type as varchar) as post_type,
        cast(slot_since as date) as slot_since,
        cast(status as varchar) as status,
        cast(education as varchar) as education,
        cast(work_since as date) as work_since
    from source
)

select * from renamed
