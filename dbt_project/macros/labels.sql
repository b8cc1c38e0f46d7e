{#- Ordinal of a grade or an institution rank: 正科级 3 > 副科级 2 > 股级 1; 无 / 未定级 → NULL. -#}
{% macro rank_level(expr) -%}
    case {{ expr }} when '正科级' then 3 when '副科级' then 2 when '股级' then 1 end
{%- endmacro %}

{#- An integer as text for detail_zh sentences. -#}
{% macro num_text(expr) -%}
    cast(cast({{ expr }} as bigint) as varchar)
{%- endmacro %}

{#- A fraction as a percentage with one decimal, e.g. 0.485 → '48.5'. -#}
{% macro pct_text(expr) -%}
    cast(cast(round(100 * ({{ expr }}), 1) as decimal(6, 1)) as varchar)
{%- endmacro %}

{#- finding_id: md5 of the identity (rules.md), nulls as empty, joined with '|'. -#}
{% macro finding_id(rule_code, township_code, institution_code, category, person_key) -%}
    md5(
        coalesce({{ rule_code }}, '') || '|' || coalesce({{ township_code }}, '') || '|'
        || coalesce({{ institution_code }}, '') || '|' || coalesce({{ category }}, '') || '|'
        || coalesce({{ person_key }}, '')
    )
{%- endmacro %}
