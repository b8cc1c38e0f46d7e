{#- Rows for which `expression` is not true fail the test (dbt_utils.expression_is_true, which
    cannot be installed offline). Optional `where` config narrows the rows as usual. -#}
{% test expression_is_true(model, expression) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{% endtest %}
