{{ incremental_by_batch() }}
{%- set pending = pending_batches() %}

-- Grain: one row per batch_date × finding identity (rule_code, township_code, institution_code,
-- category) for the rules about institutions, townships and grant rows: OVERSTAFFED, VACANT,
-- OVER_LEADERSHIP, NEGATIVE_QUOTA, REVOKED_INSTITUTION (institution × kind branch),
-- LEADER_RATIO, TOWNSHIP_LEADERSHIP_QUOTA, INSTITUTION_LIMIT and UNKNOWN_INSTITUTION (grant
-- rows). person_key is NULL throughout. Thresholds come from var('rules').

{%- set max_ratio = rule_threshold('leader_ratio', 'max_ratio') %}
{%- set min_staff = rule_threshold('leader_ratio', 'min_staff') %}
{%- set max_posts = rule_threshold('township_leadership', 'max_posts') %}
{%- set max_posts_large = rule_threshold('township_leadership', 'max_posts_large') %}
{%- set large_population = rule_threshold('township_leadership', 'large_population') %}
{%- set large_area = rule_threshold('township_leadership', 'large_area_km2') %}
{%- set max_offices = rule_threshold('institution_limit', 'max_internal_offices') %}
{%- set max_public_units = rule_threshold('institution_limit', 'max_public_units') %}

with

staffing as (
    select * from {{ ref('int_staffing_reconciled') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

leadership as (
    select * from {{ ref('int_leadership_reconciled') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

ledger as (
    select * from {{ ref('int_quota_ledger_evaluated') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

quota_events as (
    select * from {{ ref('int_quota_events_sequenced') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

workforce as (
    select * from {{ ref('int_workforce_aggregated') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

institutions as (
    select * from {{ ref('int_institutions_resolved') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

townships as (
    select * from {{ ref('stg_raw__townships') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

overstaffed as (
    select
        batch_date,
        'OVERSTAFFED' as rule_code,
        township_code,
        institution_code,
        quota_type as category,
        cast(occupied as double) as measured,
        cast(authorized as double) as allowed,
        coalesce(institution_name, institution_code) || ' ' || quota_type
        || ' 核定' || {{ num_text('authorized') }} || '名，实有' || {{ num_text('occupied') }}
        || '名，超编' || {{ num_text('occupied - authorized') }} || '名' as detail_zh
    from staffing
    where occupied > authorized
),

vacant as (
    select
        batch_date,
        'VACANT' as rule_code,
        township_code,
        institution_code,
        quota_type as category,
        cast(occupied as double) as measured,
        cast(authorized as double) as allowed,
        coalesce(institution_name, institution_code) || ' ' || quota_type
        || ' 核定' || {{ num_text('authorized') }} || '名，实有' || {{ num_text('occupied') }}
        || '名，空编' || {{ num_text('authorized - occupied') }} || '名' as detail_zh
    from staffing
    where authorized > occupied
),

over_leadership as (
    select
        batch_date,
        'OVER_LEADERSHIP' as rule_code,
        township_code,
        institution_code,
        leadership_kind as category,
        cast(actual as double) as measured,
        cast(authorized as double) as allowed,
        coalesce(institution_name, institution_code) || ' ' || leadership_kind
        || ' 核定领导职数' || {{ num_text('authorized') }} || '名，实配' || {{ num_text('actual') }}
        || '名，超配' || {{ num_text('actual - authorized') }} || '名' as detail_zh
    from leadership
    where actual > authorized
),

negative_quota as (
    select
        ledger.batch_date,
        'NEGATIVE_QUOTA' as rule_code,
        institutions.township_code,
        ledger.institution_code,
        ledger.kind as category,
        cast(ledger.lowest_value as double) as measured,
        cast(0 as double) as allowed,
        coalesce(institutions.institution_name, ledger.institution_code) || ' ' || ledger.kind
        || ' ' || case when ledger.item = '领导职数' then '领导职数' else '编制' end
        || '于' || cast(ledger.lowest_value_on as varchar) || '核减后为'
        || {{ num_text('ledger.lowest_value') }} || '名，核减超过核定数（现核定'
        || {{ num_text('ledger.authorized') }} || '名）' as detail_zh
    from ledger
    left join institutions
        on institutions.batch_date = ledger.batch_date
        and institutions.institution_code = ledger.institution_code
    where ledger.lowest_value < 0
),

revoked_with_quota as (
    select
        ledger.batch_date,
        'REVOKED_INSTITUTION' as rule_code,
        institutions.township_code,
        ledger.institution_code,
        ledger.kind as category,
        cast(ledger.authorized as double) as measured,
        cast(0 as double) as allowed,
        coalesce(institutions.institution_name, ledger.institution_code) || ' 已于'
        || cast(institutions.revoked_on as varchar) || '撤销，仍核定' || ledger.kind
        || case when ledger.item = '领导职数' then '领导职数' else '' end
        || {{ num_text('ledger.authorized') }} || '名' as detail_zh
    from ledger
    inner join institutions
        on institutions.batch_date = ledger.batch_date
        and institutions.institution_code = ledger.institution_code
    where institutions.is_revoked and ledger.authorized > 0
),

township_leader_ratio as (
    select
        workforce.batch_date,
        'LEADER_RATIO' as rule_code,
        workforce.scope_code as township_code,
        cast(null as varchar) as institution_code,
        '' as category,
        workforce.leader_ratio as measured,
        {{ max_ratio }} as allowed,
        coalesce(townships.township_name, workforce.scope_code) || ' 乡镇工作人员（在编）'
        || {{ num_text('workforce.staff') }} || '人，担任领导职务'
        || {{ num_text('workforce.leaders') }} || '人，占'
        || {{ pct_text('workforce.leader_ratio') }} || '%，超过'
        || {{ pct_text(max_ratio) }} || '%' as detail_zh
    from workforce
    left join townships
        on townships.batch_date = workforce.batch_date
        and townships.township_code = workforce.scope_code
    where workforce.scope = 'township'
        and workforce.staff > 0
        and workforce.leader_ratio > {{ max_ratio }}
),

institution_leader_ratio as (
    select
        workforce.batch_date,
        'LEADER_RATIO' as rule_code,
        workforce.township_code,
        workforce.scope_code as institution_code,
        '' as category,
        workforce.leader_ratio as measured,
        {{ max_ratio }} as allowed,
        coalesce(institutions.institution_name, workforce.scope_code) || ' 在编人员'
        || {{ num_text('workforce.staff') }} || '人，担任领导职务'
        || {{ num_text('workforce.leaders') }} || '人，占'
        || {{ pct_text('workforce.leader_ratio') }} || '%，超过'
        || {{ pct_text(max_ratio) }} || '%' as detail_zh
    from workforce
    left join institutions
        on institutions.batch_date = workforce.batch_date
        and institutions.institution_code = workforce.scope_code
    where workforce.scope = 'institution'
        and workforce.staff >= {{ min_staff }}
        and workforce.leader_ratio > {{ max_ratio }}
),

township_governments as (
    select
        institutions.batch_date,
        institutions.institution_code,
        institutions.institution_name,
        institutions.township_code,
        townships.population,
        townships.area_km2,
        case
            when townships.population > {{ large_population }}
                or townships.area_km2 > {{ large_area }}
                then {{ max_posts_large }}
            else {{ max_posts }}
        end as max_posts
    from institutions
    left join townships
        on townships.batch_date = institutions.batch_date
        and townships.township_code = institutions.township_code
    where institutions.institution_category = '行政机关'
        and institutions.institution_level = '乡镇'
),

township_government_posts as (
    select
        township_governments.*,
        coalesce(posts.authorized_posts, 0) as authorized_posts
    from township_governments
    left join (
        select
            batch_date,
            institution_code,
            sum(authorized) as authorized_posts
        from leadership
        where leadership_kind in ('正职', '副职')
        group by batch_date, institution_code
    ) as posts
        on posts.batch_date = township_governments.batch_date
        and posts.institution_code = township_governments.institution_code
),

township_leadership_quota as (
    select
        batch_date,
        'TOWNSHIP_LEADERSHIP_QUOTA' as rule_code,
        township_code,
        institution_code,
        '' as category,
        cast(authorized_posts as double) as measured,
        max_posts as allowed,
        coalesce(institution_name, institution_code) || ' 核定领导职数（正职+副职）'
        || {{ num_text('authorized_posts') }} || '名，超过' || {{ num_text('max_posts') }}
        || '名的上限（常住人口' || coalesce(cast(population as varchar), '未填报') || '人，面积'
        || coalesce(cast(area_km2 as varchar), '未填报') || '平方公里）' as detail_zh
    from township_government_posts
    where authorized_posts > max_posts
),

active_township_units as (
    select
        child.batch_date,
        parent.township_code,
        '内设机构' as category,
        child.institution_code
    from institutions as child
    inner join institutions as parent
        on parent.batch_date = child.batch_date
        and parent.institution_code = child.parent_code
    where child.institution_category = '内设机构'
        and child.is_active
        and parent.institution_category = '行政机关'
        and parent.institution_level = '乡镇'
        and parent.township_code is not null
    union all
    select
        batch_date,
        township_code,
        '事业单位' as category,
        institution_code
    from institutions
    where institution_category in ('事业单位', '参公事业单位')
        and institution_level = '乡镇'
        and is_active
        and township_code is not null
),

township_unit_counts as (
    select
        counted.batch_date,
        counted.township_code,
        counted.category,
        counted.unit_count,
        case
            when counted.category = '内设机构' then {{ max_offices }}
            else {{ max_public_units }}
        end as unit_limit
    from (
        select
            batch_date,
            township_code,
            category,
            count(distinct institution_code) as unit_count
        from active_township_units
        group by batch_date, township_code, category
    ) as counted
),

institution_limit as (
    select
        counts.batch_date,
        'INSTITUTION_LIMIT' as rule_code,
        counts.township_code,
        cast(null as varchar) as institution_code,
        counts.category,
        cast(counts.unit_count as double) as measured,
        counts.unit_limit as allowed,
        coalesce(townships.township_name, counts.township_code)
        || case
            when counts.category = '内设机构' then ' 行政机关内设机构'
            else ' 乡镇事业单位（含参公事业单位）'
        end
        || {{ num_text('counts.unit_count') }} || '个，超过限额'
        || {{ num_text('counts.unit_limit') }} || '个' as detail_zh
    from township_unit_counts as counts
    left join townships
        on townships.batch_date = counts.batch_date
        and townships.township_code = counts.township_code
    where counts.unit_count > counts.unit_limit
),

unknown_grant_units as (
    select
        batch_date,
        'UNKNOWN_INSTITUTION' as rule_code,
        cast(null as varchar) as township_code,
        cast(null as varchar) as institution_code,
        coalesce(unit_text, '（未填写）') as category,
        cast(count(*) as double) as measured,
        cast(0 as double) as allowed,
        '编制核定中的单位“' || coalesce(unit_text, '（未填写）') || '”无法识别（'
        || string_agg(
            coalesce(doc_no, '无文号') || '，第' || cast(source_row_number as varchar) || '行',
            '；' order by source_row_number
        ) || '）' as detail_zh
    from quota_events
    where unit_unresolved
    group by batch_date, coalesce(unit_text, '（未填写）')
),

unioned as (
    select * from overstaffed
    union all
    select * from vacant
    union all
    select * from over_leadership
    union all
    select * from negative_quota
    union all
    select * from revoked_with_quota
    union all
    select * from township_leader_ratio
    union all
    select * from institution_leader_ratio
    union all
    select * from township_leadership_quota
    union all
    select * from institution_limit
    union all
    select * from unknown_grant_units
),

final as (
    select
        batch_date,
        rule_code,
        township_code,
        institution_code,
        category,
        cast(null as varchar) as person_key,
        cast(null as varchar) as person_name,
        measured,
        allowed,
        detail_zh
    from unioned
)

select * from final
