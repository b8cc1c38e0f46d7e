{{ incremental_by_batch('as_of') }}
{%- set pending = pending_batches() %}

-- Grain: one row per as_of (batch date) × institution_code: the registry as of each batch.

with

institutions as (
    select * from {{ ref('int_institutions_resolved') }}
    where {{ in_pending_batches('batch_date', pending) }}
)

select
    cast(batch_date as date) as as_of,
    cast(institution_code as varchar) as institution_code,
    cast(institution_name as varchar) as institution_name,
    cast(institution_category as varchar) as category,
    cast(public_class as varchar) as public_class,
    cast(institution_level as varchar) as level,
    cast(township_code as varchar) as township_code,
    cast(parent_code as varchar) as parent_code,
    cast(institution_rank as varchar) as rank,
    cast(funding as varchar) as funding,
    cast(alias_names as varchar) as alias_names,
    cast(established_on as date) as established_on,
    cast(revoked_on as date) as revoked_on,
    cast(is_active as boolean) as is_active,
    cast(is_revoked as boolean) as is_revoked,
    cast(counting_institution_code as varchar) as counting_institution_code,
    cast(township_ref as varchar) as township_ref,
    cast(uscc as varchar) as uscc,
    cast(uscc_valid as boolean) as uscc_valid
from institutions
