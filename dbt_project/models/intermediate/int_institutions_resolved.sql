{{ incremental_by_batch() }}
{%- set pending = pending_batches() %}

-- Grain: one row per batch_date × institution_code (the registry as of each batch), with the
-- township resolved, the status at the batch date and the institution it counts at.

with

institutions as (
    select * from {{ ref('stg_raw__institutions') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

townships as (
    select * from {{ ref('stg_raw__townships') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

-- township_ref may be a township code or a township name: code first, then the exact name,
-- then the name after folding full-width characters and removing spaces.
township_names as (
    select
        batch_date,
        township_name as match_key,
        min(township_code) as township_code
    from townships
    group by batch_date, township_name
),

township_folded_names as (
    select
        batch_date,
        {{ fold_text('township_name') }} as match_key,
        min(township_code) as township_code
    from townships
    group by batch_date, {{ fold_text('township_name') }}
),

located as (
    select
        institutions.*,
        coalesce(
            by_code.township_code, by_name.township_code, by_folded.township_code
        ) as own_township_code
    from institutions
    left join townships as by_code
        on by_code.batch_date = institutions.batch_date
        and by_code.township_code = institutions.township_ref
    left join township_names as by_name
        on by_name.batch_date = institutions.batch_date
        and by_name.match_key = institutions.township_ref
    left join township_folded_names as by_folded
        on by_folded.batch_date = institutions.batch_date
        and by_folded.match_key = {{ fold_text('institutions.township_ref') }}
),

with_parent as (
    select
        located.*,
        parent.institution_name as parent_name,
        parent.institution_category as parent_category,
        parent.institution_level as parent_level,
        parent.own_township_code as parent_township_code
    from located
    left join located as parent
        on parent.batch_date = located.batch_date
        and parent.institution_code = located.parent_code
),

final as (
    select
        batch_date,
        institution_code,
        institution_name,
        uscc,
        uscc_valid,
        institution_category,
        public_class,
        institution_level,
        township_ref,
        -- a 内设机构 without a township of its own lies in its parent's township
        case
            when township_ref is null then
                case when institution_category = '内设机构' then parent_township_code end
            else own_township_code
        end as township_code,
        (township_ref is not null and own_township_code is null) as township_unresolved,
        parent_code,
        parent_name,
        parent_category,
        parent_level,
        institution_rank,
        funding,
        alias_names,
        established_on,
        revoked_on,
        (
            (established_on is null or established_on <= batch_date)
            and (revoked_on is null or revoked_on > batch_date)
        ) as is_active,
        coalesce(revoked_on <= batch_date, false) as is_revoked,
        -- a 内设机构 holds no quota of its own: its slots and its work count at the parent
        case
            when institution_category = '内设机构' then parent_code
            else institution_code
        end as counting_institution_code
    from with_parent
)

select * from final
