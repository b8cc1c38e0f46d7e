-- Grain: one row per finding identity (finding_id = md5 of rule_code|township_code|
-- institution_code|category|person_key, NULLs as empty) over every loaded batch.
-- first_seen / last_seen: earliest / latest batch it held in; status open when it held in the
-- newest batch, else resolved; measured, allowed, detail_zh and names from the latest batch it
-- held in; open_days = last_seen − first_seen. Severity is the rule's, except SECONDED, which is
-- error when the newest batch date − first_seen exceeds the configured days.

{%- set escalate_after_days = rule_threshold('seconded', 'escalate_after_days') %}

with

findings_history as (
    select * from {{ ref('findings_history') }}
),

batches as (
    select * from {{ ref('stg_audit__batches') }}
),

newest_batch as (
    select max(batch_date) as newest_batch_date
    from batches
),

spans as (
    select
        finding_id,
        min(as_of) as first_seen,
        max(as_of) as last_seen
    from findings_history
    group by finding_id
),

latest as (
    select findings_history.*
    from findings_history
    inner join spans
        on spans.finding_id = findings_history.finding_id
        and spans.last_seen = findings_history.as_of
),

final as (
    select
        latest.finding_id,
        latest.rule_code,
        latest.rule_name_zh,
        case
            when latest.rule_code = 'SECONDED'
                then case
                    when {{ dbt.datediff('spans.first_seen', 'newest_batch.newest_batch_date',
                        'day') }} > {{ escalate_after_days }}
                        then 'error'
                    else 'warn'
                end
            else latest.severity
        end as severity,
        latest.institution_code,
        latest.institution_name,
        latest.township_code,
        latest.township_name,
        latest.category,
        latest.person_key,
        latest.person_name,
        latest.measured,
        latest.allowed,
        latest.detail_zh,
        spans.first_seen,
        spans.last_seen,
        case
            when spans.last_seen >= newest_batch.newest_batch_date then 'open'
            else 'resolved'
        end as status,
        {{ dbt.datediff('spans.first_seen', 'spans.last_seen', 'day') }} as open_days
    from latest
    inner join spans
        on spans.finding_id = latest.finding_id
    cross join newest_batch
)

select
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
