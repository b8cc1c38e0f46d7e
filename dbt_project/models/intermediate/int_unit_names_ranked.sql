{{ incremental_by_batch() }}
{%- set pending = pending_batches() %}

-- Grain: one row per batch_date × match_kind ('exact' | 'folded') × match_key: the institution a
-- unit name resolves to at that batch, by the contract's order. A code is tried before any of
-- this (in the models that resolve names), then:
--   1 exact name of an institution active at the batch date
--   2 exact name of a revoked one (so that REVOKED_INSTITUTION, not UNKNOWN_INSTITUTION, fires)
--   3 exact name of one not yet established
--   4-6 one of its 加挂牌子 (active, revoked, not yet established)
--   the same after folding full-width characters and removing all spaces (match_kind 'folded')
-- Ties at the best tier (two active institutions of one name) take the lowest code and are
-- flagged is_ambiguous.

with

institutions as (
    select * from {{ ref('int_institutions_resolved') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

statuses as (
    select
        batch_date,
        institution_code,
        institution_name,
        alias_names,
        case
            when is_active then 1
            when is_revoked then 2
            else 3
        end as status_rank
    from institutions
),

registered_names as (
    select
        batch_date,
        institution_code,
        institution_name as unit_name,
        'name' as match_method,
        status_rank as name_tier
    from statuses
    where institution_name is not null
),

aliases as (
    select
        batch_date,
        institution_code,
        trim(alias_name) as unit_name,
        'alias' as match_method,
        3 + status_rank as name_tier
    from (
        select
            batch_date,
            institution_code,
            status_rank,
            unnest(regexp_split_to_array(alias_names, '[、；;,，]')) as alias_name
        from statuses
        where alias_names is not null
    ) as split_aliases
),

candidates as (
    select * from registered_names
    union all
    select * from aliases
),

keyed as (
    select
        batch_date,
        'exact' as match_kind,
        unit_name as match_key,
        institution_code,
        match_method,
        name_tier
    from candidates
    where unit_name <> ''
    union all
    select
        batch_date,
        'folded' as match_kind,
        {{ fold_text('unit_name') }} as match_key,
        institution_code,
        'folded' as match_method,
        name_tier
    from candidates
    where {{ fold_text('unit_name') }} <> ''
),

ranked as (
    select
        keyed.*,
        row_number() over (
            partition by batch_date, match_kind, match_key
            order by name_tier, institution_code
        ) as preference,
        count(distinct institution_code) over (
            partition by batch_date, match_kind, match_key, name_tier
        ) as codes_at_tier
    from keyed
),

final as (
    select
        batch_date,
        match_kind,
        match_key,
        institution_code,
        match_method,
        name_tier,
        codes_at_tier > 1 as is_ambiguous
    from ranked
    where preference = 1
)

select * from final
