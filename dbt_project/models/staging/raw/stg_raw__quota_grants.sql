with

source as (
    select * from {{ source('raw', 'quota_grants') }}
),

renamed as (
    select
        cast(batch_date as date) as batch_date,
        cast(source_batch_date as date) as source_batch_date,
        cast(file_name as varchar) as file_name,
        cast(row_number as integer) as source_row_number,
        cast(doc_no as varchar) as doc_no,
        cast(approved_on as date) as approved_on,
        cast(effective_on as date) as effective_on,
        cast(institution_code as varchar) as institution_code,
        cast(institution_name as varchar) as institution_name,
        cast(item as varchar) as item,
        cast(kind as varchar) as kind,
        cast(change as varchar) as change_type,
        cast(amount as integer) as amount,
        cast(note as varchar) as note
    from source
)

select * from renamed
