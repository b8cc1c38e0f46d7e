with

source as (
    select * from {{ source('audit', 'batches') }}
),

renamed as (
    select
        cast(batch_date as date) as batch_date,
        cast(loaded_at as timestamp) as loaded_at,
        cast(landing_dir as varchar) as landing_dir
    from source
)

select * from renamed
