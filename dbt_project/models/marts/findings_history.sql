{{ incremental_by_batch('as_of', from_earliest=true) }}
{%- set pending = pending_batches(from_earliest=true) %}

-- Grain: one row per as_of (batch date) × finding_id — every finding that held in that batch,
-- as it stood then: first_seen is the earliest batch up to as_of in which it held (a finding
-- that returns keeps it), SECONDED's duration and severity are evaluated at as_of.
-- Incremental (macros/incremental_batches.sql): rebuilds from the earliest batch not built yet
-- onwards (in practice the new batches); first_seen then also reads the earlier history.

{%- set escalate_after_days = rule_threshold('seconded', 'escalate_after_days') %}

with

institution_findings as (
    select * from {{ ref('int_institution_findings_evaluated') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

person_findings as (
    select * from {{ ref('int_person_findings_evaluated') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

rule_catalog as (
    select * from {{ ref('rule_catalog') }}
),

institutions as (
    select * from {{ ref('int_institutions_resolved') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

townships as (
    select * from {{ ref('stg_raw__townships') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

-- the earliest batch each finding held in, among the batches already built before the pending ones
earlier_history as (
{%- if is_incremental() %}
    select finding_id, min(as_of) as first_seen
    from {{ this }}
    where not ({{ in_pending_batches('as_of', pending) }})
    group by finding_id
{%- else %}
    select cast(null as varchar) as finding_id, cast(null as date) as first_seen
    where false
{%- endif %}
),

held as (
    select * from institution_findings
    union all
    select * from person_findings
),

identified as (
    select
        held.*,
        {{ finding_id('rule_code', 'township_code', 'institution_code', 'category',
            'person_key') }} as finding_id
    from held
),

dated as (
    select
        identified.*,
        coalesce(
            earlier_history.first_seen,
            min(identified.batch_date) over (
                partition by identified.finding_id
                order by identified.batch_date
                rows between unbounded preceding and current row
            )
        ) as first_seen
    from identified
    left join earlier_history
        on earlier_history.finding_id = identified.finding_id
),

timed as (
    select
        dated.*,
        {{ dbt.datediff('first_seen', 'batch_date', 'day') }} as open_days
    from dated
),

final as (
    select
        timed.batch_date as as_of,
        timed.finding_id,
        timed.rule_code,
        rule_catalog.name_zh as rule_name_zh,
        case
            when timed.rule_code = 'SECONDED' and timed.open_days > {{ escalate_after_days }}
                then 'error'
            else rule_catalog.severity
        end as severity,
        timed.institution_code,
        institutions.institution_name,
        timed.township_code,
        townships.township_name,
        timed.category,
        timed.person_key,
        timed.person_name,
        case
            when timed.rule_code = 'SECONDED' then cast(timed.open_days as double)
            else timed.measured
        end as measured,
        case
            when timed.rule_code = 'SECONDED' then {{ escalate_after_days }}
            else timed.allowed
        end as allowed,
        case
            when timed.rule_code = 'SECONDED'
                then timed.detail_zh || '，自' || cast(timed.first_seen as varchar) || '起已'
                    || cast(timed.open_days as varchar) || '天'
            else timed.detail_zh
        end as detail_zh,
        timed.first_seen,
        timed.batch_date as last_seen,
        'open' as status,
        timed.open_days
    from timed
    left join rule_catalog
        on rule_catalog.rule_code = timed.rule_code
    left join institutions
        on institutions.batch_date = timed.batch_date
        and institutions.institution_code = timed.institution_code
    left join townships
        on townships.batch_date = timed.batch_date
        and townships.township_code = timed.township_code
)

select
    cast(as_of as date) as as_of,
    cast(finding_id as varchar) as finding_id,
    cast(rule_code as varchar) as rule_code,
    cast(rule_name_zh as varchar) as rule_name_zh,
    cast(severity as varchar) as severity,
    cast(institution_code as varchar) as institution_code,
    cast(institution_name as varchar) as institution_name,
    cast(township_code as varchar) as township_code,
    cast(township_name as varchar) as township_name,
    cast(category as varchar) as category,
    cast(person_key as varchar) as person_key,
    cast(person_name as varchar) as person_name,
    cast(measured as double) as measured,
    cast(allowed as double) as allowed,
    cast(detail_zh as varchar) as detail_zh,
    cast(first_seen as date) as first_seen,
    cast(last_seen as date) as last_seen,
    cast(status as varchar) as status,
    cast(open_days as integer) as open_days
from final
