{#- A threshold of config/rules.yml, passed by the orchestration as var('rules'). -#}
{% macro rule_threshold(section, key) -%}
    {%- set rules = var('rules') -%}
    {%- if section not in rules or key not in rules[section] -%}
        {{ exceptions.raise_compiler_error("rules var lacks " ~ section ~ "." ~ key) }}
    {%- endif -%}
    cast({{ rules[section][key] }} as double)
{%- endmacro %}
