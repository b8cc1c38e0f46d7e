{#-
    Unit-name resolution (contract README, "Unit names resolve in this order"): the code where
    given and known; else the name by int_unit_names_ranked's exact key (active name, revoked
    name, not-yet-established name, then 加挂牌子); else its folded key. Used for the roster's
    slot and work units and for the grants' institution, so the order lives in one place.

    unit_resolution_joins: the three left joins, aliased <prefix>_by_code / _by_name / _by_folded.
    unit_resolution_code / unit_resolution_method: the resolved code and how it was found
    ('code' | 'name' | 'alias' | 'folded' | NULL when nothing matched).
-#}
{% macro unit_resolution_joins(row_alias, code_column, name_column, prefix) -%}
    left join institutions as {{ prefix }}_by_code
        on {{ prefix }}_by_code.batch_date = {{ row_alias }}.batch_date
        and {{ prefix }}_by_code.institution_code = {{ row_alias }}.{{ code_column }}
    left join unit_names as {{ prefix }}_by_name
        on {{ prefix }}_by_name.batch_date = {{ row_alias }}.batch_date
        and {{ prefix }}_by_name.match_kind = 'exact'
        and {{ prefix }}_by_name.match_key = {{ row_alias }}.{{ name_column }}
    left join unit_names as {{ prefix }}_by_folded
        on {{ prefix }}_by_folded.batch_date = {{ row_alias }}.batch_date
        and {{ prefix }}_by_folded.match_kind = 'folded'
        and {{ prefix }}_by_folded.match_key = {{ fold_text(row_alias ~ '.' ~ name_column) }}
{%- endmacro %}

{% macro unit_resolution_code(prefix) -%}
    coalesce(
        {{ prefix }}_by_code.institution_code,
        {{ prefix }}_by_name.institution_code,
        {{ prefix }}_by_folded.institution_code
    )
{%- endmacro %}

{% macro unit_resolution_method(prefix) -%}
    case
        when {{ prefix }}_by_code.institution_code is not null then 'code'
        when {{ prefix }}_by_name.institution_code is not null then {{ prefix }}_by_name.match_method
        when {{ prefix }}_by_folded.institution_code is not null then 'folded'
    end
{%- endmacro %}
