{{ incremental_by_batch() }}
{%- set pending = pending_batches() %}

-- Grain: one row per batch_date × scope × scope_code, scope one of
--   'county'      every roster row of the batch (scope_code NULL);
--   'township'    rows whose work institution is a 乡镇-level institution of the township;
--   'institution' rows whose work institution is the institution (a 内设机构 counts at its parent).
-- leaders: rows whose leadership is not 无 (正职, 副职, 内设机构正职, 内设机构副职), on any quota
-- type; staff: rows whose quota_type is not 无 — the same counts LEADER_RATIO compares.

{%- set measures %}
        count(*) as headcount,
        sum(case when quota_type <> '无' then 1 else 0 end) as staff,
        sum(case when quota_type = '行政编制' then 1 else 0 end) as staff_admin,
        sum(case when quota_type = '事业编制' then 1 else 0 end) as staff_public,
        sum(case when quota_type = '工勤编制' then 1 else 0 end) as staff_worker,
        sum(case when quota_type = '政法专项编制' then 1 else 0 end) as staff_judicial,
        sum(case when quota_type = '无' then 1 else 0 end) as staff_none,
        sum(case when leadership <> '无' then 1 else 0 end) as leaders,
        sum(case when age < 30 then 1 else 0 end) as age_under_30,
        sum(case when age between 30 and 44 then 1 else 0 end) as age_30_44,
        sum(case when age >= 45 then 1 else 0 end) as age_45_plus,
        sum(case when education in ('研究生', '大学本科') then 1 else 0 end) as bachelor_plus
{%- endset %}

with

roster as (
    select * from {{ ref('int_roster_resolved') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

by_county as (
    select
        batch_date,
        'county' as scope,
        cast(null as varchar) as scope_code,
        cast(null as varchar) as township_code,
        {{ measures }}
    from roster
    group by batch_date
),

by_township as (
    select
        batch_date,
        'township' as scope,
        work_institution_township_code as scope_code,
        work_institution_township_code as township_code,
        {{ measures }}
    from roster
    where work_institution_level = '乡镇' and work_institution_township_code is not null
    group by batch_date, work_institution_township_code
),

by_institution as (
    select
        batch_date,
        'institution' as scope,
        work_institution_code as scope_code,
        max(work_institution_township_code) as township_code,
        {{ measures }}
    from roster
    where work_institution_code is not null
    group by batch_date, work_institution_code
),

unioned as (
    select * from by_county
    union all
    select * from by_township
    union all
    select * from by_institution
),

final as (
    select
        batch_date,
        scope,
        scope_code,
        township_code,
        cast(headcount as bigint) as headcount,
        cast(staff as bigint) as staff,
        cast(staff_admin as bigint) as staff_admin,
        cast(staff_public as bigint) as staff_public,
        cast(staff_worker as bigint) as staff_worker,
        cast(staff_judicial as bigint) as staff_judicial,
        cast(staff_none as bigint) as staff_none,
        cast(leaders as bigint) as leaders,
        case when staff > 0 then cast(leaders as double) / staff end as leader_ratio,
        cast(age_under_30 as bigint) as age_under_30,
        cast(age_30_44 as bigint) as age_30_44,
        cast(age_45_plus as bigint) as age_45_plus,
        cast(bachelor_plus as bigint) as bachelor_plus,
        case
            when headcount > 0 then cast(bachelor_plus as double) / headcount
        end as bachelor_plus_share
    from unioned
)

select * from final
