with

source as (
    select * from {{ source('raw', 'townships') }}
),

renamed as (
    select
        cast(batch_date as date) as batch_date,
        cast(source_batch_date as date) as source_batch_date,
        cast(township_code as varchar) as township_code,
        cast(township_name as varchar) as township_name,
        cast(township_kind as varchar) as township_kind,
        cast(township_class as varchar) as township_class,
        cast(population as bigint) as population,
        cast(area_km2 as double) as area_km2
    from source
)

select * from renamed
