{{ incremental_by_batch() }}
{%- set pending = pending_batches() %}

-- Grain: one row per batch_date × finding identity (rule_code, township_code, institution_code,
-- category, person_key) for the person-level rules: OVER_RANK, MIXED_CATEGORY, MIXED_QUOTA,
-- MIXED_LEADERSHIP, WORKER_IN_MANAGEMENT, SECONDED, DUPLICATE_SLOT, ID_CONFLICT, INVALID_ID,
-- OVER_AGE, REVOKED_INSTITUTION (person branch) and UNKNOWN_INSTITUTION (roster rows).
-- institution_code is the slot unit (a 内设机构 counts at its parent) and township_code its
-- township; both are NULL when the slot unit resolves to nothing. Several roster rows with one
-- identity (a person listed twice in one unit) give one finding: the first row's sentence.
-- SECONDED's duration and escalation need first_seen across batches: see findings_history.
-- Incremental by batch (macros/incremental_batches.sql): only the batches not built yet.

with

roster_resolved as not materialized (
    select * from {{ ref('int_roster_resolved') }}
    where {{ in_pending_batches('batch_date', pending) }}
),

-- how a sentence names the slot and work units (the name as given when unresolved). Not
-- materialized: each rule below reads only its own columns and rows (at L, 2.6 s instead of 3.7 s)
roster as not materialized (
    select
        *,
        coalesce(slot_institution_name, slot_unit_name, slot_unit_text, '（未填写）')
            as slot_label,
        coalesce(work_institution_name, work_unit_name, work_unit_text, '（未填写）')
            as work_label
    from roster_resolved
),

over_rank as (
    select
        batch_date, source_row_number, 'OVER_RANK' as rule_code, township_code,
        slot_institution_code as institution_code, '' as category, person_key, person_name,
        cast({{ rank_level('grade') }} as double) as measured,
        cast({{ rank_level('work_institution_rank') }} as double) as allowed,
        person_name || '（' || coalesce(title, leadership) || '）职务层次为' || grade
        || '，高于工作单位' || work_label || '的机构规格' || work_institution_rank as detail_zh
    from roster
    where leadership <> '无'
        and {{ rank_level('grade') }} > {{ rank_level('work_institution_rank') }}
),

mixed_category as (
    select
        batch_date, source_row_number, 'MIXED_CATEGORY' as rule_code, township_code,
        slot_institution_code as institution_code, '' as category, person_key, person_name,
        cast(null as double) as measured,
        cast(null as double) as allowed,
        person_name || ' 人员类别为' || person_category || '，在' || slot_label || '（'
        || coalesce(slot_institution_category, '类别不明') || '）的编制类型为' || quota_type
        || '，应为'
        || case person_category
            when '公务员' then '行政编制或政法专项编制'
            when '参公人员' then '参公事业单位的事业编制'
            when '事业人员' then '事业编制'
            when '工勤人员' then '工勤编制'
            when '编外人员' then '不占编制'
        end as detail_zh
    from roster
    where case person_category
        when '公务员' then quota_type not in ('行政编制', '政法专项编制')
        when '参公人员' then
            quota_type <> '事业编制' or slot_institution_category <> '参公事业单位'
        when '事业人员' then quota_type <> '事业编制'
        when '工勤人员' then quota_type <> '工勤编制'
        when '编外人员' then quota_type <> '无'
        else false
    end
),

mixed_quota as (
    select
        batch_date, source_row_number, 'MIXED_QUOTA' as rule_code, township_code,
        slot_institution_code as institution_code, '' as category, person_key, person_name,
        cast(null as double) as measured,
        cast(null as double) as allowed,
        person_name || ' 在' || slot_label || '（' || slot_institution_category || '）占用'
        || quota_type || '（混编）' as detail_zh
    from roster
    where (
        quota_type in ('行政编制', '政法专项编制')
        and slot_institution_category in ('事业单位', '参公事业单位')
    ) or (quota_type = '事业编制' and slot_institution_category = '行政机关')
),

mixed_leadership as (
    select
        batch_date, source_row_number, 'MIXED_LEADERSHIP' as rule_code, township_code,
        slot_institution_code as institution_code, '' as category, person_key, person_name,
        cast(null as double) as measured,
        cast(null as double) as allowed,
        person_name || ' 占用' || quota_type || '，在' || work_label || '（'
        || work_institution_category || '）担任'
        || coalesce(title || '（' || leadership || '）', leadership) || '领导职务（混岗）'
            as detail_zh
    from roster
    where leadership <> '无'
        and (
            (quota_type = '事业编制' and work_institution_category = '行政机关')
            or (quota_type = '行政编制' and work_institution_category = '事业单位')
        )
),

worker_in_management as (
    select
        batch_date, source_row_number, 'WORKER_IN_MANAGEMENT' as rule_code, township_code,
        slot_institution_code as institution_code, '' as category, person_key, person_name,
        cast(null as double) as measured,
        cast(null as double) as allowed,
        person_name || ' 为工勤人员，在' || work_label
        || case
            when leadership <> '无'
                then '担任' || coalesce(title || '（' || leadership || '）', leadership)
                    || '领导职务'
            else '管理岗位任职'
        end as detail_zh
    from roster
    where person_category = '工勤人员'
        and (post_type = '管理岗位' or leadership <> '无')
),

seconded as (
    select
        batch_date, source_row_number, 'SECONDED' as rule_code, township_code,
        slot_institution_code as institution_code, '' as category, person_key, person_name,
        cast(null as double) as measured,
        cast(null as double) as allowed,
        person_name || ' 编制在' || slot_label
        || case
            when work_institution_code <> slot_institution_code
                then '，实际在' || work_label || '工作'
            else ''
        end
        || case when status = '借调' then '，在岗状态为借调' else '' end as detail_zh
    from roster
    where work_institution_code <> slot_institution_code
        or status = '借调'
),

-- identity numbers on more than one row: only they can hold several slots (DUPLICATE_SLOT) or
-- come with several names (ID_CONFLICT), so only their rows are compared (at L, one count over
-- the identity numbers instead of a distinct and two aggregations over every row)
repeated_ids as (
    select batch_date, id_number
    from roster
    where id_number is not null
    group by batch_date, id_number
    having count(*) > 1
),

repeated_rows as (
    select
        roster.batch_date,
        roster.id_number,
        roster.person_name,
        roster.quota_type,
        roster.slot_institution_code,
        roster.slot_unit_text,
        roster.slot_label
    from roster
    inner join repeated_ids
        on repeated_ids.batch_date = roster.batch_date
        and repeated_ids.id_number = roster.id_number
),

slots_held as (
    select distinct
        batch_date,
        id_number,
        coalesce(slot_institution_code, '?' || slot_unit_text) as slot_key,
        slot_label,
        quota_type
    from repeated_rows
    where quota_type <> '无'
),

-- counted first, listed only for the few holders of several slots: an ordered string_agg over
-- every identity cannot spill to disk (at 20 M people it ran out of dbt's memory limit)
slot_counts as (
    select batch_date, id_number, count(*) as slot_count
    from slots_held
    group by batch_date, id_number
    having count(*) > 1
),

multiple_slot_holders as (
    select
        slots_held.batch_date,
        slots_held.id_number,
        slot_counts.slot_count,
        string_agg(
            slots_held.slot_label || slots_held.quota_type, '、'
            order by slots_held.slot_label, slots_held.quota_type
        ) as slot_list
    from slots_held
    inner join slot_counts
        on slot_counts.batch_date = slots_held.batch_date
        and slot_counts.id_number = slots_held.id_number
    group by slots_held.batch_date, slots_held.id_number, slot_counts.slot_count
),

duplicate_slot as (
    select
        roster.batch_date, roster.source_row_number, 'DUPLICATE_SLOT' as rule_code,
        roster.township_code, roster.slot_institution_code as institution_code,
        '' as category, roster.person_key, roster.person_name,
        cast(holders.slot_count as double) as measured,
        cast(1 as double) as allowed,
        roster.person_name || ' 同一身份证号在' || {{ num_text('holders.slot_count') }}
        || '处占用编制：' || holders.slot_list as detail_zh
    from roster
    inner join multiple_slot_holders as holders
        on holders.batch_date = roster.batch_date
        and holders.id_number = roster.id_number
    where roster.quota_type <> '无'
),

-- identities with more than one name as given; only their rows' names are folded (folding can
-- merge names, never split them). min <> max is "more than one distinct name" without a
-- distinct aggregate (which keeps a hash table per group and cannot spill)
names_as_given as (
    select batch_date, id_number
    from repeated_rows
    where person_name is not null
    group by batch_date, id_number
    having min(person_name) <> max(person_name)
),

names_used as (
    select distinct
        roster.batch_date,
        roster.id_number,
        {{ fold_text('roster.person_name') }} as person_name_folded
    from roster
    inner join names_as_given
        on names_as_given.batch_date = roster.batch_date
        and names_as_given.id_number = roster.id_number
    where roster.person_name is not null
),

conflicting_ids as (
    select
        batch_date,
        id_number,
        count(*) as name_count,
        string_agg(person_name_folded, '、' order by person_name_folded) as name_list
    from names_used
    group by batch_date, id_number
    having count(*) > 1
),

id_conflict as (
    select
        roster.batch_date, roster.source_row_number, 'ID_CONFLICT' as rule_code,
        roster.township_code, roster.slot_institution_code as institution_code,
        '' as category, roster.person_key, roster.person_name,
        cast(conflicts.name_count as double) as measured,
        cast(1 as double) as allowed,
        '同一身份证号登记了' || {{ num_text('conflicts.name_count') }} || '个不同姓名：'
        || conflicts.name_list || '（本条：' || roster.slot_label || '）' as detail_zh
    from roster
    inner join conflicting_ids as conflicts
        on conflicts.batch_date = roster.batch_date
        and conflicts.id_number = roster.id_number
),

invalid_id as (
    select
        batch_date, source_row_number, 'INVALID_ID' as rule_code, township_code,
        slot_institution_code as institution_code, '' as category, person_key, person_name,
        cast(null as double) as measured,
        cast(null as double) as allowed,
        person_name || '（' || slot_label || '）身份证号'
        || case id_problem
            when 'missing' then '缺失'
            when 'bad_length' then '不是18位'
            when 'bad_format' then '格式错误'
            when 'bad_check_digit' then '校验位错误'
            when 'birth_mismatch' then '与出生日期不符'
            when 'gender_mismatch' then '与性别不符'
            when 'excel_damaged' then '被Excel转换为数字而损坏，无法恢复'
            else '无效'
        end as detail_zh
    from roster
    where not id_valid
),

over_age as (
    select
        batch_date, source_row_number, 'OVER_AGE' as rule_code, township_code,
        slot_institution_code as institution_code, '' as category, person_key, person_name,
        cast(age as double) as measured,
        round(retirement_age_months / 12.0, 2) as allowed,
        person_name || '（' || gender || '，' || cast(birth_date as varchar) || '出生，'
        || slot_label || '）法定退休日期为' || cast(retirement_date as varchar) || '，截至'
        || cast(batch_date as varchar) || '已达到法定退休年龄仍'
        || case when quota_type <> '无' then '在编' else '在册' end as detail_zh
    from roster
    where retirement_date <= batch_date
),

revoked_units as (
    select
        roster.*,
        case
            when slot_unit_is_revoked
                then '编制所在单位' || slot_unit_name || '已于'
                    || cast(slot_unit_revoked_on as varchar) || '撤销'
            when slot_institution_is_revoked
                then '编制所在单位' || slot_institution_name || '已于'
                    || cast(slot_institution_revoked_on as varchar) || '撤销'
        end as slot_revoked_text,
        case
            when not work_given or work_unit_code = slot_unit_code then null
            when work_unit_is_revoked
                then '工作单位' || work_unit_name || '已于'
                    || cast(work_unit_revoked_on as varchar) || '撤销'
            when work_institution_is_revoked
                then '工作单位' || work_institution_name || '已于'
                    || cast(work_institution_revoked_on as varchar) || '撤销'
        end as work_revoked_text
    from roster
),

revoked_institution as (
    select
        batch_date, source_row_number, 'REVOKED_INSTITUTION' as rule_code, township_code,
        slot_institution_code as institution_code, '' as category, person_key, person_name,
        cast(null as double) as measured,
        cast(null as double) as allowed,
        person_name || ' 的' || concat_ws('，', slot_revoked_text, work_revoked_text)
            as detail_zh
    from revoked_units
    where slot_revoked_text is not null or work_revoked_text is not null
),

unknown_slot_unit as (
    select
        batch_date, source_row_number, 'UNKNOWN_INSTITUTION' as rule_code, township_code,
        slot_institution_code as institution_code,
        coalesce(slot_unit_text, '（未填写）') as category, person_key, person_name,
        cast(null as double) as measured,
        cast(null as double) as allowed,
        '花名册第' || cast(source_row_number as varchar) || '行 ' || person_name
        || ' 的编制所在单位“' || coalesce(slot_unit_text, '（未填写）') || '”无法识别'
            as detail_zh
    from roster
    where slot_unresolved
),

unknown_work_unit as (
    select
        batch_date, source_row_number, 'UNKNOWN_INSTITUTION' as rule_code, township_code,
        slot_institution_code as institution_code,
        work_unit_text as category, person_key, person_name,
        cast(null as double) as measured,
        cast(null as double) as allowed,
        '花名册第' || cast(source_row_number as varchar) || '行 ' || person_name
        || ' 的工作单位“' || work_unit_text || '”无法识别' as detail_zh
    from roster
    where work_unresolved
),

unioned as (
    select * from over_rank
    union all
    select * from mixed_category
    union all
    select * from mixed_quota
    union all
    select * from mixed_leadership
    union all
    select * from worker_in_management
    union all
    select * from seconded
    union all
    select * from duplicate_slot
    union all
    select * from id_conflict
    union all
    select * from invalid_id
    union all
    select * from over_age
    union all
    select * from revoked_institution
    union all
    select * from unknown_slot_unit
    union all
    select * from unknown_work_unit
),

one_per_identity as (
    select
        unioned.*,
        row_number() over (
            partition by batch_date, rule_code, township_code, institution_code, category,
                person_key
            order by source_row_number
        ) as row_rank
    from unioned
),

final as (
    select
        batch_date,
        rule_code,
        township_code,
        institution_code,
        category,
        person_key,
        person_name,
        measured,
        allowed,
        detail_zh
    from one_per_identity
    where row_rank = 1
)

select * from final
