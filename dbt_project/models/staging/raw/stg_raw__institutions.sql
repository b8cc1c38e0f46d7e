with

source as (
    select * from {{ source('raw', 'institutions') }}
),

renamed as (
    select
        cast(batch_date as date) as batch_date,
        cast(source_batch_date as date) as source_batch_date,
        cast(institution_code as varchar) as institution_code,
        cast(name as varchar) as institution_name,
        cast(uscc as varchar) as uscc,
        cast(uscc_valid as boolean) as uscc_valid,
        cast(category as varchar) as institution_category,
        cast(public_class as varchar) as public_class,
        cast(level as varchar) as institution_level,
        cast(township_ref as varchar) as township_ref,
        cast(parent_code as varchar) as parent_code,
        cast(rank as varchar) as institution_rank,
        cast(funding as varchar) as funding,
        cast(alias_names as varchar) as alias_names,
        cast(established_on as date) as established_on,
        cast(revoked_on as date) as revoked_on
    from source
)

select * from renamed
