{#-
    Month arithmetic for the statutory retirement date (rules.md, 2025 gradual reform).
    A month index is year * 12 + (month - 1); the retirement month is the birth month plus the
    statutory age in months; the date is the first day of that month.
-#}

{% macro month_index(date_expr) -%}
    (extract(year from {{ date_expr }}) * 12 + extract(month from {{ date_expr }}) - 1)
{%- endmacro %}

{% macro first_day_of_month_index(index_expr) -%}
    make_date(
        cast(floor(({{ index_expr }}) / 12) as integer),
        cast(({{ index_expr }}) - 12 * floor(({{ index_expr }}) / 12) as integer) + 1,
        1
    )
{%- endmacro %}

{#- Delay in months for a birth month: ceil(n / per) capped, n = months after the month before
    the first cohort (first cohort → n = 1); 0 before the first cohort. -#}
{% macro reform_delay_months(birth_date, first_cohort_year, per, cap) -%}
    least(
        greatest(
            cast(ceil(({{ month_index(birth_date) }} - {{ first_cohort_year * 12 }} + 1) / {{ per }}.0) as integer),
            0
        ),
        {{ cap }}
    )
{%- endmacro %}

{#- Statutory retirement age in months: men 60 (+1 month per 4 from 1965-01, cap 36);
    women on worker-type terms 50 (+1 per 2 from 1975-01, cap 60); other women 55
    (+1 per 4 from 1970-01, cap 36). NULL when gender or birth date is unknown. -#}
{% macro retirement_age_months(birth_date, gender, is_worker_type) -%}
    case
        when {{ birth_date }} is null then null
        when {{ gender }} = '男'
            then 720 + {{ reform_delay_months(birth_date, 1965, 4, 36) }}
        when {{ gender }} = '女' and {{ is_worker_type }}
            then 600 + {{ reform_delay_months(birth_date, 1975, 2, 60) }}
        when {{ gender }} = '女'
            then 660 + {{ reform_delay_months(birth_date, 1970, 4, 36) }}
    end
{%- endmacro %}

{% macro retirement_date(birth_date, gender, is_worker_type) -%}
    {{ first_day_of_month_index(
        month_index(birth_date) ~ ' + ' ~ retirement_age_months(birth_date, gender, is_worker_type)
    ) }}
{%- endmacro %}

{#- Age in whole years on a date. -#}
{% macro age_on(birth_date, on_date) -%}
    (
        extract(year from {{ on_date }}) - extract(year from {{ birth_date }})
        - case
            when extract(month from {{ on_date }}) * 100 + extract(day from {{ on_date }})
                < extract(month from {{ birth_date }}) * 100 + extract(day from {{ birth_date }})
                then 1
            else 0
        end
    )
{%- endmacro %}
